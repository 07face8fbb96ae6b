// The Batch backend and Sampler<Batch>, compiled once into libparnest.
#include "parnest/impl/batch.ipp"

namespace parnest {
template class detail::RunHandle<detail::BatchRun>;
template class Sampler<Batch>;
}  // namespace parnest
