#pragma once
// The task that trains the emulator's networks through the pool, one network per row, and how
// a worker process or MPI rank rebuilds it (neural/emulator.hpp uses it).

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "parnest/detail/flat.hpp"
#include "parnest/detail/rebuilt_task.hpp"
#include "parnest/neural/mlp.hpp"
#include "parnest/neural/training.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/rng.hpp"

namespace parnest::detail::neural {

namespace emulator_impl {

using parnest::detail::FlatReader;
using parnest::detail::FlatWriter;

// Hidden layer widths: small enough to train on a few thousand points in a fraction of a
// second, wide enough for the shapes of the reference problems (docs/batch.md).
inline std::vector<std::size_t> layer_widths(std::size_t d) {
  return {d, 32, 16, 1};
}

// Trains network number `in[0]` on fixed data: input row [network], output row its parameters.
class TrainTask final : public Task {
 public:
  // x: inputs x points (normalised); y: target scores; seed and stream: the networks' streams.
  TrainTask(const void* anchor, std::uint64_t anchor_id, const Eigen::MatrixXd& x,
            const Eigen::RowVectorXd& y, std::uint64_t seed, std::uint64_t stream)
      : anchor_(anchor), anchor_id_(anchor_id), x_(x), y_(y), seed_(seed), stream_(stream) {}

  std::size_t output_width() const {
    return Mlp(layer_widths(static_cast<std::size_t>(x_.rows()))).parameter_count();
  }

  void run(std::span<const double> in, std::span<double> out) const override {
    RandomStream rng(seed_, StreamPurpose::network, stream_, static_cast<std::uint32_t>(in[0]));
    Mlp net(layer_widths(static_cast<std::size_t>(x_.rows())), rng);
    net.train(x_, y_, Training{}, rng);
    net.write_parameters(out);
  }

  TaskRecipe recipe() const override {
    (void)registered;
    TaskRecipe recipe{&rebuild, anchor_, anchor_id_, {}, kind};
    FlatWriter out(recipe.context);
    context(out, seed_, stream_, x_, y_);
    return recipe;
  }

  std::string describe_row(std::span<const double> in) const override {
    return "training network " + std::to_string(static_cast<std::size_t>(in[0])) +
           " of the likelihood emulator on " + std::to_string(x_.cols()) + " points";
  }

 private:
  static std::unique_ptr<Task> rebuild(const void* anchor, std::span<const double> context);
  static constexpr const char* kind = "parnest::Batch/train";
  static const bool registered;

  // The context's fields: written from this task's references, read into a rebuilt task's
  // own copy (Owned: the training data the original referred to).
  template <class Archive, class N, class X, class Y>
  static void context(Archive& ar, N& seed, N& stream, X& x, Y& y) {
    ar.bits(seed);
    ar.bits(stream);
    ar.sized(x);
    ar.sized(y);
  }
  struct Owned {
    std::uint64_t seed = 0, stream = 0;
    Eigen::MatrixXd x;
    Eigen::RowVectorXd y;
    template <class Archive, class Self>
    static void serialize(Archive& ar, Self& o) {
      context(ar, o.seed, o.stream, o.x, o.y);
    }
  };

  const void* anchor_;
  std::uint64_t anchor_id_;
  const Eigen::MatrixXd& x_;
  const Eigen::RowVectorXd& y_;
  std::uint64_t seed_, stream_;
};

inline std::unique_ptr<Task> TrainTask::rebuild(const void* anchor,
                                                std::span<const double> context) {
  FlatReader in(context, "the emulator training task's context");
  return std::make_unique<RebuiltTask<Owned, TrainTask>>(
      in, [&](const Owned& o) { return TrainTask(anchor, 0, o.x, o.y, o.seed, o.stream); });
}

inline const bool TrainTask::registered = register_task_kind(kind, &rebuild);

}  // namespace emulator_impl

}  // namespace parnest::detail::neural
