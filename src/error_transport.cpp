// Errors carried between processes (detail/error_transport.hpp), compiled once into libparnest.
#include "parnest/impl/error_transport.ipp"
