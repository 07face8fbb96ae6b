// The launcher pool of a build without MPI, compiled once into libparnest.
#include "parnest/impl/no_mpi.ipp"
