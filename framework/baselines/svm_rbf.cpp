// libsvm behind the Classifier interface. libsvm keeps pointers into the training problem for its
// support vectors, so the problem's node arrays live as long as the model (struct Trained).
#include "baselines/svm_rbf.h"

#include <libsvm/svm.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "core/error.h"

namespace audify {
namespace {

void quiet(const char*) {}

// Dense rows as libsvm nodes: indices 1..cols, then the -1 terminator.
std::vector<svm_node> to_nodes(const Matrix& x) {
  std::vector<svm_node> nodes;
  nodes.reserve(x.rows * (x.cols + 1));
  for (std::size_t r = 0; r < x.rows; ++r) {
    for (std::size_t c = 0; c < x.cols; ++c)
      nodes.push_back({static_cast<int>(c + 1), static_cast<double>(x(r, c))});
    nodes.push_back({-1, 0.0});
  }
  return nodes;
}

double scale_gamma(const Matrix& xs) {
  // scikit-learn: 1 / (n_features * X.var()) over every element of the (standardised) matrix.
  double mean = 0.0, var = 0.0;
  for (float v : xs.data) mean += v;
  mean /= static_cast<double>(xs.data.size());
  for (float v : xs.data) var += (v - mean) * (v - mean);
  var /= static_cast<double>(xs.data.size());
  return var > 0.0 ? 1.0 / (static_cast<double>(xs.cols) * var) : 1.0;
}

// libsvm reads and writes models only through file names: a private temporary file, removed when
// this goes out of scope.
class TempPath {
 public:
  TempPath() {
    std::string name = (std::filesystem::temp_directory_path() / "audify-svm-XXXXXX").string();
    const int fd = ::mkstemp(name.data());
    if (fd < 0) fail("{}: cannot create a temporary file for libsvm", name);
    ::close(fd);
    path_ = name;
  }
  ~TempPath() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  const char* c_str() const { return path_.c_str(); }

 private:
  std::string path_;
};

Matrix take_rows(const Matrix& x, const std::vector<std::size_t>& idx) {
  Matrix out(idx.size(), x.cols);
  for (std::size_t i = 0; i < idx.size(); ++i)
    std::copy_n(x.row(idx[i]).begin(), x.cols, out.row(i).begin());
  return out;
}

}  // namespace

struct SvmRbf::Trained {
  std::vector<svm_node> nodes;
  std::vector<svm_node*> rows;
  std::vector<double> labels;
  svm_model* model = nullptr;
  ~Trained() { svm_free_and_destroy_model(&model); }

  // A model from svm_load_model, which owns its support vectors.
  explicit Trained(svm_model* loaded) : model(loaded) {}

  Trained(const Matrix& xs, std::span<const int> y, double C, double gamma, bool probability,
          const SvmOptions& o)
      : nodes(to_nodes(xs)), labels(y.begin(), y.end()) {
    for (std::size_t r = 0; r < xs.rows; ++r) rows.push_back(nodes.data() + r * (xs.cols + 1));
    svm_problem problem{static_cast<int>(xs.rows), labels.data(), rows.data()};
    svm_parameter p{};
    p.svm_type = C_SVC;
    p.kernel_type = RBF;
    p.gamma = gamma;
    p.C = C;
    p.cache_size = o.cache_mb;
    p.eps = o.tol;
    p.shrinking = 1;
    p.probability = probability ? 1 : 0;
    if (const char* err = svm_check_parameter(&problem, &p)) fail("model svm_rbf: {}", err);
    svm_set_print_string_function(&quiet);
    // libsvm's probability cross-validation shuffles with rand(): seed it for reproducibility.
    std::srand(static_cast<unsigned>(o.seed));
    model = svm_train(&problem, &p);
  }
  Trained(const Trained&) = delete;
  Trained& operator=(const Trained&) = delete;
};

SvmRbf::SvmRbf(SvmOptions options) : options_(std::move(options)) {}
SvmRbf::~SvmRbf() = default;

void SvmRbf::fit(const Matrix& x, std::span<const int> y, int n_classes) {
  AUDIFY_ASSERT(x.rows == y.size() && x.rows > 0 && n_classes > 0);
  check_labels(y, n_classes, kind());
  n_classes_ = n_classes;
  standardizer_.fit(x);
  const Matrix xs = standardizer_.apply(x);
  const double scale = scale_gamma(xs);
  C_ = options_.C;
  gamma_ = options_.gamma > 0.0 ? options_.gamma : scale;
  if (options_.grid) {
    // Stratified hold-out: shuffle each class's rows with the seed and hold out a fraction.
    std::mt19937 rng(static_cast<unsigned>(options_.seed));
    std::vector<std::vector<std::size_t>> by_class(static_cast<std::size_t>(n_classes));
    for (std::size_t r = 0; r < y.size(); ++r)
      by_class[static_cast<std::size_t>(y[r])].push_back(r);
    std::vector<std::size_t> inner, held;
    for (auto& rows : by_class) {
      std::shuffle(rows.begin(), rows.end(), rng);
      const auto n_held = static_cast<std::size_t>(options_.grid_holdout * rows.size() + 0.5);
      held.insert(held.end(), rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n_held));
      inner.insert(inner.end(), rows.begin() + static_cast<std::ptrdiff_t>(n_held), rows.end());
    }
    if (inner.empty() || held.empty())
      fail("model.grid_holdout: {} leaves an empty side", options_.grid_holdout);
    const Matrix xi = take_rows(xs, inner), xh = take_rows(xs, held);
    std::vector<int> yi;
    for (std::size_t r : inner) yi.push_back(y[r]);
    const std::vector<svm_node> held_nodes = to_nodes(xh);
    double best = -1.0;
    for (double c : options_.grid_C)
      for (double g : options_.grid_gamma) {
        // Accuracy of the vote; probabilities are not needed to rank the candidates.
        const Trained t(xi, yi, c, g * scale, false, options_);
        std::size_t hits = 0;
        for (std::size_t i = 0; i < held.size(); ++i)
          hits += static_cast<int>(svm_predict(t.model, held_nodes.data() + i * (xh.cols + 1))) ==
                  y[held[i]];
        const double acc = static_cast<double>(hits) / static_cast<double>(held.size());
        if (acc > best) best = acc, C_ = c, gamma_ = g * scale;
      }
  }
  trained_ = std::make_unique<Trained>(xs, y, C_, gamma_, options_.probability, options_);
}

Matrix SvmRbf::predict_proba(const Matrix& x) const {
  AUDIFY_ASSERT(trained_ != nullptr);
  const Matrix xs = standardizer_.apply(x);
  const std::vector<svm_node> nodes = to_nodes(xs);
  const svm_model* m = trained_->model;
  const int k = svm_get_nr_class(m);
  std::vector<int> labels(static_cast<std::size_t>(k));
  svm_get_labels(m, labels.data());
  Matrix out(x.rows, static_cast<std::size_t>(n_classes_), 0.0f);
  std::vector<double> p(static_cast<std::size_t>(k));
  for (std::size_t r = 0; r < x.rows; ++r) {
    const svm_node* row = nodes.data() + r * (x.cols + 1);
    if (options_.probability && k > 1) {
      svm_predict_probability(m, row, p.data());
      for (int j = 0; j < k; ++j)
        out(r, static_cast<std::size_t>(labels[j])) = static_cast<float>(p[j]);
    } else {
      out(r, static_cast<std::size_t>(svm_predict(m, row))) = 1.0f;
    }
  }
  return out;
}

std::string SvmRbf::save() const {
  AUDIFY_ASSERT(trained_ != nullptr);
  const TempPath tmp;
  if (svm_save_model(tmp.c_str(), trained_->model) != 0)
    fail("{}: cannot write the libsvm model", tmp.c_str());
  std::stringstream text;
  text << std::ifstream(tmp.c_str()).rdbuf();
  nlohmann::json j;
  j["format"] = "audify-svm_rbf-v1";
  j["n_classes"] = n_classes_;
  j["C"] = C_;
  j["gamma"] = gamma_;
  j["probability"] = options_.probability;
  j["mean"] = standardizer_.mean;
  j["scale"] = standardizer_.scale;
  j["libsvm"] = text.str();
  return j.dump();
}

std::unique_ptr<SvmRbf> SvmRbf::load(std::string_view bytes, const std::string& source) {
  const nlohmann::json j = nlohmann::json::parse(bytes, nullptr, false);
  if (!j.is_object() || j.value("format", "") != "audify-svm_rbf-v1")
    fail("{}: not an audify svm_rbf model (no \"format\": \"audify-svm_rbf-v1\")", source);
  std::unique_ptr<SvmRbf> m;
  std::string libsvm_text;
  try {
    SvmOptions o;
    o.C = j.at("C").get<double>();
    o.gamma = j.at("gamma").get<double>();
    o.probability = j.at("probability").get<bool>();
    m = std::make_unique<SvmRbf>(o);
    m->n_classes_ = j.at("n_classes").get<int>();
    m->C_ = o.C;
    m->gamma_ = o.gamma;
    m->standardizer_.mean = j.at("mean").get<std::vector<double>>();
    m->standardizer_.scale = j.at("scale").get<std::vector<double>>();
    libsvm_text = j.at("libsvm").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    fail("{}: malformed svm_rbf model: {}", source, e.what());
  }
  if (m->n_classes_ < 1 || m->standardizer_.mean.empty() ||
      m->standardizer_.mean.size() != m->standardizer_.scale.size())
    fail("{}: svm_rbf model has {} classes and {} means for {} scales", source, m->n_classes_,
         m->standardizer_.mean.size(), m->standardizer_.scale.size());
  const TempPath tmp;
  std::ofstream(tmp.c_str(), std::ios::binary) << libsvm_text;
  svm_model* raw = svm_load_model(tmp.c_str());
  if (!raw) fail("{}: libsvm cannot read the model text", source);
  m->trained_ = std::make_unique<Trained>(raw);
  const int k = svm_get_nr_class(raw);
  std::vector<int> labels(static_cast<std::size_t>(k));
  svm_get_labels(raw, labels.data());
  for (int label : labels)
    if (label < 0 || label >= m->n_classes_)
      fail("{}: libsvm label {} is outside [0, {})", source, label, m->n_classes_);
  if (m->options_.probability && k > 1 && svm_check_probability_model(raw) == 0)
    fail("{}: probability = true but the libsvm model has no probability estimates", source);
  return m;
}

}  // namespace audify
