// Run-time choice of the feature backend (`device=auto|cpu|cuda`). The framework never includes a
// CUDA header: the CUDA library registers a factory here (cuda/backend_cuda.h,
// register_cuda_backend()), and make_extractor falls back to the CPU when it cannot be used.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "features/extractor.h"
#include "features/mfcc_options.h"

namespace audify {

enum class Device { auto_, cpu, cuda };

// "auto" | "cpu" | "cuda"; throws audify::Error naming the value otherwise.
Device parse_device(std::string_view text);
std::string_view device_name(Device device);

// Returns a CUDA extractor, or nullptr with `why_unavailable` set (no driver, no device, ...).
using CudaExtractorFactory = std::unique_ptr<FeatureExtractor> (*)(const MfccOptions& options,
                                                                   std::string& why_unavailable);
void set_cuda_extractor_factory(CudaExtractorFactory factory);

// cpu: the CPU backend. cuda: the CUDA backend or an audify::Error saying why it is unusable.
// auto: CUDA when usable, else the CPU, saying so once per process in the log.
std::unique_ptr<FeatureExtractor> make_extractor(Device device, const MfccOptions& options);

}  // namespace audify
