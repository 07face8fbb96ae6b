#pragma once
// The checkpoint file format (io/checkpoint.hpp): compiled once into libparnest
// (src/checkpoint.cpp), or included by the header that declares it in header-only mode
// (PARNEST_HEADER_ONLY).
#include "parnest/detail/checkpoint.hpp"
#include "parnest/detail/inline.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string_view>

#include "parnest/detail/atomic_file.hpp"
#include "parnest/detail/flat.hpp"
#include "parnest/error.hpp"
#include "parnest/version.hpp"

namespace parnest::detail {
namespace checkpoint_format {

// Layout: magic (16 bytes), format version, identity length, state length (u64 each), the
// identity and the state (doubles), then an FNV-1a checksum of everything before it.
inline constexpr char magic[16] = "parnest-ckpt\n\0\0";
// 3: each state object written by its one serialize function (2 wrote some fields otherwise).
inline constexpr std::uint64_t format_version = 3;
inline constexpr std::size_t header_bytes = sizeof magic + 3 * sizeof(std::uint64_t);

PARNEST_INLINE std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

template <class T>
PARNEST_INLINE void append(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <class T>
T read_at(const std::string& bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

// The identity as saved: with the version of parnest that wrote it.
struct SavedIdentity {
  std::string parnest_version;
  RunIdentity run;

  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& id) {
    ar.text(id.parnest_version);
    ar.object(id.run);
  }
};

PARNEST_INLINE std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return "(" + out + ")";
}

// Every way the saved run differs from this one, "; "-separated; empty when they match.
PARNEST_INLINE std::string differences(const SavedIdentity& saved, const RunIdentity& now) {
  std::vector<std::string> found;
  if (saved.parnest_version != version)
    found.push_back("it was written by parnest " + saved.parnest_version + ", this is parnest " +
                    std::string(version));
  if (saved.run.backend != now.backend)
    found.push_back("backend " + saved.run.backend + " there, " + now.backend + " here");
  if (saved.run.names != now.names)
    found.push_back("parameters " + joined(saved.run.names) + " there, " + joined(now.names) +
                    " here");
  std::map<std::string, std::pair<std::string, std::string>> options;
  for (const auto& [name, value] : saved.run.options) options[name].first = value;
  for (const auto& [name, value] : now.options) options[name].second = value;
  for (const auto& [name, values] : options)
    if (values.first != values.second)
      found.push_back("option " + name + " = " + (values.first.empty() ? "(none)" : values.first) +
                      " there, " + (values.second.empty() ? "(none)" : values.second) + " here");
  if (saved.run.seed != now.seed)
    found.push_back("seed " + std::to_string(saved.run.seed) + " there, " +
                    std::to_string(now.seed) + " here");
  std::string out;
  for (const auto& f : found) out += (out.empty() ? "" : "; ") + f;
  return out;
}

}  // namespace checkpoint_format

PARNEST_INLINE void write_checkpoint(const std::string& path, const RunIdentity& identity,
                                     const std::vector<double>& state) {
  using namespace checkpoint_format;
  std::vector<double> id;
  FlatWriter(id).object(SavedIdentity{std::string(version), identity});
  std::string bytes(magic, sizeof magic);
  append(bytes, format_version);
  append(bytes, std::uint64_t{id.size()});
  append(bytes, std::uint64_t{state.size()});
  bytes.append(reinterpret_cast<const char*>(id.data()), id.size() * sizeof(double));
  bytes.append(reinterpret_cast<const char*>(state.data()), state.size() * sizeof(double));
  append(bytes, fnv1a(bytes));
  write_atomically(path, bytes, /*keep_previous=*/true);
}

PARNEST_INLINE void prepare_checkpoint_location(const std::string& path) {
  check_writable(path);
}

PARNEST_INLINE std::optional<std::vector<double>> read_checkpoint(const std::string& path,
                                                                  const RunIdentity& expected) {
  using namespace checkpoint_format;
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    if (!std::filesystem::exists(path)) return std::nullopt;
    throw CheckpointError("cannot open checkpoint " + path);
  }
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::string previous = std::filesystem::exists(path + ".prev")
                                   ? " (the one before it is " + path + ".prev)"
                                   : std::string();
  auto refuse = [&](const std::string& why) -> CheckpointError {
    return CheckpointError("checkpoint " + path + " " + why + "; it was left as it is" + previous);
  };
  if (bytes.size() < header_bytes || std::memcmp(bytes.data(), magic, sizeof magic) != 0)
    throw refuse("is not a parnest checkpoint (" + std::to_string(bytes.size()) + " bytes)");
  const auto format = read_at<std::uint64_t>(bytes, sizeof magic);
  if (format != format_version)
    throw refuse("has format version " + std::to_string(format) + ", this parnest reads " +
                 std::to_string(format_version));
  const auto id_count = read_at<std::uint64_t>(bytes, sizeof magic + 8);
  const auto state_count = read_at<std::uint64_t>(bytes, sizeof magic + 16);
  const std::size_t body_limit = (bytes.size() - header_bytes) / sizeof(double);
  if (id_count > body_limit || state_count > body_limit - id_count ||
      bytes.size() != header_bytes + (id_count + state_count) * sizeof(double) + 8)
    throw refuse("is truncated or padded: " + std::to_string(bytes.size()) + " bytes for " +
                 std::to_string(id_count + state_count) + " values");
  const std::size_t body_end = bytes.size() - 8;
  if (read_at<std::uint64_t>(bytes, body_end) != fnv1a(std::string_view(bytes).substr(0, body_end)))
    throw refuse("is corrupt: its checksum does not match its contents");
  std::vector<double> values(id_count + state_count);
  std::memcpy(values.data(), bytes.data() + header_bytes, values.size() * sizeof(double));
  SavedIdentity saved;
  try {
    FlatReader in(std::span<const double>(values.data(), id_count),
                  "the checkpoint's run identity");
    saved = in.read<SavedIdentity>();
    in.expect_end();
  } catch (const IoError& e) {
    throw refuse(std::string("is corrupt: ") + e.what());
  }
  const std::string differ = differences(saved, expected);
  if (!differ.empty())
    throw CheckpointError("checkpoint " + path + " belongs to a different run: " + differ +
                          ". Resume with the options it was written with, or give another "
                          "checkpoint file (or resume = false) to start afresh");
  return std::vector<double>(values.begin() + static_cast<std::ptrdiff_t>(id_count), values.end());
}

}  // namespace parnest::detail
