// Picks the forest engine; saved bytes name their own engine by their first byte.
#include "baselines/random_forest.h"

#include "baselines/cart_forest.h"
#include "baselines/xgboost_forest.h"

namespace audify {

std::unique_ptr<Classifier> make_random_forest(const ForestOptions& options) {
  if (options.engine == ForestEngine::xgboost) return std::make_unique<XgboostForest>(options);
  return std::make_unique<CartForest>(options);
}

std::unique_ptr<Classifier> load_random_forest(std::string_view bytes, const std::string& source) {
  // XGBoost saves a JSON object; safetensors starts with its header's length, a multiple of 8,
  // so its first byte is never 0x7B.
  if (!bytes.empty() && bytes.front() == '{') return XgboostForest::load(bytes, source);
  return CartForest::load(bytes, source);
}

}  // namespace audify
