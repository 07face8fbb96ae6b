// RankPool::session (pool/ranks.hpp), compiled once into libparnest.
#include "parnest/impl/ranks.ipp"
