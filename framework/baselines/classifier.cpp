// The one place that maps a saved baseline's kind to its loader.
#include "baselines/classifier.h"

#include "baselines/random_forest.h"
#include "baselines/svm_rbf.h"

namespace audify {

std::unique_ptr<Classifier> load_classifier(std::string_view kind, std::string_view bytes,
                                            const std::string& source) {
  if (kind == "svm_rbf") return SvmRbf::load(bytes, source);
  if (kind == "random_forest") return load_random_forest(bytes, source);
  fail("{}: '{}' is not a baseline model kind (svm_rbf, random_forest)", source, kind);
}

}  // namespace audify
