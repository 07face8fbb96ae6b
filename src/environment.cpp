// The launch environment (env.hpp), compiled once into libparnest.
#include "parnest/impl/environment.ipp"
