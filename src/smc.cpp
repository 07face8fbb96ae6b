// The Smc backend and Sampler<Smc>, compiled once into libparnest.
#include "parnest/impl/smc.ipp"

namespace parnest {
template class detail::RunHandle<detail::SmcRun>;
template class Sampler<Smc>;
}  // namespace parnest
