// detail::InterruptGuard (detail/interrupts.hpp), compiled once into libparnest.
#include "parnest/impl/signals.ipp"
