#pragma once
/// @file env.hpp
/// What the process was launched as: MPI launcher, rank, and the CPUs it may use. Read from
/// the environment and the OS, before and without any MPI call.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace parnest {

/// The launch environment of this process.
struct Environment {
  /// The MPI launcher that started this process ("OpenMPI", "MPICH/Hydra or Intel MPI",
  /// "PMIx", "MVAPICH", "SLURM srun"), or empty when not launched by one.
  std::string launcher;
  /// This process's rank and the number of ranks the launcher started (0 and 1 without one).
  int rank = 0;  ///< this process's rank (0 without a launcher)
  int size = 1;  ///< the number of ranks (1 without a launcher)
  /// The CPUs this process may use: affinity mask, cgroup CPU quota and SLURM_CPUS_PER_TASK,
  /// whichever is smallest. At least 1.
  std::size_t cpus = 1;
};

/// Looks up an environment variable; returns nullopt when it is unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// Reads this process's environment.
Environment detect_environment();

/// Same, with the variables read through `lookup` (for tests and embedding) and the CPU
/// count taken from `os_cpus` (affinity and cgroup quota as seen by the OS).
Environment detect_environment(const EnvLookup& lookup, std::size_t os_cpus);

/// CPUs this process may run on according to the OS: the affinity mask, reduced by a cgroup
/// (v1 or v2) CPU quota. Ignores scheduler variables; see detect_environment().cpus.
std::size_t os_usable_cpus();

/// True on the process that writes output: rank 0, or the only process. Once an MpiPool was
/// made in this process, rank 0 of that pool's communicator (the last one made).
bool is_root();

namespace detail {
/// Makes is_root() answer `root` from now on (MpiPool: rank 0 of its communicator).
void set_output_root(bool root) noexcept;
/// CPUs granted by a cgroup v2 `cpu.max` line ("max 100000" or "150000 100000"), rounded
/// up; nullopt for no limit or an unreadable line.
std::optional<std::size_t> cpus_from_cgroup_cpu_max(std::string_view line);
}  // namespace detail

}  // namespace parnest

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/environment.ipp"
#endif
