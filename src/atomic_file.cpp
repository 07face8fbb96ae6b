// detail::write_atomically, compiled once into libparnest.
#include "parnest/impl/atomic_file.ipp"
