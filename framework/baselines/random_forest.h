// model=random_forest: the engine named by model.engine behind the Classifier interface.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "baselines/baseline_options.h"
#include "baselines/classifier.h"

namespace audify {

std::unique_ptr<Classifier> make_random_forest(const ForestOptions& options);
// Either engine's save() bytes: XGBoost's JSON model or the CART forest's safetensors.
std::unique_ptr<Classifier> load_random_forest(std::string_view bytes, const std::string& source);

}  // namespace audify
