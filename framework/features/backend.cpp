// Backend selection for feature extraction (see backend.h).
#include "features/backend.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <utility>

#include "core/error.h"

namespace audify {
namespace {

std::atomic<const CudaBackendHooks*> cuda_hooks{nullptr};

// The CPU reference behind the batch interface: each submit() computes its rows at once.
class CpuBatchExtractor final : public BatchExtractor {
 public:
  explicit CpuBatchExtractor(const FeatureOptions& options)
      : options_(options), mfcc_(make_cpu_extractor(options.mfcc)) {}
  std::string_view backend() const override { return "cpu"; }
  std::size_t preferred_batch() const override { return 1; }
  std::size_t max_in_flight() const override { return 1; }
  void submit(ClipSpans clips) override {
    std::vector<std::vector<float>> rows;
    for (std::span<const float> clip : clips)
      rows.push_back(summarize(mfcc_->mfcc(clip), options_));
    done_.push_back(std::move(rows));
  }
  std::vector<std::vector<float>> collect() override {
    AUDIFY_ASSERT(!done_.empty());
    std::vector<std::vector<float>> rows = std::move(done_.front());
    done_.pop_front();
    return rows;
  }

 private:
  FeatureOptions options_;
  std::unique_ptr<FeatureExtractor> mfcc_;
  std::deque<std::vector<std::vector<float>>> done_;
};

// The registered hooks when device resolves to cuda, else nullptr.
const CudaBackendHooks* cuda_backend_for(Device device) {
  return resolve_device(device) == Device::cuda ? cuda_hooks.load() : nullptr;
}

}  // namespace

Device parse_device(std::string_view text) {
  if (text == "auto") return Device::auto_;
  if (text == "cpu") return Device::cpu;
  if (text == "cuda") return Device::cuda;
  fail("device: unknown device '{}' (expected auto, cpu or cuda)", text);
}

std::string_view device_name(Device device) {
  switch (device) {
    case Device::auto_:
      return "auto";
    case Device::cpu:
      return "cpu";
    case Device::cuda:
      return "cuda";
  }
  return "?";
}

void set_cuda_backend(const CudaBackendHooks* hooks) {
  cuda_hooks.store(hooks);
}

Device resolve_device(Device requested) {
  if (requested == Device::cpu) return Device::cpu;
  std::string why = "this build has no CUDA backend (configure with -DAUDIFY_CUDA=ON and nvcc)";
  if (const CudaBackendHooks* hooks = cuda_hooks.load()) {
    why = hooks->unavailable_reason();
    if (why.empty()) return Device::cuda;
  }
  if (requested == Device::cuda) fail("device=cuda: the CUDA backend is unusable: {}", why);
  static std::once_flag logged;
  std::call_once(logged, [&] { spdlog::info("device=auto: using the CPU backend ({})", why); });
  return Device::cpu;
}

std::string_view backend_name(Device resolved) {
  const CudaBackendHooks* hooks = cuda_hooks.load();
  return resolved == Device::cuda && hooks != nullptr ? hooks->name : "cpu";
}

std::unique_ptr<FeatureExtractor> make_extractor(Device device, const MfccOptions& options) {
  if (const CudaBackendHooks* hooks = cuda_backend_for(device)) return hooks->extractor(options);
  return make_cpu_extractor(options);
}

std::unique_ptr<BatchExtractor> make_batch_extractor(Device device, const FeatureOptions& options) {
  if (const CudaBackendHooks* hooks = cuda_backend_for(device))
    return hooks->batch_extractor(options);
  return std::make_unique<CpuBatchExtractor>(options);
}

}  // namespace audify
