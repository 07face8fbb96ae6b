// parnest::StderrLogger (log.hpp), compiled once into libparnest.
#include "parnest/impl/stderr_logger.ipp"
