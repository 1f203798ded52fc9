// An Mlp as a safetensors file: `layers.<i>.weight` (out, in) and `layers.<i>.bias` (out) per
// dense layer i (PyTorch's layout), `input.mean` / `input.std` when the model standardises, and
// metadata: the caller's entries plus `audify.format` and `audify.mlp` (the MlpConfig as JSON).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "nn/mlp.h"

namespace audify::nn {

inline constexpr const char* kMlpFormat = "audify-mlp-1";

void save_mlp(const std::filesystem::path& path, const Mlp& model,
              const std::map<std::string, std::string>& metadata = {});

struct LoadedMlp {
  Mlp model;
  std::map<std::string, std::string> metadata;  // everything in __metadata__
};

// Throws audify::Error naming the path on a malformed or incompatible file.
LoadedMlp load_mlp(const std::filesystem::path& path);

}  // namespace audify::nn
