// Saving and loading the MLP through nn/safetensors.h.
#include "nn/mlp_io.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "nn/safetensors.h"

namespace audify::nn {

void save_mlp(const std::filesystem::path& path, const Mlp& model,
              const std::map<std::string, std::string>& metadata) {
  SafetensorsFile file;
  file.metadata = metadata;
  const MlpConfig& c = model.config();
  file.metadata["audify.format"] = kMlpFormat;
  file.metadata["audify.mlp"] = nlohmann::json{
      {"inputs", c.inputs},
      {"hidden", c.hidden},
      {"classes", c.classes},
      {"activation", c.activation},
      {"dropout", c.dropout}}.dump();
  for (int l = 0; l < model.num_layers(); ++l) {
    const Matrix w = model.weight(l);
    file.tensors[fmt::format("layers.{}.weight", l)] = {
        {static_cast<int64_t>(w.rows), static_cast<int64_t>(w.cols)}, w.data};
    const std::vector<float> b = model.bias(l);
    file.tensors[fmt::format("layers.{}.bias", l)] = {{static_cast<int64_t>(b.size())}, b};
  }
  if (!model.input_mean().empty()) {
    const auto n = static_cast<int64_t>(model.input_mean().size());
    file.tensors["input.mean"] = {{n}, model.input_mean()};
    file.tensors["input.std"] = {{n}, model.input_std()};
  }
  write_safetensors(path, file);
}

LoadedMlp load_mlp(const std::filesystem::path& path) {
  SafetensorsFile file = read_safetensors(path);
  const auto fmt_it = file.metadata.find("audify.format");
  if (fmt_it == file.metadata.end() || fmt_it->second != kMlpFormat)
    fail("{}: not an Audify MLP (metadata audify.format is not '{}')", path.string(), kMlpFormat);
  MlpConfig c;
  try {
    const auto j = nlohmann::json::parse(file.metadata.at("audify.mlp"));
    c.inputs = j.at("inputs").get<int>();
    c.hidden = j.at("hidden").get<std::vector<int>>();
    c.classes = j.at("classes").get<int>();
    c.activation = j.at("activation").get<std::string>();
    c.dropout = j.at("dropout").get<double>();
  } catch (const std::exception& e) {
    fail("{}: metadata audify.mlp is malformed: {}", path.string(), e.what());
  }
  LoadedMlp out{Mlp(c), std::move(file.metadata)};
  try {
    for (int l = 0; l < out.model.num_layers(); ++l) {
      const Tensor& w = file.at(fmt::format("layers.{}.weight", l));
      if (w.shape.size() != 2) fail("layers.{}.weight is not two-dimensional", l);
      Matrix m(static_cast<std::size_t>(w.shape[0]), static_cast<std::size_t>(w.shape[1]));
      m.data = w.data;
      out.model.set_weight(l, m);
      out.model.set_bias(l, file.at(fmt::format("layers.{}.bias", l)).data);
    }
    if (file.tensors.contains("input.mean"))
      out.model.set_standardization(file.at("input.mean").data, file.at("input.std").data);
  } catch (const Error& e) {
    fail("{}: {}", path.string(), e.what());
  }
  return out;
}

}  // namespace audify::nn
