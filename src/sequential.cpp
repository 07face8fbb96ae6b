// The Sequential backend and Sampler<Sequential>, compiled once into libparnest.
#include "parnest/impl/sequential.ipp"

namespace parnest {
template class detail::RunHandle<detail::SequentialRun>;
template class Sampler<Sequential>;
}  // namespace parnest
