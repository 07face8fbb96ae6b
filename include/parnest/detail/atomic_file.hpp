#pragma once
// Files that are either absent, the old version or the complete new one: never half-written.

#include <filesystem>
#include <string_view>

namespace parnest::detail {

/// Writes `text` to a temporary file beside `path` (creating its directory if needed), flushes
/// it to disk (fsync) and renames it over `path`. With `keep_previous`, the file it replaces stays
/// as `path`.prev.
/// @throws IoError naming the file and the system's reason.
void write_atomically(const std::filesystem::path& path, std::string_view text,
                      bool keep_previous = false);

/// Checks now that write_atomically(path, ...) can create its file (the directory is created
/// if needed), so that a run learns of an unwritable location before its work, not after.
/// Also removes the temporary files beside `path` that writers killed mid-write left, those
/// whose process no longer exists (a checkpoint on a disk shared between machines should not be
/// written from two of them at once).
/// @throws IoError naming the file and the system's reason.
void check_writable(const std::filesystem::path& path);

}  // namespace parnest::detail

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/atomic_file.ipp"
#endif
