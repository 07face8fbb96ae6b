#pragma once
// Ids that grow with time: a worker process forked when instance_ids_issued() read N has in its
// memory every object whose id is below N and that the parent still holds, as it was then.

#include <atomic>
#include <cstdint>

namespace parnest::detail {

inline std::atomic<std::uint64_t>& instance_counter() noexcept {
  static std::atomic<std::uint64_t> counter{1};
  return counter;
}
/// A new id, larger than every id issued before.
inline std::uint64_t next_instance_id() noexcept {
  return instance_counter().fetch_add(1);
}
/// The id the next object will get: every object created so far has a smaller one.
inline std::uint64_t instance_ids_issued() noexcept {
  return instance_counter().load();
}

}  // namespace parnest::detail
