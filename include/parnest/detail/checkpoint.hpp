#pragma once
// Binary checkpoints: the whole state of a backend, with what identifies the run it belongs
// to. Sampler::run writes and reads them (RunOptions::checkpoint); these functions are the
// file format (an internal header: users set RunOptions::checkpoint).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace parnest::detail {

/// What a checkpoint must match to be resumed.
struct RunIdentity {
  std::string backend;
  std::vector<std::string> names;
  std::vector<std::pair<std::string, std::string>> options;
  std::uint64_t seed = 0;

  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& id) {
    ar.text(id.backend);
    ar.sequence(id.names);
    ar.sequence(id.options);
    ar.bits(id.seed);
  }
};

/// Writes identity and state to `path` atomically (temporary file, fsync, rename), keeping the
/// file it replaces as `path`.prev. (Sampler calls it on the process that speaks for the run.)
/// @throws IoError if the file cannot be written.
void write_checkpoint(const std::string& path, const RunIdentity& identity,
                      const std::vector<double>& state);

/// Checks before a run that its checkpoint can be written at `path` (creating the directory if
/// needed) and removes the temporary files that writers killed mid-write left beside it.
/// @throws IoError naming the file and the system's reason.
void prepare_checkpoint_location(const std::string& path);

/// The state saved in `path`, or nothing if there is no such file.
/// @throws CheckpointError if the file is truncated, corrupt, of another format version, or
/// from a run whose identity differs from `expected` (the message says what differs).
std::optional<std::vector<double>> read_checkpoint(const std::string& path,
                                                   const RunIdentity& expected);

}  // namespace parnest::detail

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/checkpoint.ipp"
#endif
