// Config composition with command-line overrides, as `audify run` does it: the input is an
// experiment file (TOML) and, after a line "----", one override per line. It is composed against
// a copy of the repository's configs/ and experiments/ with "+experiment=fuzz" first, resolved
// against every option schema and written back out as TOML.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "config/compose.h"
#include "core/error.h"
#include "experiment/run_config.h"
#include "fuzz_support.h"

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSeparator = "\n----\n";

const audify::ConfigSources& sources() {
  static const audify::ConfigSources copied = [] {
    const fs::path root = audify::fuzz::scratch_dir() / "tree";
    fs::create_directories(root);
    fs::copy(fs::path(AUDIFY_SOURCE_DIR) / "configs", root / "configs",
             fs::copy_options::recursive);
    fs::copy(fs::path(AUDIFY_SOURCE_DIR) / "experiments", root / "experiments",
             fs::copy_options::recursive);
    return audify::ConfigSources::at(root);
  }();
  return copied;
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    if (end > 0) lines.emplace_back(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  return lines;
}

void compose_and_resolve(const std::vector<audify::Override>& overrides) {
  const audify::ComposedConfig composed = audify::compose(sources(), overrides);
  (void)audify::to_toml_string(composed.table);
  const audify::RunConfig config = audify::resolve_run_config(composed);
  (void)audify::to_toml_string(audify::run_config_table(config));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = audify::fuzz::as_text(data, size);
  const std::size_t split = input.find(kSeparator);
  const std::string_view experiment = input.substr(0, split);
  const std::string_view override_lines = split == std::string_view::npos
                                              ? std::string_view()
                                              : input.substr(split + kSeparator.size());
  (void)sources();  // copies the trees before the experiment is written into one
  audify::fuzz::write_scratch("tree/experiments/fuzz.toml", experiment);
  try {
    std::vector<std::string> texts{"+experiment=fuzz"};
    for (std::string& line : lines_of(override_lines)) texts.push_back(std::move(line));
    const std::vector<audify::Override> overrides = audify::parse_overrides(texts);
    // Compose a sweep's first point only: the others differ in values, not in how they compose.
    std::vector<audify::Override> first;
    for (const audify::Override& o : overrides)
      first.push_back(o.sweep ? audify::sweep_element(o, 0) : o);
    compose_and_resolve(first);
  } catch (const audify::Error&) {
  }
  return 0;
}
