#pragma once
// The launch environment (env.hpp): compiled once into libparnest (src/environment.cpp), or
// included by the header that declares it in header-only mode (PARNEST_HEADER_ONLY).
#include "parnest/detail/inline.hpp"
#include "parnest/env.hpp"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace parnest {
namespace detail::environment_impl {

PARNEST_INLINE std::optional<long> parse_long(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  long value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

PARNEST_INLINE std::optional<std::string> read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (in && std::getline(in, line)) return line;
  return std::nullopt;
}

// The CPU quota of this process's cgroup and of each of its ancestors (the tightest wins).
PARNEST_INLINE std::optional<std::size_t> cgroup_cpus() {
  std::optional<std::size_t> best;
  auto keep = [&](std::optional<std::size_t> n) {
    if (n && (!best || *n < *best)) best = n;
  };
  // cgroup v2: "0::/path" in /proc/self/cgroup.
  std::ifstream self("/proc/self/cgroup");
  std::string line;
  while (std::getline(self, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    std::string path = line.substr(3);
    while (true) {
      if (auto max = read_first_line("/sys/fs/cgroup" + path + "/cpu.max"))
        keep(detail::cpus_from_cgroup_cpu_max(*max));
      if (path.empty() || path == "/") break;
      path = path.substr(0, path.find_last_of('/'));
    }
  }
  // cgroup v1.
  const auto quota = parse_long(read_first_line("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"));
  const auto period = parse_long(read_first_line("/sys/fs/cgroup/cpu/cpu.cfs_period_us"));
  if (quota && period && *quota > 0 && *period > 0)
    keep(static_cast<std::size_t>((*quota + *period - 1) / *period));
  return best;
}

}  // namespace detail::environment_impl

namespace detail {
PARNEST_INLINE std::optional<std::size_t> cpus_from_cgroup_cpu_max(std::string_view line) {
  std::istringstream in{std::string(line)};
  std::string quota, period;
  if (!(in >> quota >> period) || quota == "max") return std::nullopt;
  const auto q = environment_impl::parse_long(quota), p = environment_impl::parse_long(period);
  if (!q || !p || *q <= 0 || *p <= 0) return std::nullopt;
  return static_cast<std::size_t>(std::max(1L, (*q + *p - 1) / *p));
}
}  // namespace detail

PARNEST_INLINE std::size_t os_usable_cpus() {
  std::size_t n = 0;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) n = static_cast<std::size_t>(CPU_COUNT(&set));
  if (n == 0) n = 1;
  if (auto quota = detail::environment_impl::cgroup_cpus()) n = std::min(n, *quota);
  return std::max<std::size_t>(n, 1);
}

PARNEST_INLINE Environment detect_environment(const EnvLookup& lookup, std::size_t os_cpus) {
  using detail::environment_impl::parse_long;
  Environment env;
  // Each launcher sets its own pair of variables; the first one found wins. Order matters:
  // OpenMPI also sets PMIX_RANK, and srun inside an mpirun job is unusual but possible.
  struct Launcher {
    const char* name;
    const char* size_var;
    const char* rank_var;
  };
  static constexpr Launcher launchers[] = {
      {"OpenMPI", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"},
      {"MVAPICH", "MV2_COMM_WORLD_SIZE", "MV2_COMM_WORLD_RANK"},
      {"MPICH/Hydra or Intel MPI", "PMI_SIZE", "PMI_RANK"},
      {"PMIx", "PMIX_SIZE", "PMIX_RANK"},
  };
  for (const auto& l : launchers) {
    const auto size = parse_long(lookup(l.size_var));
    const auto rank = parse_long(lookup(l.rank_var));
    if (rank && (size || std::string_view(l.name) == "PMIx")) {
      env.launcher = l.name;
      env.rank = static_cast<int>(*rank);
      // PMIx alone does not give the size: take SLURM's if present, else at least rank + 1,
      // so that every rank above 0 knows it is one of several.
      const auto slurm_size = parse_long(lookup("SLURM_NTASKS"));
      env.size = static_cast<int>(size ? *size : slurm_size ? *slurm_size : *rank + 1);
      break;
    }
  }
  // srun sets SLURM_STEP_ID for its tasks; a batch script alone (sbatch) is not a launch.
  const bool in_srun_step =
      lookup("SLURM_STEP_ID").has_value() || lookup("SLURM_STEPID").has_value();
  if (env.launcher.empty() && in_srun_step) {
    const auto size = parse_long(lookup("SLURM_NTASKS"));
    const auto rank = parse_long(lookup("SLURM_PROCID"));
    if (size && rank) {
      env.launcher = "SLURM srun";
      env.rank = static_cast<int>(*rank);
      env.size = static_cast<int>(*size);
    }
  }
  env.cpus = std::max<std::size_t>(os_cpus, 1);
  if (const auto per_task = parse_long(lookup("SLURM_CPUS_PER_TASK")); per_task && *per_task > 0)
    env.cpus = std::min(env.cpus, static_cast<std::size_t>(*per_task));
  return env;
}

PARNEST_INLINE Environment detect_environment() {
  return detect_environment(
      [](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
      },
      os_usable_cpus());
}

namespace detail::environment_impl {
// -1: decided by the launch environment; else the answer of the last MpiPool made. One for
// the process, also when several translation units include this (header-only).
inline std::atomic<int> output_root{-1};
}  // namespace detail::environment_impl

PARNEST_INLINE void detail::set_output_root(bool root) noexcept {
  environment_impl::output_root = root ? 1 : 0;
}

PARNEST_INLINE bool is_root() {
  if (const int root = detail::environment_impl::output_root.load(); root >= 0) return root == 1;
  return detect_environment().rank == 0;
}

}  // namespace parnest
