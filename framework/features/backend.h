// Run-time choice of the feature backend (`device=auto|cpu|cuda`). The framework never includes a
// CUDA header: the CUDA library registers its hooks here (cuda/backend_cuda.h,
// register_cuda_backend(); or the host emulation of the same pipeline, cuda/backend_emulated.h,
// when AUDIFY_CUDA_EMULATE=1), and the CPU serves whenever they are absent or unusable.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "features/extractor.h"
#include "features/feature_options.h"
#include "features/mfcc_options.h"

namespace audify {

enum class Device { auto_, cpu, cuda };

// "auto" | "cpu" | "cuda"; throws audify::Error naming the value otherwise.
Device parse_device(std::string_view text);
std::string_view device_name(Device device);

using ClipSpans = std::span<const std::span<const float>>;

// Feature rows (summarize(mfcc(clip), options)) for many clips per call: the GPU runs a whole
// batch in one pass and, with two batches in flight, copies one while computing the other; the
// CPU's computes at submit(). Use one per thread.
class BatchExtractor {
 public:
  virtual ~BatchExtractor() = default;
  virtual std::string_view backend() const = 0;
  // Clips per submit() and batches in flight that keep this backend busy.
  virtual std::size_t preferred_batch() const = 0;
  virtual std::size_t max_in_flight() const = 0;
  // Starts a batch; the clips' memory may be released when submit returns. Throws audify::Error
  // for a clip the pipeline refuses (the batch is then dropped).
  virtual void submit(ClipSpans clips) = 0;
  // The rows of the oldest submitted batch, in clip order; blocks until it is done. Throws
  // audify::Error when that batch's device work failed (the batch is then dropped).
  virtual std::vector<std::vector<float>> collect() = 0;
};

// What a CUDA backend plugs in. Each function may be called from any thread.
struct CudaBackendHooks {
  std::string_view name;  // "cuda", or "cuda-emulated" for the host emulation
  // Why no device is usable (no driver, no device, out of memory); empty when one is.
  std::string (*unavailable_reason)() = nullptr;
  std::unique_ptr<FeatureExtractor> (*extractor)(const MfccOptions& options) = nullptr;
  std::unique_ptr<BatchExtractor> (*batch_extractor)(const FeatureOptions& options) = nullptr;
};
// Registers (or with nullptr removes) the CUDA backend; `hooks` must outlive its use.
void set_cuda_backend(const CudaBackendHooks* hooks);

// cpu -> cpu. cuda -> cuda, or an audify::Error saying why it is unusable. auto -> cuda when
// usable, else cpu, saying why on the log once per process.
Device resolve_device(Device requested);
// The registered backend's name ("cuda" or "cuda-emulated"), or "cpu".
std::string_view backend_name(Device resolved);

std::unique_ptr<FeatureExtractor> make_extractor(Device device, const MfccOptions& options);
std::unique_ptr<BatchExtractor> make_batch_extractor(Device device, const FeatureOptions& options);

}  // namespace audify
