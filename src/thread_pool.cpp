// ThreadPool, compiled once into libparnest.
#include "parnest/impl/thread_pool.ipp"
