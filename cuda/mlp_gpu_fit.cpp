// nn::fit's epoch loop for K models on the GPU (fit_many) and the nn::DeviceTrainer over it, on
// nn/epoch_loop.h's schedule (batch size, Philox shuffle, epoch statistics). The host keeps what
// nn::fit keeps on the host (standardisation, each model's row order, carried from epoch to epoch)
// and sends only row indices per step; the device sums the epoch's loss and accuracy, read once per
// epoch. A model whose epoch has fewer batches than the longest sits the remaining steps out, so
// each follows its own schedule exactly.
#include <algorithm>
#include <chrono>
#include <numeric>

#include "cnn_gpu.h"
#include "core/error.h"
#include "mlp_gpu.h"
#include "nn/epoch_loop.h"

namespace audify::gpu {
namespace {

using Clock = std::chrono::steady_clock;

// One job's host side: its standardised rows and its row order.
struct JobState {
  Matrix xs;
  std::size_t rows = 0;
  int batch = 0;
  std::vector<uint32_t> order;
  std::size_t batches() const { return (rows + batch - 1) / batch; }
};

JobState prepare(FitJob& job, const nn::MlpConfig& shape) {
  AUDIFY_ASSERT(job.model != nullptr && job.x != nullptr);
  const nn::TrainConfig& cfg = job.config;
  nn::check_train_config(cfg);
  if (cfg.validation_fraction > 0 || cfg.early_stopping_patience > 0)
    fail(
        "device=cuda: train.validation_fraction and train.early_stopping_patience are not "
        "supported by the GPU trainer yet (use device=cpu)");
  const nn::MlpConfig& c = job.model->config();
  if (c.inputs != shape.inputs || c.hidden != shape.hidden || c.classes != shape.classes ||
      c.activation != shape.activation)
    fail("gpu trainer: models trained together must share one shape");
  if (job.x->cols != static_cast<std::size_t>(c.inputs))
    fail("fit: the model takes {} features, the data has {}", c.inputs, job.x->cols);
  if (job.labels.size() != job.x->rows)
    fail("fit: {} rows but {} labels", job.x->rows, job.labels.size());
  JobState s;
  s.rows = job.x->rows;
  if (s.rows == 0) fail("fit: no training rows");
  if (cfg.standardize) nn::fit_standardization(*job.model, *job.x, s.rows);
  s.xs = *job.x;
  job.model->standardize_rows(s.xs);
  s.batch = static_cast<int>(nn::batch_rows(cfg, s.rows));
  s.order.resize(s.rows);
  std::iota(s.order.begin(), s.order.end(), 0u);
  return s;
}

class GpuTrainer final : public nn::DeviceTrainer {
 public:
  explicit GpuTrainer(std::unique_ptr<GpuApi> api) : api_(std::move(api)) {}
  std::string_view name() const override { return api_->name(); }
  std::vector<nn::TrainHistory> fit_many(std::span<FitJob> jobs) override {
    return gpu::fit_many(*api_, jobs);
  }
  std::unique_ptr<nn::cnn::CnnStepper> make_cnn_stepper(nn::cnn::Sequential& net,
                                                        const nn::AdamHyper& adam, uint64_t seed,
                                                        nn::cnn::SgdMomentum sgd,
                                                        int max_batch) override {
    return make_cnn_gpu_stepper(*api_, net, adam, seed, sgd, max_batch);
  }

 private:
  std::unique_ptr<GpuApi> api_;
};

}  // namespace

std::unique_ptr<nn::DeviceTrainer> make_gpu_trainer(std::unique_ptr<GpuApi> api) {
  return std::make_unique<GpuTrainer>(std::move(api));
}

namespace {

// fit_many's device part, over the prepared jobs.
std::vector<nn::TrainHistory> train(GpuApi& api, std::span<FitJob> jobs,
                                    std::vector<JobState>& state, const nn::MlpConfig& shape,
                                    int max_batch, int max_epochs, bool use_graph) {
  const int models = static_cast<int>(jobs.size());
  MlpGpu gpu(api, shape, models, max_batch);
  std::vector<const Matrix*> tables;
  std::vector<std::span<const int>> labels;
  for (int m = 0; m < models; ++m) {
    gpu.upload(m, *jobs[m].model, jobs[m].config);
    tables.push_back(&state[m].xs);
    labels.push_back(jobs[m].labels);
  }
  gpu.set_tables(tables, labels);

  std::vector<nn::TrainHistory> histories(jobs.size());
  std::vector<StepBatch> batches(jobs.size());
  for (int epoch = 1; epoch <= max_epochs; ++epoch) {
    const auto t0 = Clock::now();
    std::size_t steps = 0;
    for (int m = 0; m < models; ++m) {
      if (epoch > jobs[m].config.epochs) continue;
      nn::shuffle_for_epoch(state[m].order, jobs[m].config, epoch);
      steps = std::max(steps, state[m].batches());
    }
    gpu.reset_epoch_stats();
    for (std::size_t s = 0; s < steps; ++s) {
      for (int m = 0; m < models; ++m) {
        const JobState& j = state[m];
        const std::size_t start = s * j.batch;
        batches[m].rows = {};
        if (epoch > jobs[m].config.epochs || start >= j.rows) continue;
        const std::size_t n = std::min<std::size_t>(j.batch, j.rows - start);
        batches[m].rows = std::span<const uint32_t>(j.order.data() + start, n);
      }
      gpu.step(batches, use_graph);
    }
    const std::vector<nn::XentResult> sums = gpu.epoch_stats();
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    for (int m = 0; m < models; ++m) {
      if (epoch > jobs[m].config.epochs) continue;
      nn::EpochStats st;
      st.epoch = epoch;
      nn::set_train_stats(st, sums[m], state[m].rows);
      st.seconds = seconds;
      st.steps = gpu.steps_taken(m);
      histories[m].epochs.push_back(st);
      if (jobs[m].on_epoch) {
        gpu.download(m, *jobs[m].model);
        jobs[m].on_epoch(st);
      }
    }
  }
  for (int m = 0; m < models; ++m) {
    gpu.download(m, *jobs[m].model);
    histories[m].best_epoch = static_cast<int>(histories[m].epochs.size());
  }
  return histories;
}

}  // namespace

std::vector<nn::TrainHistory> fit_many(GpuApi& api, std::span<FitJob> jobs, bool use_graph) {
  if (jobs.empty()) return {};
  const nn::MlpConfig shape = jobs.front().model->config();
  std::vector<JobState> state;
  int max_batch = 1, max_epochs = 0;
  for (FitJob& job : jobs) {
    state.push_back(prepare(job, shape));
    max_batch = std::max(max_batch, state.back().batch);
    max_epochs = std::max(max_epochs, job.config.epochs);
  }
  // A device fault (out of memory, a failed kernel) surfaces deep in a step; say what was running.
  try {
    return train(api, jobs, state, shape, max_batch, max_epochs, use_graph);
  } catch (const Error& e) {
    fail("gpu trainer: training {} model(s) with batches of up to {} rows on {} failed: {}",
         jobs.size(), max_batch, api.name(), e.what());
  }
}

}  // namespace audify::gpu
