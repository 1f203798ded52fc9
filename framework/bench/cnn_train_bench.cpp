#include "bench/cnn_train_bench.h"

#include <chrono>
#include <ctime>
#include <memory>
#include <random>

#include "core/blas_kernels.h"
#include "core/error.h"
#include "nn/cnn/cnn_trainer.h"
#include "nn/cnn/sb_cnn.h"
#include "nn/train_backend.h"

namespace audify {
namespace {

using Clock = std::chrono::steady_clock;

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Each layer's forward and backward on the batch, in the training step's order: the best of 3 in
// process CPU time.
std::vector<CnnLayerTime> time_layers(nn::cnn::Sequential& net, const nn::cnn::Tensor& x) {
  std::vector<nn::cnn::Tensor> outputs(net.size());
  std::vector<CnnLayerTime> times(net.size());
  const nn::cnn::Pass pass{.training = true, .seed = 1, .step = 0};
  const auto best_ms = [](auto&& run) {
    double best = 1e30;
    for (int r = 0; r < 3; ++r) {
      const double t0 = cpu_seconds();
      run();
      best = std::min(best, 1e3 * (cpu_seconds() - t0));
    }
    return best;
  };
  for (std::size_t i = 0; i < net.size(); ++i) {
    const nn::cnn::Tensor& in = i == 0 ? x : outputs[i - 1];
    times[i].name = std::string(net.layer(i).kind());
    times[i].forward_ms = best_ms([&] { net.layer(i).forward(in, outputs[i], pass); });
  }
  nn::cnn::Tensor dx;
  for (std::size_t i = net.size(); i-- > 0;) {
    const nn::cnn::Tensor& in = i == 0 ? x : outputs[i - 1];
    const nn::cnn::Tensor dy(outputs[i].shape, 1e-3f);
    times[i].backward_ms =
        best_ms([&] { net.layer(i).backward(in, outputs[i], dy, i == 0 ? nullptr : &dx); });
  }
  return times;
}

}  // namespace

CnnTrainBenchResult run_cnn_train_bench(const CnnTrainBenchOptions& o) {
  if (o.threads < 1) fail("bench train model=sb_cnn: --threads must be >= 1, got {}", o.threads);
  if (o.batch < 1 || o.steps < 1) fail("bench train model=sb_cnn: batch and steps must be >= 1");
  set_blas_threads(1);  // the convolutions split the batch over the threads instead
  nn::cnn::Sequential net = nn::cnn::make_sb_cnn({}, 1);
  net.set_threads(o.threads);
  nn::cnn::CnnTrainer trainer(net, nn::AdamHyper{}, 1);
  const std::unique_ptr<nn::DeviceTrainer> device = o.device ? nn::make_device_trainer() : nullptr;
  const std::unique_ptr<nn::cnn::CnnStepper> on_device =
      device ? device->make_cnn_stepper(net, nn::AdamHyper{}, 1, {}, o.batch) : nullptr;
  nn::cnn::Tensor x({o.batch, 1, 128, 128});
  std::mt19937 rng(0);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : x.data) v = normal(rng);
  std::vector<int> labels(static_cast<std::size_t>(o.batch));
  for (int i = 0; i < o.batch; ++i) labels[static_cast<std::size_t>(i)] = i % 10;

  // A device step ends by reading its loss back, so the wall clock covers the device's work.
  const auto step = [&] {
    return on_device ? on_device->step(x, labels) : trainer.step(x, labels);
  };
  for (int s = 0; s < 3; ++s) step();
  const double cpu0 = cpu_seconds();
  const auto t0 = Clock::now();
  for (int s = 0; s < o.steps; ++s) step();
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();

  CnnTrainBenchResult r;
  r.steps_per_second = o.steps / wall;
  r.cpu_seconds_per_step = (cpu_seconds() - cpu0) / o.steps;
  r.gflop_per_step = 3.0 * 2.0 * net.forward_macs() * o.batch / 1e9;
  r.parameters = net.parameter_count();
  r.blas_core = blas_core_name();
  if (on_device) on_device->sync();
  if (o.layers) r.layers = time_layers(net, x);
  set_blas_threads(1);
  return r;
}

}  // namespace audify
