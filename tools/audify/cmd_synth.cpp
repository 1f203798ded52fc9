// `audify synth`: writes the embedded default dataset (synthetic, UrbanSound8K-shaped) to a folder.
#include <fmt/format.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "commands.h"
#include "data/synth.h"

namespace audify::cli {

void add_synth_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "synth",
      "Generate the synthetic dataset (10 classes): UrbanSound8K-shaped (10 folds) or in the "
      "ESC-50 layout (5 folds)");
  auto options = std::make_shared<SynthOptions>();
  cmd->add_option("--out", options->out, "Dataset root to create (audio/ and metadata/ or meta/)")
      ->required();
  cmd->add_option("--layout", options->layout,
                  "Folder layout and metadata CSV to write: urbansound8k (default) or esc50")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, SynthLayout>{{"urbansound8k", SynthLayout::urbansound8k},
                                             {"esc50", SynthLayout::esc50}},
          CLI::ignore_case));
  cmd->add_option("--clips-per-class", options->clips_per_class, "Slices per class")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", options->seed, "Same seed gives a byte-identical dataset")
      ->capture_default_str();
  cmd->add_option("--threads", options->threads, "Worker threads (0 = all cores)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->callback([options] {
    const auto start = std::chrono::steady_clock::now();
    const SynthSummary summary = generate_synthetic_dataset(*options);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    fmt::print("synth: {} clips from {} recordings, {:.1f} s of audio, in {:.1f} s -> {}\n",
               summary.clips, summary.recordings, summary.seconds, took.count(),
               options->out.string());
  });
}

}  // namespace audify::cli
