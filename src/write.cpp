// The output files (io/write.hpp), compiled once into libparnest.
#include "parnest/impl/write.ipp"
