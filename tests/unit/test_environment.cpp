// Launcher and CPU detection decide the pool; they are tested here by setting variables, the
// way each launcher does.
#include <catch2/catch.hpp>

#include <parnest/env.hpp>

#include <map>
#include <thread>

namespace {
parnest::Environment detect(const std::map<std::string, std::string>& vars, std::size_t cpus = 8) {
  return parnest::detect_environment(
      [&](std::string_view name) -> std::optional<std::string> {
        const auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
      },
      cpus);
}
}  // namespace

TEST_CASE("no launcher variables: one process, rank 0, all OS CPUs", "[env]") {
  const auto env = detect({}, 6);
  CHECK(env.launcher.empty());
  CHECK(env.rank == 0);
  CHECK(env.size == 1);
  CHECK(env.cpus == 6);
}

TEST_CASE("each MPI launcher is recognised from its variables", "[env]") {
  CHECK(detect({{"OMPI_COMM_WORLD_SIZE", "4"}, {"OMPI_COMM_WORLD_RANK", "2"}, {"PMIX_RANK", "2"}})
            .launcher == "OpenMPI");
  const auto hydra = detect({{"PMI_SIZE", "3"}, {"PMI_RANK", "1"}});
  CHECK(hydra.launcher == "MPICH/Hydra or Intel MPI");
  CHECK(hydra.rank == 1);
  CHECK(hydra.size == 3);
  CHECK(detect({{"MV2_COMM_WORLD_SIZE", "2"}, {"MV2_COMM_WORLD_RANK", "0"}}).launcher == "MVAPICH");
  const auto pmix = detect({{"PMIX_RANK", "5"}});
  CHECK(pmix.launcher == "PMIx");
  CHECK(pmix.size >= 6);
  const auto srun = detect({{"SLURM_STEP_ID", "0"}, {"SLURM_NTASKS", "16"}, {"SLURM_PROCID", "9"}});
  CHECK(srun.launcher == "SLURM srun");
  CHECK(srun.rank == 9);
  CHECK(srun.size == 16);
}

TEST_CASE("a SLURM batch script without srun is not an MPI launch", "[env]") {
  const auto env = detect({{"SLURM_NTASKS", "16"}, {"SLURM_PROCID", "0"}, {"SLURM_JOB_ID", "1"}});
  CHECK(env.launcher.empty());
  CHECK(env.size == 1);
}

TEST_CASE("SLURM_CPUS_PER_TASK limits the CPUs, but never raises them", "[env]") {
  CHECK(detect({{"SLURM_CPUS_PER_TASK", "4"}}, 32).cpus == 4);
  CHECK(detect({{"SLURM_CPUS_PER_TASK", "64"}}, 32).cpus == 32);
  CHECK(detect({{"SLURM_CPUS_PER_TASK", "garbage"}}, 32).cpus == 32);
}

TEST_CASE("a cgroup v2 cpu.max quota is read as CPUs, rounded up", "[env]") {
  using parnest::detail::cpus_from_cgroup_cpu_max;
  CHECK_FALSE(cpus_from_cgroup_cpu_max("max 100000").has_value());
  CHECK(cpus_from_cgroup_cpu_max("200000 100000") == 2u);
  CHECK(cpus_from_cgroup_cpu_max("150000 100000") == 2u);
  CHECK(cpus_from_cgroup_cpu_max("50000 100000") == 1u);
  CHECK_FALSE(cpus_from_cgroup_cpu_max("nonsense").has_value());
}

TEST_CASE("this process may use at least one CPU and no more than the machine has", "[env]") {
  const std::size_t n = parnest::os_usable_cpus();
  CHECK(n >= 1);
  CHECK(n <= std::thread::hardware_concurrency());
}
