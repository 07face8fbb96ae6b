// MpiPool and the launcher pool of a build with MPI (pool/mpi.hpp), compiled once into libparnest.
#include "parnest/impl/mpi_pool.ipp"
