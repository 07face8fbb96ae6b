// The status line (detail/progress_line.hpp), compiled once into libparnest.
#include "parnest/impl/progress_line.ipp"
