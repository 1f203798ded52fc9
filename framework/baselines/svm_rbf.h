// C-SVC with an RBF kernel (libsvm 3.24) on standardised features: scikit-learn's
// StandardScaler + SVC(C, gamma="scale"), with libsvm's Platt-scaled probabilities.
#pragma once

#include <memory>

#include "baselines/baseline_options.h"
#include "baselines/classifier.h"
#include "baselines/standardizer.h"

struct svm_model;

namespace audify {

class SvmRbf final : public Classifier {
 public:
  explicit SvmRbf(SvmOptions options);
  ~SvmRbf() override;
  SvmRbf(const SvmRbf&) = delete;
  SvmRbf& operator=(const SvmRbf&) = delete;

  std::string_view kind() const override { return "svm_rbf"; }
  void fit(const Matrix& x, std::span<const int> y, int n_classes) override;
  Matrix predict_proba(const Matrix& x) const override;
  // JSON: the standardiser, the chosen C and gamma, and libsvm's model text.
  std::string save() const override;
  int classes() const override { return n_classes_; }
  // From save()'s JSON; `source` names it in errors.
  static std::unique_ptr<SvmRbf> load(std::string_view bytes, const std::string& source);

  double fitted_C() const { return C_; }
  double fitted_gamma() const { return gamma_; }

 private:
  struct Trained;  // the libsvm model with the training data it points into
  SvmOptions options_;
  Standardizer standardizer_;
  std::unique_ptr<Trained> trained_;
  int n_classes_ = 0;
  double C_ = 0.0, gamma_ = 0.0;
};

}  // namespace audify
