// The choice of a run's pool, compiled once into libparnest.
#include "parnest/impl/select_pool.ipp"
