// The GPU backend behind the framework's seams (features/extractor.h, features/backend.h):
// FeatureExtractor runs one clip per call (frame-level output, serving); BatchExtractor runs many
// clips per call with two batches in flight, which is how `audify extract device=cuda` uses it.
#include <array>
#include <deque>
#include <span>
#include <string_view>
#include <utility>

#include "core/error.h"
#include "mfcc_gpu.h"

namespace audify::gpu {
namespace {

class GpuExtractor final : public FeatureExtractor {
 public:
  GpuExtractor(const MfccOptions& options, GpuApi& api, std::unique_ptr<GpuApi> owned)
      : owned_(std::move(owned)), mfcc_(options, api) {}

  std::string_view backend() const override { return mfcc_.api().name(); }
  const MfccOptions& options() const override { return mfcc_.options(); }

  Matrix log_mel(std::span<const float> y) override {
    return std::move(mfcc_.log_mel_batch(Clips(&y, 1)).front());
  }
  Matrix mfcc(std::span<const float> y) override {
    return std::move(mfcc_.mfcc_batch(Clips(&y, 1)).front());
  }

 private:
  std::unique_ptr<GpuApi> owned_;  // declared first: destroyed after mfcc_'s device buffers
  MfccGpu mfcc_;
};

// Double buffering: slot s owns a stream (its GpuApi), device buffers and pinned staging, so the
// upload of one batch and the download of the other overlap the kernels of either.
class GpuBatchExtractor final : public BatchExtractor {
 public:
  GpuBatchExtractor(const FeatureOptions& options, ApiFactory make_api, std::size_t batch)
      : summary_(clip_summary(options)), batch_(batch) {
    for (Slot& s : slots_) {
      s.api = make_api();
      s.mfcc = std::make_unique<MfccGpu>(options.mfcc, *s.api);
    }
  }

  std::string_view backend() const override { return slots_[0].api->name(); }
  std::size_t preferred_batch() const override { return batch_; }
  std::size_t max_in_flight() const override { return slots_.size(); }

  void submit(ClipSpans clips) override {
    AUDIFY_ASSERT(in_flight_.size() < slots_.size());
    const std::size_t slot = in_flight_.empty() ? 0 : 1 - in_flight_.back();
    slots_[slot].mfcc->enqueue_summary(clips, summary_);
    in_flight_.push_back(slot);
  }

  std::vector<std::vector<float>> collect() override {
    AUDIFY_ASSERT(!in_flight_.empty());
    const std::size_t slot = in_flight_.front();
    in_flight_.pop_front();
    const Matrix m = slots_[slot].mfcc->wait_summary();
    std::vector<std::vector<float>> rows(m.rows);
    for (std::size_t r = 0; r < m.rows; ++r) rows[r].assign(m.row(r).begin(), m.row(r).end());
    return rows;
  }

 private:
  struct Slot {
    std::unique_ptr<GpuApi> api;  // declared first: destroyed after mfcc's device buffers
    std::unique_ptr<MfccGpu> mfcc;
  };
  ClipSummary summary_;
  std::size_t batch_;
  std::array<Slot, 2> slots_;
  std::deque<std::size_t> in_flight_;  // slots, oldest first
};

}  // namespace

ClipSummary clip_summary(const FeatureOptions& options) {
  ClipSummary summary;
  if (options.summary == Summary::mean) return summary;
  for (const std::string& name : options.stats) {
    const std::optional<Stat> s = parse_stat(name);
    if (!s) fail("features.stats: unknown statistic '{}'", name);
    summary.stats.push_back(*s);
  }
  return summary;
}

std::unique_ptr<FeatureExtractor> make_gpu_extractor(const MfccOptions& options, GpuApi& api) {
  return std::make_unique<GpuExtractor>(options, api, nullptr);
}

std::unique_ptr<FeatureExtractor> make_gpu_extractor(const MfccOptions& options,
                                                     std::unique_ptr<GpuApi> api) {
  GpuApi& ref = *api;
  return std::make_unique<GpuExtractor>(options, ref, std::move(api));
}

std::unique_ptr<BatchExtractor> make_gpu_batch_extractor(const FeatureOptions& options,
                                                         ApiFactory make_api,
                                                         std::size_t clips_per_batch) {
  return std::make_unique<GpuBatchExtractor>(options, make_api, clips_per_batch);
}

}  // namespace audify::gpu
