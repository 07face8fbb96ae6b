// The checkpoint file format (io/checkpoint.hpp), compiled once into libparnest.
#include "parnest/impl/checkpoint.ipp"
