// ProcessPool (pool/process.hpp), compiled once into libparnest.
#include "parnest/impl/process_pool.ipp"
