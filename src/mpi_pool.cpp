// MpiPool and the launcher pool it makes (pool/mpi.hpp), compiled once into libparnest_mpi.
#include "parnest/impl/mpi_pool.ipp"
