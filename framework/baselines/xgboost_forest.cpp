// XGBoost behind the Classifier interface. Every C API call is checked; handles are freed by RAII.
#include "baselines/xgboost_forest.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"

namespace audify {
namespace {

void check(int status, const char* what) {
  if (status != 0) fail("model random_forest: {} failed: {}", what, XGBGetLastError());
}

struct DMatrix {
  DMatrixHandle h = nullptr;
  explicit DMatrix(const Matrix& x) {
    check(XGDMatrixCreateFromMat(x.data.data(), x.rows, x.cols, std::nanf(""), &h),
          "XGDMatrixCreateFromMat");
  }
  ~DMatrix() { XGDMatrixFree(h); }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
};

void set(BoosterHandle b, const char* key, const std::string& value) {
  check(XGBoosterSetParam(b, key, value.c_str()), key);
}

}  // namespace

XgboostForest::XgboostForest(ForestOptions options) : options_(options) {}

XgboostForest::~XgboostForest() {
  if (booster_) XGBoosterFree(booster_);
}

void XgboostForest::fit(const Matrix& x, std::span<const int> y, int n_classes) {
  AUDIFY_ASSERT(x.rows == y.size() && x.rows > 0 && n_classes > 0);
  check_labels(y, n_classes, kind());
  if (options_.n_trees < 1) fail("model.n_trees: {} must be >= 1", options_.n_trees);
  if (!(options_.subsample > 0.0 && options_.subsample <= 1.0))
    fail("model.subsample: {} must be in (0, 1]", options_.subsample);
  n_classes_ = n_classes;
  const DMatrix train(x);
  std::vector<float> labels(y.begin(), y.end());
  check(XGDMatrixSetFloatInfo(train.h, "label", labels.data(), labels.size()), "set labels");
  if (booster_) XGBoosterFree(booster_);
  booster_ = nullptr;
  check(XGBoosterCreate(&train.h, 1, &booster_), "XGBoosterCreate");
  const double n = static_cast<double>(x.cols);
  const double colsample =
      options_.max_features > 0.0 ? options_.max_features : std::floor(std::sqrt(n)) / n;
  set(booster_, "verbosity", "0");
  set(booster_, "booster", "gbtree");
  set(booster_, "objective", "multi:softprob");
  set(booster_, "num_class", std::to_string(n_classes));
  set(booster_, "tree_method", "hist");
  set(booster_, "max_bin", std::to_string(options_.max_bin));
  set(booster_, "num_parallel_tree", std::to_string(options_.n_trees));
  set(booster_, "learning_rate", "1");
  set(booster_, "subsample", std::to_string(options_.subsample));
  set(booster_, "colsample_bynode", std::to_string(colsample));
  set(booster_, "min_child_weight", std::to_string(options_.min_child_weight));
  set(booster_, "reg_lambda", std::to_string(options_.reg_lambda));
  // Depth 0 means "no cap", which XGBoost accepts only with leaf-wise growth.
  set(booster_, "max_depth", std::to_string(options_.max_depth));
  if (options_.max_depth == 0) set(booster_, "grow_policy", "lossguide");
  set(booster_, "seed", std::to_string(options_.seed));
  if (options_.threads > 0) set(booster_, "nthread", std::to_string(options_.threads));
  check(XGBoosterUpdateOneIter(booster_, 0, train.h), "XGBoosterUpdateOneIter");
}

Matrix XgboostForest::predict_proba(const Matrix& x) const {
  AUDIFY_ASSERT(booster_ != nullptr);
  // XGBoost pads a narrower matrix with missing values instead of refusing it.
  bst_ulong features = 0;
  check(XGBoosterGetNumFeature(booster_, &features), "XGBoosterGetNumFeature");
  if (x.cols != features)
    fail("model random_forest: {} features given, {} learnt at fit time", x.cols, features);
  const DMatrix data(x);
  bst_ulong len = 0;
  const float* out = nullptr;
  check(XGBoosterPredict(booster_, data.h, 0, 0, 0, &len, &out), "XGBoosterPredict");
  AUDIFY_ASSERT(len == x.rows * static_cast<std::size_t>(n_classes_));
  Matrix p(x.rows, static_cast<std::size_t>(n_classes_));
  std::copy_n(out, len, p.data.begin());
  return p;
}

std::string XgboostForest::save() const {
  AUDIFY_ASSERT(booster_ != nullptr);
  bst_ulong len = 0;
  const char* buf = nullptr;
  check(XGBoosterSaveModelToBuffer(booster_, R"({"format": "json"})", &len, &buf),
        "XGBoosterSaveModelToBuffer");
  return std::string(buf, len);
}

std::unique_ptr<XgboostForest> XgboostForest::load(std::string_view bytes,
                                                   const std::string& source) {
  auto m = std::make_unique<XgboostForest>(ForestOptions{});
  if (XGBoosterCreate(nullptr, 0, &m->booster_) != 0 ||
      XGBoosterLoadModelFromBuffer(m->booster_, bytes.data(), bytes.size()) != 0)
    fail("{}: not an XGBoost model: {}", source, XGBGetLastError());
  // The class count lives in the learner's configuration, not in a C API getter.
  bst_ulong len = 0;
  const char* config = nullptr;
  check(XGBoosterSaveJsonConfig(m->booster_, &len, &config), "XGBoosterSaveJsonConfig");
  const auto j = nlohmann::json::parse(std::string_view(config, len), nullptr, false);
  const nlohmann::json::json_pointer num_class("/learner/learner_model_param/num_class");
  if (j.is_object() && j.contains(num_class) && j.at(num_class).is_string())
    m->n_classes_ = std::atoi(j.at(num_class).get<std::string>().c_str());
  if (m->n_classes_ < 2) fail("{}: XGBoost model is not a multi-class softprob model", source);
  return m;
}

}  // namespace audify
