// The launcher pool's registry (detail/launcher_pool.hpp), compiled once into libparnest.
#include "parnest/impl/launcher_pool.ipp"
