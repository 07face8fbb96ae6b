// detail::RunLog (detail/run_log.hpp), compiled once into libparnest.
#include "parnest/impl/run_log.ipp"
