// The classical baselines (baselines/: svm_rbf, random_forest) as runner model families: one fit,
// no epochs, the fitted model's bytes stored beside model.safetensors.
#pragma once

#include "experiment/model_factory.h"

namespace audify {

const ModelKind& svm_rbf_kind();
const ModelKind& random_forest_kind();

}  // namespace audify
