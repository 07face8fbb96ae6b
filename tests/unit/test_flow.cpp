// The coupling flow must be exactly invertible with a correct log-determinant, its hand-written
// gradient must match finite differences, and weighted training must learn a curved density
// reproducibly.
#include <catch2/catch.hpp>

#include <parnest/neural/flow.hpp>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include <Eigen/LU>

using parnest::RandomStream;
using parnest::RowMatrix;
using parnest::StreamPurpose;
using parnest::detail::neural::CouplingFlow;
using parnest::detail::neural::Training;

namespace {

RowMatrix normal_rows(Eigen::Index n, Eigen::Index d, RandomStream& rng) {
  RowMatrix x(n, d);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.normal();
  return x;
}

// x1 ~ N(shift, 1), x2 = x1^2 + 0.3 N(0, 1): a curved density no affine map makes normal.
RowMatrix banana(Eigen::Index n, RandomStream& rng, double shift = 0.0) {
  RowMatrix x(n, 2);
  for (Eigen::Index i = 0; i < n; ++i) {
    x(i, 0) = shift + rng.normal();
    x(i, 1) = x(i, 0) * x(i, 0) + 0.3 * rng.normal();
  }
  return x;
}

// A flow whose every parameter is nonzero, so that no layer is the identity.
CouplingFlow random_flow(std::size_t d, std::size_t layers, std::size_t hidden, double scale,
                         std::uint64_t seed) {
  RandomStream rng(seed, StreamPurpose::user, 0, 0);
  CouplingFlow flow(d, layers, hidden, rng);
  std::vector<double> theta(flow.parameter_count());
  for (double& t : theta) t = scale * rng.normal();
  flow.read_parameters(theta);
  return flow;
}

Eigen::VectorXd log_q(const CouplingFlow& flow, const RowMatrix& x) {
  RowMatrix eta;
  Eigen::VectorXd log_det;
  flow.forward(x, eta, log_det);
  const double log_norm = 0.5 * static_cast<double>(x.cols()) * std::log(2 * std::numbers::pi);
  return (log_det.array() - 0.5 * eta.rowwise().squaredNorm().array() - log_norm).matrix();
}

std::vector<double> parameters(const CouplingFlow& flow) {
  std::vector<double> theta(flow.parameter_count());
  flow.write_parameters(theta);
  return theta;
}

}  // namespace

TEST_CASE("a new coupling flow is exactly the identity", "[flow]") {
  RandomStream rng(1, StreamPurpose::user, 0, 0);
  const RowMatrix x = normal_rows(50, 5, rng);
  RowMatrix eta, back;
  Eigen::VectorXd log_det, inverse_log_det;

  const CouplingFlow none;
  CHECK(none.empty());
  CHECK(none.dimension() == 0);
  none.forward(x, eta, log_det);
  CHECK(eta == x);
  CHECK(log_det == Eigen::VectorXd::Zero(50));

  const CouplingFlow flow(5, 3, 8, rng);
  CHECK_FALSE(flow.empty());
  CHECK(flow.dimension() == 5);
  flow.forward(x, eta, log_det);
  CHECK(eta == x);
  CHECK(log_det == Eigen::VectorXd::Zero(50));
  flow.inverse(x, back, inverse_log_det);
  CHECK(back == x);
  CHECK(inverse_log_det == Eigen::VectorXd::Zero(50));
}

TEST_CASE("inverse undoes forward and negates its log-determinant", "[flow]") {
  for (std::size_t d : {2, 3, 4, 7}) {
    CAPTURE(d);
    const CouplingFlow flow = random_flow(d, 4, 10, 0.5, d);
    RandomStream rng(2, StreamPurpose::user, d, 0);
    const RowMatrix x = 2.0 * normal_rows(200, static_cast<Eigen::Index>(d), rng);
    RowMatrix eta, back;
    Eigen::VectorXd log_det, inverse_log_det;
    flow.forward(x, eta, log_det);
    flow.inverse(eta, back, inverse_log_det);
    CHECK((eta - x).cwiseAbs().maxCoeff() > 0.1);  // the flow is far from the identity
    CHECK(log_det.cwiseAbs().maxCoeff() > 0.1);
    CHECK((back - x).cwiseAbs().maxCoeff() < 1e-10);
    CHECK((inverse_log_det + log_det).cwiseAbs().maxCoeff() < 1e-10);
  }
}

TEST_CASE("the log-determinant matches a finite-difference Jacobian", "[flow]") {
  for (std::size_t d : {3, 4}) {
    CAPTURE(d);
    const CouplingFlow flow = random_flow(d, 4, 8, 0.5, 10 + d);
    RandomStream rng(3, StreamPurpose::user, d, 0);
    const auto n = static_cast<Eigen::Index>(d);
    const RowMatrix x = normal_rows(5, n, rng);
    RowMatrix eta, plus, minus;
    Eigen::VectorXd log_det, unused;
    flow.forward(x, eta, log_det);
    constexpr double h = 1e-6;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      Eigen::MatrixXd jacobian(n, n);
      for (Eigen::Index j = 0; j < n; ++j) {
        RowMatrix up = x.row(i), down = x.row(i);
        up(0, j) += h;
        down(0, j) -= h;
        flow.forward(up, plus, unused);
        flow.forward(down, minus, unused);
        jacobian.col(j) = (plus - minus).transpose() / (2 * h);
      }
      CHECK(std::log(std::abs(jacobian.determinant())) == Approx(log_det[i]).margin(1e-6));
    }
  }
}

TEST_CASE("the analytic gradient of the weighted loss matches finite differences", "[flow]") {
  for (std::size_t d : {3, 4}) {
    CAPTURE(d);
    CouplingFlow flow = random_flow(d, 3, 6, 0.5, 20 + d);
    RandomStream rng(4, StreamPurpose::user, d, 0);
    const RowMatrix x = 1.5 * normal_rows(40, static_cast<Eigen::Index>(d), rng);
    Eigen::VectorXd w(40);
    for (Eigen::Index i = 0; i < w.size(); ++i) w[i] = i % 5 == 0 ? 0.0 : rng.uniform();

    std::vector<double> gradient(flow.parameter_count()), unused(flow.parameter_count());
    const double loss = flow.loss_and_gradient(x, w, gradient);
    CHECK(loss == Approx(-log_q(flow, x).dot(w) / w.sum()).epsilon(1e-12));

    std::vector<double> theta = parameters(flow);
    constexpr double h = 1e-6;
    double worst = 0, largest = 0;
    for (std::size_t k = 0; k < theta.size(); ++k) {
      const double saved = theta[k];
      theta[k] = saved + h;
      flow.read_parameters(theta);
      const double up = flow.loss_and_gradient(x, w, unused);
      theta[k] = saved - h;
      flow.read_parameters(theta);
      const double down = flow.loss_and_gradient(x, w, unused);
      theta[k] = saved;
      const double numeric = (up - down) / (2 * h);
      worst = std::max(worst, std::abs(numeric - gradient[k]) / std::max(1.0, std::abs(numeric)));
      largest = std::max(largest, std::abs(gradient[k]));
    }
    CHECK(largest > 0.1);  // the check is not vacuous
    CHECK(worst < 1e-6);
  }
}

TEST_CASE("training learns a banana and weights tilt what it learns", "[flow]") {
  RandomStream data(5, StreamPurpose::user, 0, 0);
  const RowMatrix x = banana(4000, data);
  const Eigen::VectorXd ones = Eigen::VectorXd::Ones(x.rows());

  // A larger rate and smaller batches than the defaults: the same fit in half the epochs.
  const Training training{.max_epochs = 200, .batch_size = 128, .learning_rate = 3e-3};
  RandomStream rng(6, StreamPurpose::user, 0, 0);
  CouplingFlow flow(2, 4, 32, rng);
  const double identity_loss = -log_q(flow, x).mean();
  const double loss = flow.train(x, ones, training, rng);
  CHECK(identity_loss > 3.5);         // 0.5 (1 + E x2^2) + log(2 pi) = 3.88
  CHECK(loss < identity_loss - 1.5);  // the banana's entropy is 1.63

  RowMatrix eta;
  Eigen::VectorXd log_det;
  flow.forward(x, eta, log_det);
  const Eigen::RowVectorXd mean = eta.colwise().mean();
  const RowMatrix centred = eta.rowwise() - mean;
  const Eigen::MatrixXd covariance =
      centred.transpose() * centred / static_cast<double>(x.rows() - 1);
  CAPTURE(mean, covariance);
  CHECK(mean.cwiseAbs().maxCoeff() < 0.1);
  CHECK((covariance - Eigen::MatrixXd::Identity(2, 2)).cwiseAbs().maxCoeff() < 0.15);

  // Weights exp(x1) turn the sample into draws of the banana with x1 ~ N(1, 1).
  const Eigen::VectorXd tilt = x.col(0).array().exp();
  RandomStream rng_u(7, StreamPurpose::user, 0, 0), rng_w(7, StreamPurpose::user, 0, 0);
  CouplingFlow unweighted(2, 4, 32, rng_u), weighted(2, 4, 32, rng_w);
  unweighted.train(x, ones, training, rng_u);
  weighted.train(x, tilt, training, rng_w);
  RandomStream fresh(8, StreamPurpose::user, 0, 0);
  const RowMatrix tilted = banana(4000, fresh, 1.0);
  const double loss_unweighted = -log_q(unweighted, tilted).mean();
  const double loss_weighted = -log_q(weighted, tilted).mean();
  CAPTURE(loss_unweighted, loss_weighted);
  CHECK(loss_weighted < loss_unweighted - 0.2);  // KL(N(1, 1) || N(0, 1)) = 0.5
}

TEST_CASE("rows with zero weight do not change training", "[flow]") {
  RandomStream data(9, StreamPurpose::user, 0, 0);
  const RowMatrix x = banana(500, data);
  RowMatrix padded(600, 2);
  padded << x, RowMatrix::Constant(100, 2, std::numeric_limits<double>::infinity());
  Eigen::VectorXd w = Eigen::VectorXd::Ones(600);
  w.tail(100).setZero();

  const Training training{.max_epochs = 15, .learning_rate = 1e-3};
  RandomStream rng_a(10, StreamPurpose::user, 0, 0), rng_b(10, StreamPurpose::user, 0, 0);
  CouplingFlow a(2, 3, 16, rng_a), b(2, 3, 16, rng_b);
  const double loss_a = a.train(x, Eigen::VectorXd::Ones(500), training, rng_a);
  const double loss_b = b.train(padded, w, training, rng_b);
  CHECK(loss_a == loss_b);
  CHECK(parameters(a) == parameters(b));
}

TEST_CASE("training is reproducible and save then load is exact", "[flow]") {
  RandomStream data(11, StreamPurpose::user, 0, 0);
  RowMatrix x = normal_rows(800, 3, data);
  x.col(2) += x.col(0).cwiseAbs2();
  Eigen::VectorXd w(800);
  for (Eigen::Index i = 0; i < w.size(); ++i) w[i] = data.uniform();

  const Training training{.max_epochs = 20, .batch_size = 100, .learning_rate = 1e-3};
  RandomStream rng_a(12, StreamPurpose::user, 0, 0), rng_b(12, StreamPurpose::user, 0, 0);
  CouplingFlow a(3, 4, 16, rng_a), b(3, 4, 16, rng_b);
  const double loss_a = a.train(x, w, training, rng_a);
  const double loss_b = b.train(x, w, training, rng_b);
  CHECK(loss_a == loss_b);
  CHECK(parameters(a) == parameters(b));

  std::vector<double> flat;
  parnest::detail::FlatWriter out(flat);
  out.object(a);
  out.object(CouplingFlow());
  parnest::detail::FlatReader in(flat, "flow");
  const auto loaded = in.read<CouplingFlow>();
  const auto loaded_empty = in.read<CouplingFlow>();
  in.expect_end();
  CHECK(loaded.dimension() == 3);
  CHECK(loaded_empty.empty());
  CHECK(parameters(loaded) == parameters(a));
  RowMatrix eta_a, eta_loaded;
  Eigen::VectorXd log_det_a, log_det_loaded;
  a.forward(x, eta_a, log_det_a);
  loaded.forward(x, eta_loaded, log_det_loaded);
  CHECK(eta_a == eta_loaded);
  CHECK(log_det_a == log_det_loaded);

  // Truncated data, and a parameter count that does not fit the shape.
  std::vector<double> truncated(flat.begin(), flat.begin() + 10);
  parnest::detail::FlatReader short_in(truncated, "flow");
  CHECK_THROWS_AS(short_in.read<CouplingFlow>(), parnest::IoError);
  std::vector<double> wrong = flat;
  wrong[1] = 3;  // layers
  parnest::detail::FlatReader wrong_in(wrong, "flow");
  CHECK_THROWS_AS(wrong_in.read<CouplingFlow>(), parnest::IoError);
}

TEST_CASE("a flow in fewer than 2 variables is refused naming the dimension", "[flow]") {
  RandomStream rng(13, StreamPurpose::user, 0, 0);
  CHECK_THROWS_AS(CouplingFlow(1, 4, 8, rng), parnest::ConfigError);
  CHECK_THROWS_WITH(CouplingFlow(1, 4, 8, rng), Catch::Contains("dimension is 1"));
  CHECK_THROWS_WITH(CouplingFlow(0, 4, 8, rng), Catch::Contains("dimension is 0"));
  CHECK_THROWS_AS(CouplingFlow(2, 0, 8, rng), parnest::ConfigError);
}
