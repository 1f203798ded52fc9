// `audify classify`: a trained run's model on audio files, printing the top-k classes. The feature
// options travel inside model.safetensors, so the clip is extracted exactly as in training.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "audio_limit_options.h"
#include "commands.h"
#include "core/error.h"
#include "core/file_error.h"
#include "serve/trained_model.h"

namespace audify::cli {
namespace {

struct ClassifyArgs {
  std::string model;
  std::vector<std::string> files;
  int top_k = 3;
  bool json = false;
  AudioLimits limits;
};

// Every file is classified or reported: a bad one is listed on stderr (and in the JSON with its
// error) and the rest go on; the exit status is 1 when any failed, as for `audify extract`.
int run_classify(const ClassifyArgs& args) {
  const std::unique_ptr<TrainedModel> model = TrainedModel::load(args.model);
  const std::vector<std::string>& names = model->class_names();
  const int k = std::clamp(args.top_k, 1, static_cast<int>(names.size()));
  nlohmann::json out = nlohmann::json::array();
  std::vector<std::string> failures;
  for (const std::string& file : args.files) {
    Classification c;
    try {
      c = model->classify_file(file, args.limits);
    } catch (const AudioError& e) {
      // One clip is at most serve's --max-seconds; a longer recording is monitor's job.
      const char* hint = e.fault() == AudioFault::too_long
                             ? "; `audify monitor` classifies a long recording window by window"
                             : "";
      failures.push_back(naming_file(file, e.what()) + hint);
      out.push_back({{"file", file}, {"error", failures.back()}});
      continue;
    } catch (const Error& e) {
      failures.push_back(naming_file(file, e.what()));
      out.push_back({{"file", file}, {"error", failures.back()}});
      continue;
    }
    if (c.verdict != ClipVerdict::classified) {
      out.push_back({{"file", file},
                     {"verdict", std::string(verdict_name(c.verdict))},
                     {"message", c.message}});
      if (!args.json) fmt::print("{}\n  {}\n", file, c.message);
      continue;
    }
    const std::vector<int> order = top_k(c.probabilities, k);
    nlohmann::json top = nlohmann::json::array();
    for (const int id : order)
      top.push_back({{"class", names[id]}, {"id", id}, {"probability", c.probabilities[id]}});
    out.push_back(
        {{"file", file}, {"verdict", std::string(verdict_name(c.verdict))}, {"top", top}});
    if (!args.json) {
      fmt::print("{}\n", file);
      for (int i = 0; i < k; ++i)
        fmt::print("  {}. {:<18} {:.4f}\n", i + 1, names[order[i]], c.probabilities[order[i]]);
    }
  }
  if (args.json) fmt::print("{}\n", out.dump(2));
  if (failures.empty()) return 0;
  fmt::print(stderr, "{} of {} file(s) failed:\n", failures.size(), args.files.size());
  for (const std::string& f : failures) fmt::print(stderr, "  {}\n", f);
  return 1;
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
  add_audio_limit_options(*cmd, args->limits, "the file fails", "the file fails");
  add_answer_limit_options(*cmd, args->limits);
  cmd->callback([args] {
    const int status = run_classify(*args);
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace audify::cli
