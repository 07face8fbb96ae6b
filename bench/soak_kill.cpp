// Soak test of checkpoint/resume: every backend is killed with SIGKILL at random moments while it
// checkpoints after every iteration, and started again with the same command until it
// finishes. Every finished run must equal, bit for bit, one that was never killed; no resume
// may be refused; no `<checkpoint>.tmp-<pid>` file and no worker process may be left behind.
// Prints a table (kills, completed runs, resumes, mismatches, leftovers) and exits 1 on any
// failure. Run once per change to the checkpoint code; docs/output-and-checkpoints.md quotes it.
//
//   build/bench/parnest_soak_kill [kills per backend = 50] [seed of the kill times = 1]
//                                 [one case, e.g. batch/serial]
//
// The program runs itself as the child: `parnest_soak_kill --run BACKEND POOL CHECKPOINT`
// prints the fingerprint of one run ("" for no checkpoint).
#include <parnest/parnest.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../tests/support/problems.hpp"

namespace {
using Clock = std::chrono::steady_clock;

// FNV-1a over the bytes of the result's numbers: equal only if every bit is.
std::uint64_t fingerprint(const parnest::Result& r) {
  std::uint64_t h = 1469598103934665603ULL;
  auto add = [&](const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  };
  add(&r.log_z, sizeof r.log_z);
  add(&r.log_z_err, sizeof r.log_z_err);
  add(&r.n_like, sizeof r.n_like);
  add(r.samples.data(), static_cast<std::size_t>(r.samples.size()) * sizeof(double));
  add(r.log_weights.data(), static_cast<std::size_t>(r.log_weights.size()) * sizeof(double));
  return h;
}

template <class B>
parnest::Result run(const parnest::Model& model, typename B::Options options,
                    const std::string& pool, const std::string& checkpoint) {
  parnest::Model m = model;
  m.thread_safe = pool != "processes";  // thread_safe = false and 2 cores: worker processes
  parnest::Sampler<B> sampler(m, options);
  return sampler.run({.ncores = pool == "serial" ? 1 : 2,
                      .seed = 11,
                      .checkpoint = checkpoint,
                      .checkpoint_every = 0,  // after every iteration
                      .progress = false});
}

int child(const std::string& backend, const std::string& pool, const std::string& checkpoint) {
  const auto problem = parnest::reference::gaussian(3);
  parnest::Result r;
  try {
    if (backend == "sequential")
      r = run<parnest::Sequential>(problem.model, {.n_live = 200}, pool, checkpoint);
    else if (backend == "batch")
      r = run<parnest::Batch>(problem.model, {.n_live = 300, .n_batch = 50}, pool, checkpoint);
    else
      r = run<parnest::Smc>(problem.model, {.n_eff_per_step = 200, .n_active = 100}, pool,
                            checkpoint);
  } catch (const parnest::Error& e) {
    std::printf("error %s\n", e.what());
    return 2;
  }
  std::printf("fingerprint %016llx\n", static_cast<unsigned long long>(fingerprint(r)));
  return 0;
}

struct Outcome {
  int pid = 0;
  bool killed = false;
  int exit_code = 0;
  std::string output;
};

// Runs this program as a child; kills it with SIGKILL after `kill_after` seconds unless it
// ended first (kill_after < 0: never).
Outcome spawn(const std::vector<std::string>& args, double kill_after) {
  int out[2];
  if (::pipe(out) != 0) std::exit(3);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv("/proc/self/exe", argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  const auto start = Clock::now();
  int status = 0;
  bool killed = false;
  for (;;) {
    const pid_t got = ::waitpid(pid, &status, WNOHANG);
    if (got == pid) break;
    if (!killed && kill_after >= 0 &&
        std::chrono::duration<double>(Clock::now() - start).count() >= kill_after) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  Outcome o;
  o.pid = pid;
  char buffer[4096];
  for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;) o.output.append(buffer, n);
  ::close(out[0]);
  o.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

// Processes still running this program, other than this one: orphaned workers.
std::size_t strays() {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (std::atoi(name.c_str()) == ::getpid()) continue;
    std::error_code error;
    const auto exe = std::filesystem::read_symlink(entry.path() / "exe", error);
    if (!error && exe.string() == self) ++n;
  }
  return n;
}

// Resumes each checkpoint a killed run left, without a kill, and names the first whose
// completion differs from the uninterrupted run: the state that was saved or restored wrongly.
// Copies of the checkpoints stay in /tmp/parnest-soak-mismatch for debugging.
void report_mismatch(const char* backend, const char* pool, const std::string& checkpoint,
                     const std::vector<double>& delays, const std::string& expected) {
  const std::filesystem::path keep = "/tmp/parnest-soak-mismatch";
  std::filesystem::create_directories(keep);
  std::fprintf(stderr, "%s/%s: MISMATCH after %zu kills; replaying their checkpoints\n", backend,
               pool, delays.size());
  for (std::size_t k = 0; k < delays.size(); ++k) {
    const std::string saved = checkpoint + ".kill-" + std::to_string(k);
    if (!std::filesystem::exists(saved)) {
      std::fprintf(stderr, "  kill %zu at %.3f s: no checkpoint yet\n", k, delays[k]);
      continue;
    }
    const std::string copy = (keep / ("kill-" + std::to_string(k) + ".ckpt")).string();
    std::filesystem::copy_file(saved, copy, std::filesystem::copy_options::overwrite_existing);
    const std::string replay = copy + ".replay";
    std::filesystem::copy_file(saved, replay, std::filesystem::copy_options::overwrite_existing);
    const Outcome o = spawn({"soak", "--run", backend, pool, replay}, -1);
    std::fprintf(stderr, "  kill %zu at %.3f s: resumed from %s -> %s", k, delays[k], copy.c_str(),
                 o.output == expected ? "identical\n" : ("DIFFERS: " + o.output).c_str());
  }
}

std::size_t temporaries(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    n += entry.path().filename().string().find(".tmp-") != std::string::npos ? 1 : 0;
  return n;
}
}  // namespace

int main(int argc, char* argv[]) {
  if (argc == 5 && std::string(argv[1]) == "--run") return child(argv[2], argv[3], argv[4]);
  const int kills_wanted = argc > 1 ? std::atoi(argv[1]) : 50;
  std::mt19937_64 rng(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1);
  const auto dir =
      std::filesystem::temp_directory_path() / ("parnest-soak-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::printf("%d SIGKILLs per backend and pool, checkpoint after every iteration\n\n",
              kills_wanted);
  std::printf(
      "| backend | pool | uninterrupted s | kills | kills inside a write | finished runs "
      "| restarts after a kill | mismatches | refused | .tmp left | stray processes |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  bool all_good = true;
  const std::pair<const char*, const char*> cases[] = {
      {"sequential", "serial"}, {"sequential", "processes"}, {"batch", "serial"},
      {"batch", "processes"},   {"smc", "serial"},           {"smc", "processes"}};
  const std::string only = argc > 3 ? argv[3] : "";  // "batch/serial", say: one case
  for (const auto& [backend, pool] : cases) {
    if (!only.empty() && only != std::string(backend) + "/" + pool) continue;
    const std::string checkpoint = (dir / (std::string(backend) + "-" + pool + ".ckpt")).string();
    const auto t0 = Clock::now();
    const Outcome reference = spawn({"soak", "--run", backend, pool, checkpoint}, -1);
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    std::filesystem::remove(checkpoint);
    std::filesystem::remove(checkpoint + ".prev");
    if (reference.exit_code != 0) {
      std::printf("| %s | %s | reference run failed: %s |\n", backend, pool,
                  reference.output.c_str());
      all_good = false;
      continue;
    }
    // Kill times uniform in [0, 40 %] of a whole run: several kills land in each run, at
    // start-up, while resuming, while sampling and while writing.
    std::uniform_real_distribution<double> delay(0.0, 0.4 * seconds);
    int kills = 0, finished = 0, resumes = 0, mismatches = 0, refused = 0, torn = 0;
    bool resuming = false;
    std::vector<double> chain_delays;  // the kill times of the current run, for a report
    while (kills < kills_wanted || resuming) {
      const double after = kills < kills_wanted ? delay(rng) : -1.0;
      const Outcome o = spawn({"soak", "--run", backend, pool, checkpoint}, after);
      resumes += resuming ? 1 : 0;
      if (o.killed) {
        ++kills;
        // Killed inside a write: its temporary is there, for the next run to remove.
        torn += std::filesystem::exists(checkpoint + ".tmp-" + std::to_string(o.pid)) ? 1 : 0;
        resuming = true;
        // What the next run resumes from, kept so that a mismatch can be traced to its state.
        const std::string keep = checkpoint + ".kill-" + std::to_string(chain_delays.size());
        chain_delays.push_back(after);
        std::error_code ignored;
        std::filesystem::copy_file(checkpoint, keep,
                                   std::filesystem::copy_options::overwrite_existing, ignored);
        continue;
      }
      if (o.exit_code != 0) {
        ++refused;
        std::fprintf(stderr, "%s/%s: %s", backend, pool, o.output.c_str());
      } else {
        ++finished;
        if (o.output != reference.output) {
          ++mismatches;
          report_mismatch(backend, pool, checkpoint, chain_delays, reference.output);
        }
      }
      resuming = false;
      for (std::size_t k = 0; k < chain_delays.size(); ++k)
        std::filesystem::remove(checkpoint + ".kill-" + std::to_string(k));
      chain_delays.clear();
      std::filesystem::remove(checkpoint);  // the next run starts afresh
      std::filesystem::remove(checkpoint + ".prev");
    }
    const std::size_t left = temporaries(dir), stray = strays();
    std::printf("| %s | %s | %.2f | %d | %d | %d | %d | %d | %d | %zu | %zu |\n", backend, pool,
                seconds, kills, torn, finished, resumes, mismatches, refused, left, stray);
    std::fflush(stdout);
    all_good = all_good && mismatches == 0 && refused == 0 && left == 0 && stray == 0;
  }
  std::filesystem::remove_all(dir);
  std::printf("\n%s\n", all_good ? "all finished runs identical to the uninterrupted one"
                                 : "FAILED: see the table");
  return all_good ? 0 : 1;
}
