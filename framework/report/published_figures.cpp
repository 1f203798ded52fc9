#include "report/published_figures.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <string_view>

#include "data/urbansound8k.h"

namespace audify {
namespace {

constexpr std::array<std::string_view, 10> kEsc10Folders = {
    "Dog bark",      "Rain",       "Sea waves", "Baby cry", "Clock tick",
    "Person sneeze", "Helicopter", "Chainsaw",  "Rooster",  "Fire crackling"};
constexpr std::array<std::string_view, 10> kEsc10Categories = {
    "dog",         "rooster",  "rain",       "sea_waves",  "crackling_fire",
    "crying_baby", "sneezing", "clock_tick", "helicopter", "chainsaw"};

template <std::size_t N>
bool holds_all(const std::set<std::string>& names, const std::array<std::string_view, N>& wanted) {
  return std::all_of(wanted.begin(), wanted.end(),
                     [&](std::string_view w) { return names.count(std::string(w)) > 0; });
}

void add_rows(Table& t, Benchmark b) {
  constexpr const char* kPublished = "published, not measured";
  switch (b) {
    case Benchmark::urbansound8k:
      t.rows.push_back({"seed study (UrbanSound8K, MFCC + MLP)", "mlp", "random 70/30", "83.81",
                        "78.28", kPublished});
      t.rows.push_back({"Salamon et al. 2014 (UrbanSound8K)", "SVM (RBF)",
                        "10-fold (predefined folds)", "—", "≈ 70", kPublished});
      t.rows.push_back({"Salamon et al. 2014 (UrbanSound8K)", "random forest",
                        "10-fold (predefined folds)", "—", "≈ 70", kPublished});
      t.rows.push_back({"Salamon & Bello 2017 (UrbanSound8K, log-mel)", "SB-CNN",
                        "10-fold (predefined folds)", "—", "≈ 73", kPublished});
      t.rows.push_back({"Salamon & Bello 2017 (UrbanSound8K, log-mel)",
                        "SB-CNN + audio augmentation", "10-fold (predefined folds)", "—", "≈ 79",
                        kPublished});
      break;
    case Benchmark::esc10:
    case Benchmark::esc50: {
      const bool esc10 = b == Benchmark::esc10;
      const std::string where =
          esc10 ? "Piczak 2015 (ESC-10, MFCC + ZCR)" : "Piczak 2015 (ESC-50, MFCC + ZCR)";
      const std::string split = "5-fold (official folds)";
      t.rows.push_back({where, "k-NN", split, "—", esc10 ? "66.7" : "32.2", kPublished});
      t.rows.push_back({where, "SVM", split, "—", esc10 ? "67.5" : "39.6", kPublished});
      t.rows.push_back({where, "random forest", split, "—", esc10 ? "72.7" : "44.3", kPublished});
      t.rows.push_back({esc10 ? "Piczak 2015b (ESC-10, log-mel)" : "Piczak 2015b (ESC-50, log-mel)",
                        "CNN", split, "—", esc10 ? "≈ 80" : "64.5", kPublished});
      t.rows.push_back({esc10 ? "Piczak 2015 (ESC-10)" : "Piczak 2015 (ESC-50)", "human listeners",
                        "—", "—", esc10 ? "95.7" : "81.3", kPublished});
      break;
    }
    case Benchmark::none:
      break;
  }
}

struct Reference {
  const char* name;
  double test_percent;
  bool approximate;
};

std::optional<Reference> matching_reference(const RunResults& r, Benchmark b) {
  const std::string& model = r.model_kind;
  const bool folds = r.split_kind == "kfold";
  const bool cnn = model == "sb_cnn" || model == "cnn";
  switch (b) {
    case Benchmark::urbansound8k:
      if (model == "mlp" && r.split_kind == "random") return Reference{"seed study", 78.28, false};
      if (folds && model == "svm_rbf") return Reference{"Salamon et al. 2014 SVM", 70, true};
      if (folds && model == "random_forest")
        return Reference{"Salamon et al. 2014 random forest", 70, true};
      if (folds && cnn) return Reference{"Salamon & Bello 2017 SB-CNN", 73, true};
      return std::nullopt;
    case Benchmark::esc10:
    case Benchmark::esc50: {
      const bool esc10 = b == Benchmark::esc10;
      if (!folds) return std::nullopt;
      if (model == "svm_rbf") return Reference{"Piczak 2015 SVM", esc10 ? 67.5 : 39.6, false};
      if (model == "random_forest")
        return Reference{"Piczak 2015 random forest", esc10 ? 72.7 : 44.3, false};
      if (cnn) return Reference{"Piczak 2015b CNN", esc10 ? 80 : 64.5, esc10};
      return std::nullopt;
    }
    case Benchmark::none:
      break;
  }
  return std::nullopt;
}

}  // namespace

std::string published_difference(const RunResults& run) {
  if (run.data_source.find("synthetic") != std::string::npos) return "— (synthetic data)";
  const std::optional<Reference> ref = matching_reference(run, benchmark_of(run.class_names));
  if (!ref) return "—";
  return fmt::format("{:+.2f} vs {} ({}{:g})", 100 * run.test_accuracy - ref->test_percent,
                     ref->name, ref->approximate ? "≈ " : "", ref->test_percent);
}

Benchmark benchmark_of(const std::vector<std::string>& class_names) {
  const std::set<std::string> names(class_names.begin(), class_names.end());
  if (names.size() == 10 && holds_all(names, kUrbanSoundClasses)) return Benchmark::urbansound8k;
  if (names.size() == 10 && (holds_all(names, kEsc10Folders) || holds_all(names, kEsc10Categories)))
    return Benchmark::esc10;
  if (names.size() == 50 && holds_all(names, kEsc10Categories)) return Benchmark::esc50;
  return Benchmark::none;
}

Table published_table(const std::vector<const RunResults*>& runs) {
  Table t{{"reference", "model", "split", "train acc %", "test acc %", "source"}, {}};
  std::vector<Benchmark> seen;
  for (const RunResults* r : runs) {
    const Benchmark b = benchmark_of(r->class_names);
    if (b == Benchmark::none || std::find(seen.begin(), seen.end(), b) != seen.end()) continue;
    seen.push_back(b);
    add_rows(t, b);
  }
  return t;
}

}  // namespace audify
