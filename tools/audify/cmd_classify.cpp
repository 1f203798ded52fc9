// `audify classify`: a trained run's model on audio files, printing the top-k classes. The feature
// options travel inside model.safetensors, so the clip is extracted exactly as in training.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>

#include "commands.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "experiment/model_factory.h"
#include "experiment/run_config.h"
#include "features/extract.h"

namespace audify::cli {
namespace {

struct ClassifyArgs {
  std::string model;
  std::vector<std::string> files;
  int top_k = 3;
  bool json = false;
};

std::string metadata_at(const std::map<std::string, std::string>& m, const std::string& key,
                        const std::filesystem::path& path) {
  const auto it = m.find(key);
  if (it == m.end())
    fail("{}: metadata has no '{}' (not saved by audify run?)", path.string(), key);
  return it->second;
}

int run_classify(const ClassifyArgs& args) {
  std::filesystem::path path = args.model;
  if (std::filesystem::is_directory(path)) path /= "model.safetensors";
  if (!std::filesystem::exists(path)) fail("{}: no such model file", path.string());
  const LoadedModel loaded = load_model(path);
  const std::string features_text = metadata_at(loaded.metadata, "audify.features", path);
  toml::table features_table;
  try {
    features_table = toml::parse(features_text);
  } catch (const toml::parse_error& e) {
    fail("{}: metadata audify.features is not TOML: {}", path.string(), e.description());
  }
  const FeatureOptions options =
      feature_options_from_table(features_table, path.string() + " (audify.features)");
  std::vector<std::string> names;
  try {
    names = nlohmann::json::parse(metadata_at(loaded.metadata, "audify.classes", path))
                .get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    fail("{}: metadata audify.classes is malformed: {}", path.string(), e.what());
  }
  if (static_cast<int>(names.size()) != loaded.model->classes())
    fail("{}: {} class names for a {}-class model", path.string(), names.size(),
         loaded.model->classes());

  std::size_t columns = 0;
  if (const auto it = loaded.metadata.find("audify.feature_columns"); it != loaded.metadata.end())
    columns = nlohmann::json::parse(it->second, nullptr, false).size();

  const int k = std::clamp(args.top_k, 1, static_cast<int>(names.size()));
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& file : args.files) {
    const std::string bytes = read_file(file);
    const std::vector<float> row =
        extract_one(std::as_bytes(std::span(bytes.data(), bytes.size())), file, options);
    if (columns != 0 && row.size() != columns)
      fail(
          "{}: {} features extracted, but the model was trained on {} (a feature table made with "
          "other options?)",
          file, row.size(), columns);
    Matrix x(1, row.size());
    x.data = row;
    const Matrix p = loaded.model->predict_proba(x);
    std::vector<int> order(names.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return p(0, a) > p(0, b); });
    nlohmann::json top = nlohmann::json::array();
    for (int i = 0; i < k; ++i)
      top.push_back(
          {{"class", names[order[i]]}, {"id", order[i]}, {"probability", p(0, order[i])}});
    out.push_back({{"file", file}, {"top", top}});
    if (!args.json) {
      fmt::print("{}\n", file);
      for (int i = 0; i < k; ++i)
        fmt::print("  {}. {:<18} {:.4f}\n", i + 1, names[order[i]], p(0, order[i]));
    }
  }
  if (args.json) fmt::print("{}\n", out.dump(2));
  return 0;
}

}  // namespace

void add_classify_command(CLI::App& app) {
  auto args = std::make_shared<ClassifyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "classify",
      "Classify audio files with a trained model: the top-k classes and their probabilities.\n"
      "  audify classify --model outputs/default/<date>_<time> dog.wav siren.flac --top-k 3");
  cmd->add_option("--model", args->model, "run directory (or its model.safetensors)")->required();
  cmd->add_option("files", args->files, "audio files")->required();
  cmd->add_option("-k,--top-k", args->top_k, "classes to show per file")->capture_default_str();
  cmd->add_flag("--json", args->json, "print JSON instead of text");
  cmd->callback([args] { run_classify(*args); });
}

}  // namespace audify::cli
