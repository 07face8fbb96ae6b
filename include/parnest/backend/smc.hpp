#pragma once
/// @file backend/smc.hpp
/// Persistent tempered sequential Monte Carlo with a learned preconditioner (pocoMC, Karamanis
/// et al. 2022; persistent sampling, Karamanis & Seljak 2025). Particles move from the prior to
/// the posterior through distributions prior x L^beta; each next beta keeps the effective
/// sample size of all particles so far near n_eff_per_step; every MCMC step of the active
/// particles is one batch through the pool.
///
/// The algorithm is compiled into libparnest (src/smc.cpp); this header declares it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "parnest/detail/run_handle.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/progress.hpp"
#include "parnest/result.hpp"
#include "parnest/sampler.hpp"

namespace parnest {

namespace detail {
class SmcRun;
}  // namespace detail

/// The SMC backend: persistent tempered sequential Monte Carlo, pocoMC-style.
///
/// It works in z = Phi^-1(u), where the prior is the standard normal: unbounded, so that the
/// preconditioner (an affine whitening, then a normalizing flow) and the Crank-Nicolson moves
/// need no boundaries.
class Smc : public detail::RunHandle<detail::SmcRun> {
 public:
  /// Options of the SMC backend; validated when the Sampler is constructed.
  struct Options {
    /// The effective sample size every new temperature keeps among all particles so far:
    /// larger means smaller steps in beta (more iterations) and a more reliable evidence.
    std::size_t n_eff_per_step = 512;
    /// Particles resampled and moved by MCMC per iteration: each MCMC step is one batch of this
    /// many likelihood calls through the pool. At most n_eff_per_step.
    std::size_t n_active = 256;
    /// Once beta = 1, iterations continue until the posterior's effective sample size reaches
    /// this. At least n_eff_per_step.
    double n_eff = 4096;
    /// Precondition the moves with a normalizing flow trained on the weighted particles (on top
    /// of the affine whitening). Off: affine whitening only, which is exact for Gaussian-like
    /// posteriors and saves the training time. Needs 2 or more parameters.
    bool flow = true;
    /// The acceptance rate the Crank-Nicolson step size is adapted towards.
    double target_acceptance = 0.234;
    /// MCMC steps per iteration continue until the correlation between the active particles'
    /// positions before the moves and now (in the latent space, averaged over coordinates)
    /// falls below this: a decorrelation rule, so that a well-fitted preconditioner (long
    /// accepted steps) takes few steps and a poor one more. Too few steps leave the particles
    /// where resampling put them, too concentrated, and bias log Z high (docs/smc.md).
    double max_correlation = 0.1;
    /// The most MCMC steps in one iteration (0: 10 (d + 2)).
    std::size_t max_steps = 0;
    /// After the run, draw this many points from the final preconditioner (a Student-t pushed
    /// through the flow) and report their importance-sampling evidence instead (0: off).
    std::size_t refine_draws = 0;
  };

  /// The backend's name in Result::sampler and the output files.
  static constexpr const char* name = "smc";

  /// @throws ConfigError naming the option, its value and the allowed range.
  static void validate(const Options& o, std::size_t dimension);

  /// The options with their defaults resolved for this dimension, as (name, value) text.
  static std::vector<std::pair<std::string, std::string>> describe(const Options& o,
                                                                   std::size_t dimension);

  // step(), progress(), save(), load(), result(), take_notes() and stop_early() come from
  // detail::RunHandle.

 private:
  // A run of the validated model from `seed`: only Sampler::run makes one.
  Smc(const detail::Problem& problem, const Options& options, std::uint64_t seed);
  template <Backend>
  friend class Sampler;
};

#ifndef PARNEST_HEADER_ONLY
extern template class detail::RunHandle<detail::SmcRun>;
extern template class Sampler<Smc>;
#endif

}  // namespace parnest

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/smc.ipp"
#endif
