#pragma once
// How pools over other processes (ProcessPool, MpiPool) cut a batch into messages.

#include <algorithm>
#include <cstddef>

namespace parnest::detail {

/// Rows in the next message when `left` rows of the batch are not handed out yet: `fixed` if
/// the user set one (chunk_rows), else guided scheduling, half a fair share of what is left
/// (left / (2 evaluators)). Chunks are then large (few messages) while much is left and single
/// rows at the end, where a large chunk would keep one worker busy while the others wait.
inline std::size_t next_chunk(std::size_t left, std::size_t evaluators, std::size_t fixed) {
  const std::size_t share =
      fixed > 0 ? fixed
                : std::max<std::size_t>(1, left / (2 * std::max<std::size_t>(1, evaluators)));
  return std::min(share, left);
}

}  // namespace parnest::detail
