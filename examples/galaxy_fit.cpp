// A realistic fit: the light profile of a galaxy in a noisy image. The program makes a synthetic
// image from known parameters (a Sersic profile, blurred by a Moffat PSF, on a flat background,
// plus Gaussian noise of known sigma), fits its 8 parameters with a Gaussian likelihood over all
// pixels, and prints the posterior next to the truth. Each likelihood call renders a whole
// image, about a millisecond at 128 x 128: the kind of model for which parallelism pays.
//
//   build/examples/parnest_example_galaxy_fit                        # smc, threads on all CPUs
//   build/examples/parnest_example_galaxy_fit --ncores 1             # serially
//   build/examples/parnest_example_galaxy_fit batch --ncores 2       # 2 threads, another backend
//   build/examples/parnest_example_galaxy_fit --ncores 2 --processes # 2 forked worker processes
//   mpirun -np 4 build/examples/parnest_example_galaxy_fit           # 4 MPI ranks
//   /usr/bin/python3 tools/plot_run.py out/galaxy_smc                # a corner plot of the run
//
// Arguments: [smc|batch|sequential] [--size N] [--ncores n] [--processes] [--seed s]
// [--out root] [--checkpoint file] [--check]. The image noise never changes (its seed is
// fixed); --seed seeds the sampler, and the same seed gives the same result to the last digit
// on every pool: compare the "galaxy:" lines. --checkpoint makes the run resumable: SIGTERM (a
// scheduler's time limit) or Ctrl-C writes it and exits with 3, and the same command resumes.
// --check exits with 1 if a posterior mean lies more than 3.5 standard deviations from the
// truth. Bad arguments exit with 2, a failed run with 4.
#include <parnest/parnest.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <numbers>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr double kSigma = 1.0;              // noise per pixel, known
constexpr std::uint64_t kNoiseSeed = 2026;  // fixed: the data never change
constexpr int kPsfHalf = 5;                 // an 11 x 11 PSF kernel
constexpr double kPsfFwhm = 2.5, kPsfBeta = 3.0;
constexpr int kLanes = 4;  // image rows are padded to a multiple of this (see add_scaled_row)

// ---------------------------------------------------------------------------------------------
// The forward model

// Lengths in pixels; pixel (row i, column j) has its centre at (x, y) = (j, i).
struct Galaxy {
  double x0, y0, r_e, n, ellipticity, pa, log10_ie, background;
};

struct Parameter {
  std::string name;
  double truth;
  parnest::Distribution prior;
};

// The 8 parameters with their true values and priors; c is the centre of a size x size image.
std::vector<Parameter> parameters(int size) {
  const double c = 0.5 * (size - 1);
  return {{"x0", c + 0.37, parnest::uniform(c - 3, c + 3)},
          {"y0", c - 0.81, parnest::uniform(c - 3, c + 3)},
          {"r_e", 5.0, parnest::log_uniform(1, 20)},
          {"n", 2.2, parnest::uniform(0.5, 6)},
          {"ellipticity", 0.35, parnest::uniform(0, 0.8)},
          {"pa", 0.7, parnest::uniform(0, std::numbers::pi)},
          {"log10_ie", std::log10(8.0), parnest::uniform(-1, 3)},
          {"background", 0.5, parnest::uniform(-2, 2)}};
}

// The galaxy of a parameter vector in the order of parameters().
Galaxy galaxy(std::span<const double> p) {
  return {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]};
}

// b_n such that r_e holds half the light (Ciotti & Bertin 1999, asymptotic series).
double sersic_b(double n) {
  return 2 * n - 1.0 / 3 + 4 / (405 * n) + 46 / (25515 * n * n) + 131 / (1148175 * n * n * n) -
         2194697 / (30690717750 * n * n * n * n);
}

// The Sersic surface brightness I_e exp(-b_n ((r/r_e)^(1/n) - 1)) at the centres of a
// rows x cols grid (row-major) whose first pixel centre is at (origin, origin) in image
// coordinates. Sampled at pixel centres rather than integrated over pixels: the data are made
// by the same rule, so the fit is self-consistent.
void sersic_grid(const Galaxy& g, double origin, int rows, int cols, std::span<double> out) {
  const double cos_pa = std::cos(g.pa), sin_pa = std::sin(g.pa), q = 1 - g.ellipticity;
  const double i_e = std::pow(10.0, g.log10_ie), b = sersic_b(g.n);
  const double inv_re2 = 1 / (g.r_e * g.r_e), exponent = 0.5 / g.n;  // r^2 to (r/r_e)^(1/n)
  for (int i = 0; i < rows; ++i) {
    const double dy = origin + i - g.y0;
    double* row = out.data() + static_cast<std::ptrdiff_t>(i) * cols;
    for (int j = 0; j < cols; ++j) {
      const double dx = origin + j - g.x0;
      // Rotated by -pa, the major axis lies along x; the minor axis is stretched by 1/q.
      const double x = dx * cos_pa + dy * sin_pa, y = (dy * cos_pa - dx * sin_pa) / q;
      row[j] = i_e * std::exp(-b * (std::pow((x * x + y * y) * inv_re2, exponent) - 1));
    }
  }
}

// A circular Moffat PSF (1 + (r/alpha)^2)^-beta of the given FWHM, sampled at the pixel
// centres of a (2 half + 1)^2 kernel and normalised to sum 1, so that it conserves flux.
std::vector<double> moffat_kernel(int half, double fwhm, double beta) {
  const double alpha = fwhm / (2 * std::sqrt(std::pow(2.0, 1 / beta) - 1));
  std::vector<double> kernel;
  for (int i = -half; i <= half; ++i)
    for (int j = -half; j <= half; ++j)
      kernel.push_back(std::pow(1 + (i * i + j * j) / (alpha * alpha), -beta));
  double sum = 0;
  for (double k : kernel) sum += k;
  for (double& k : kernel) k /= sum;
  return kernel;
}

// dst += w src over `width` values, a multiple of kLanes. g++ -O2 vectorises a loop only if it
// needs neither a scalar tail nor a run-time overlap check: blocks of kLanes show it that no
// tail is needed, and __restrict that the rows do not overlap.
void add_scaled_row(double* __restrict dst, const double* __restrict src, double w, int width) {
  for (int x = 0; x < width; x += kLanes)
    for (int lane = 0; lane < kLanes; ++lane) dst[x + lane] += w * src[x + lane];
}

// The "valid" convolution of `in` (rows + 2 half rows of stride + 2 half values) with a
// symmetric kernel, into `out` (rows rows of `stride` values, a multiple of kLanes). Each
// kernel weight adds a shifted input row to an output row: contiguous rows, vectorised.
void convolve_valid(std::span<const double> in, std::span<const double> kernel, int half, int rows,
                    int stride, std::span<double> out) {
  const int width = 2 * half + 1, in_stride = stride + 2 * half;
  for (int y = 0; y < rows; ++y) {
    double* dst = out.data() + static_cast<std::ptrdiff_t>(y) * stride;
    std::fill_n(dst, stride, 0.0);
    for (int ky = 0; ky < width; ++ky)
      for (int kx = 0; kx < width; ++kx)
        add_scaled_row(dst, in.data() + static_cast<std::ptrdiff_t>(y + ky) * in_stride + kx,
                       kernel[ky * width + kx], stride);
  }
}

// A size x size image of a galaxy: the Sersic profile on a grid padded by the PSF's half width
// on each side, convolved with the PSF down to the image, plus the background. Images are
// row-major with rows of stride() values: size() rounded up to a multiple of kLanes, the extra
// columns computed and ignored.
class ImageModel {
 public:
  explicit ImageModel(int size)
      : size_(size),
        stride_((size + kLanes - 1) / kLanes * kLanes),
        psf_(moffat_kernel(kPsfHalf, kPsfFwhm, kPsfBeta)) {}

  int size() const { return size_; }
  int stride() const { return stride_; }

  // Renders `g` into `image`, with `padded` as scratch; both are resized as needed.
  void render(const Galaxy& g, std::vector<double>& padded, std::vector<double>& image) const {
    const int rows = size_ + 2 * kPsfHalf, cols = stride_ + 2 * kPsfHalf;
    padded.resize(static_cast<std::size_t>(rows) * cols);
    image.resize(static_cast<std::size_t>(size_) * stride_);
    sersic_grid(g, -kPsfHalf, rows, cols, padded);
    convolve_valid(padded, psf_, kPsfHalf, size_, stride_, image);
    for (double& v : image) v += g.background;
  }

 private:
  int size_, stride_;
  std::vector<double> psf_;
};

// Sum of squared residuals over the image's size x size pixels.
double chi2(const ImageModel& image, std::span<const double> data, std::span<const double> model) {
  double sum = 0;
  for (int y = 0; y < image.size(); ++y)
    for (int x = 0; x < image.size(); ++x) {
      const std::size_t i = static_cast<std::size_t>(y) * image.stride() + x;
      sum += (data[i] - model[i]) * (data[i] - model[i]);
    }
  return sum / (kSigma * kSigma);
}

// Gaussian noise of known sigma on every pixel.
double log_likelihood(const ImageModel& image, std::span<const double> data,
                      std::span<const double> model) {
  const double pixels = static_cast<double>(image.size()) * image.size();
  return -0.5 * chi2(image, data, model) -
         pixels * std::log(kSigma * std::sqrt(2 * std::numbers::pi));
}

// The observed image: the model at the truth plus noise. The noise stream has a fixed seed, so
// the data are the same on every run and every rank.
std::vector<double> simulate(const ImageModel& image, const Galaxy& truth) {
  std::vector<double> padded, data;
  image.render(truth, padded, data);
  parnest::RandomStream noise(kNoiseSeed, parnest::StreamPurpose::user, 0, 0);
  for (int y = 0; y < image.size(); ++y)
    for (int x = 0; x < image.size(); ++x)
      data[static_cast<std::size_t>(y) * image.stride() + x] += kSigma * noise.normal();
  return data;
}

// ---------------------------------------------------------------------------------------------
// The program

struct Arguments {
  std::string backend = "smc";  // the fewest calls on this problem (see fit())
  int size = 128;
  std::optional<int> ncores;  // unset: parnest's default (all usable CPUs, or the MPI ranks)
  bool processes = false;
  std::uint64_t seed = 1;
  std::string out;  // default out/galaxy_<backend>
  std::string checkpoint;
  bool check = false;
};

constexpr const char* kUsage =
    "usage: parnest_example_galaxy_fit [smc|batch|sequential] [--size N] [--ncores n]\n"
    "       [--processes] [--seed s] [--out root] [--checkpoint file] [--check]\n";

template <class T>
T parse_number(std::string_view option, const char* text, T low, T high) {
  T value{};
  const char* end = text + std::strlen(text);
  const auto [stop, error] = std::from_chars(text, end, value);
  if (error != std::errc() || stop != end || value < low || value > high)
    throw std::invalid_argument(std::string(option) + " needs a number from " +
                                std::to_string(low) + " to " + std::to_string(high) + ", not \"" +
                                text + "\"");
  return value;
}

// @throws std::invalid_argument saying what is wrong.
Arguments parse_arguments(int argc, char** argv) {
  Arguments a;
  bool backend_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 == argc) throw std::invalid_argument(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "--size") {
      a.size = parse_number(arg, value(), 8, 4096);
    } else if (arg == "--ncores") {
      a.ncores = parse_number(arg, value(), 1, 4096);
    } else if (arg == "--seed") {
      a.seed = parse_number<std::uint64_t>(arg, value(), 0, UINT64_MAX);
    } else if (arg == "--out") {
      a.out = value();
    } else if (arg == "--checkpoint") {
      a.checkpoint = value();
    } else if (arg == "--processes") {
      a.processes = true;
    } else if (arg == "--check") {
      a.check = true;
    } else if (!backend_given && (arg == "batch" || arg == "sequential" || arg == "smc")) {
      a.backend = arg;
      backend_given = true;
    } else {
      throw std::invalid_argument("unexpected argument \"" + std::string(arg) + "\"");
    }
  }
  if (a.processes && parnest::detect_environment().size > 1)
    throw std::invalid_argument("--processes: under mpirun the ranks are the processes");
  if (a.out.empty()) a.out = "out/galaxy_" + a.backend;
  return a;
}

// Threads by default (the likelihood is thread-safe); with --processes, forked workers.
parnest::RunOptions run_options(const Arguments& a) {
  parnest::RunOptions run{.seed = a.seed, .checkpoint = a.checkpoint};
  if (a.processes)
    run.pool = std::make_shared<parnest::ProcessPool>(
        parnest::ProcessPool::Options{.workers = static_cast<std::size_t>(a.ncores.value_or(0))});
  else
    run.ncores = a.ncores;
  return run;
}

template <class Backend>
parnest::Result fit(const parnest::Model& model, typename Backend::Options options,
                    const parnest::RunOptions& run) {
  parnest::Sampler<Backend> sampler(model, options);
  return sampler.run(run);
}

parnest::Result fit(const std::string& backend, int size, const parnest::Model& model,
                    const parnest::RunOptions& run) {
  // Measured at --size 32, serially, unless said. The data shrink the prior by H = 29 nats,
  // and r_e, n, log10_ie and the background are strongly correlated (|r| = 0.77 to 0.98).
  // Sequential: 200 live points give log Z to +-0.4 in 400k calls (57 per new point); 400, the
  // usual choice, gave +-0.27 but took 820k calls and twice the time.
  // Batch: from 64 x 64 up, networks = 4, whose bounds follow the correlated ridge that its
  // ellipsoids alone follow slowly. At 128 x 128 (0.85 ms a call), seed 1001: 95k calls and
  // 127 s serially, against 336k calls, 300 s of likelihood alone, with the defaults (nearly all
  // in the exploration). Training the networks costs about 0.5 ms per call there, so at 32 x 32
  // (0.07 ms a call) they took 64 s of CPU for 96k calls where the defaults take 25 s for 318k.
  // Smc: its defaults; 110k calls at 32 x 32.
  if (backend == "sequential") return fit<parnest::Sequential>(model, {.n_live = 200}, run);
  if (backend == "batch")
    return fit<parnest::Batch>(model, {.networks = size >= 64 ? std::size_t{4} : 0}, run);
  return fit<parnest::Smc>(model, {}, run);
}

// The model: the priors of parameters(), and the likelihood of `data` given the image of the
// galaxy. `image` and `data` must outlive it.
parnest::Model make_model(const std::vector<Parameter>& params, const ImageModel& image,
                          const std::vector<double>& data) {
  parnest::Priors priors;
  for (const Parameter& p : params) priors.add(p.name, p.prior);
  parnest::Model model;
  model.names = priors.names();
  model.prior = priors;
  model.log_likelihood = [&image, &data](std::span<const double> theta) {
    // Scratch per thread: no shared mutable state, so the model is thread-safe (the default
    // thread_safe = true), and no allocation per call.
    thread_local std::vector<double> padded, rendered;
    image.render(galaxy(theta), padded, rendered);
    return log_likelihood(image, data, rendered);
  };
  return model;
}

// Milliseconds per likelihood call at theta: the fastest of 4 rounds of 50 calls, the round
// least disturbed by other programs on a shared machine.
double ms_per_call(const parnest::LogLikelihood& log_l, std::span<const double> theta) {
  volatile double sink = log_l(theta);  // a first call allocates the scratch images
  double fastest = std::numeric_limits<double>::infinity();
  for (int round = 0; round < 4; ++round) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 50; ++i) sink = log_l(theta);
    const std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - start;
    fastest = std::min(fastest, ms.count() / 50);
  }
  (void)sink;
  return fastest;
}

// (posterior mean - truth) / posterior sd, per parameter.
std::vector<double> pulls(const parnest::Result& result, const std::vector<Parameter>& params) {
  const Eigen::VectorXd mean = result.mean(), sd = result.stddev();
  std::vector<double> out;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    out.push_back((mean[k] - params[i].truth) / sd[k]);
  }
  return out;
}

// One line that tests can compare across pools, then the posterior against the truth.
void print_result(const Arguments& a, const parnest::Result& result,
                  const std::vector<Parameter>& params, double ms) {
  std::printf("galaxy: N=%d backend=%s pool=%s calls=%zu wall=%.2f s ms/call=%.3f ", a.size,
              a.backend.c_str(), result.pool.c_str(), result.n_like, result.wall_seconds, ms);
  std::printf("log Z = %.6f +- %.6f\n", result.log_z, result.log_z_err);
  const Eigen::VectorXd mean = result.mean(), sd = result.stddev();
  const std::vector<double> pull = pulls(result, params);
  std::printf("%-12s %12s %12s %10s %7s\n", "parameter", "truth", "mean", "sd", "pull");
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    std::printf("%-12s %12.5f %12.5f %10.5f %7.2f\n", params[i].name.c_str(), params[i].truth,
                mean[k], sd[k], pull[i]);
  }
}

// --check: whether every posterior mean lies within 3.5 sd of the truth (the chance that one
// of 8 well-calibrated ones does not is about 0.4 %). Says which do not, on the root process.
bool within_errors(const parnest::Result& result, const std::vector<Parameter>& params) {
  const std::vector<double> pull = pulls(result, params);
  bool ok = true;
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (std::abs(pull[i]) <= 3.5) continue;  // NaN fails too
    ok = false;
    if (parnest::is_root())
      std::printf("check failed: %s is %.2f standard deviations from the truth (limit 3.5)\n",
                  params[i].name.c_str(), pull[i]);
  }
  if (ok && parnest::is_root()) std::printf("check passed: every |pull| <= 3.5\n");
  return ok;
}

int run(const Arguments& a) {
  const std::vector<Parameter> params = parameters(a.size);
  std::vector<double> truth;
  for (const Parameter& p : params) truth.push_back(p.truth);
  const ImageModel image(a.size);
  const std::vector<double> data = simulate(image, galaxy(truth));
  const parnest::Model model = make_model(params, image, data);

  // Timed before the run, so that the first line says what to expect.
  double ms = 0;
  if (parnest::is_root()) {
    ms = ms_per_call(model.log_likelihood, truth);
    std::vector<double> padded, at_truth;
    image.render(galaxy(truth), padded, at_truth);
    std::printf("data: %d x %d pixels, chi2 at the truth %.1f, %.3f ms per likelihood call\n",
                a.size, a.size, chi2(image, data, at_truth), ms);
    std::fflush(stdout);
  }

  const parnest::Result result = fit(a.backend, a.size, model, run_options(a));
  if (parnest::is_root()) print_result(a, result, params, ms);
  parnest::write(result, a.out);  // on rank 0 only
  if (parnest::is_root()) {
    const char* births = result.log_likelihood_births.size() > 0 ? "_dead-birth.txt," : "";
    std::printf("wrote %s{.csv,_equal_weights.csv,.txt,.paramnames,%s_summary.json}\n",
                a.out.c_str(), births);
    std::printf("plot: /usr/bin/python3 tools/plot_run.py %s\n", a.out.c_str());
  }
  // Every rank has the same Result, so every rank returns the same code.
  return a.check && !within_errors(result, params) ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments arguments;
  try {
    arguments = parse_arguments(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "parnest_example_galaxy_fit: %s\n%s", e.what(), kUsage);
    return 2;
  }
  try {
    return run(arguments);
  } catch (const parnest::Interrupted& stopped) {
    std::fprintf(stderr, "parnest_example_galaxy_fit: %s\n", stopped.what());
    return 3;  // a job script can requeue itself on this code: the same command resumes
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parnest_example_galaxy_fit: %s\n", e.what());
    return 4;
  }
}
