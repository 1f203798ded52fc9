// The interface every classical baseline (SVM, random forest) implements, so that the runner
// trains and evaluates them the same way as the MLP. Features in, class probabilities out.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/matrix.h"

namespace audify {

class Classifier {
 public:
  virtual ~Classifier() = default;
  virtual std::string_view kind() const = 0;  // the model.kind spelling, e.g. "svm_rbf"
  // x: (rows, features); y: one label in [0, n_classes) per row.
  virtual void fit(const Matrix& x, std::span<const int> y, int n_classes) = 0;
  virtual Matrix predict_proba(const Matrix& x) const = 0;  // (rows, n_classes), rows sum to 1
  virtual std::string save() const = 0;                     // opaque bytes to store in the run dir
  virtual std::string_view save_suffix() const { return ".json"; }  // the bytes' file extension
  virtual int classes() const = 0;                                  // 0 before fit
};

// The inverse of Classifier::save() for a model of `kind` (svm_rbf | random_forest); `source`
// names the bytes in errors. Throws audify::Error for bytes that are not such a model.
std::unique_ptr<Classifier> load_classifier(std::string_view kind, std::string_view bytes,
                                            const std::string& source);

// Labels outside [0, n_classes) are a user fault (a bad classID column): throws audify::Error.
inline void check_labels(std::span<const int> y, int n_classes, std::string_view kind) {
  for (std::size_t i = 0; i < y.size(); ++i)
    if (y[i] < 0 || y[i] >= n_classes)
      fail("model {}: label {} of row {} is outside [0, {})", kind, y[i], i, n_classes);
}

// Index of the largest probability in each row (ties to the lowest class).
inline std::vector<int> argmax_rows(const Matrix& p) {
  std::vector<int> out(p.rows, 0);
  for (std::size_t r = 0; r < p.rows; ++r)
    for (std::size_t c = 1; c < p.cols; ++c)
      if (p(r, c) > p(r, static_cast<std::size_t>(out[r]))) out[r] = static_cast<int>(c);
  return out;
}

}  // namespace audify
