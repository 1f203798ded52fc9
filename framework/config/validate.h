// Validation of a composed config against the OptionSchemas of its tables: every leaf key must
// belong to a schema and hold a good value; errors name the file or override that set the key
// ("configs/model/mlp.toml: unknown key 'model.hiden' ...").
#pragma once

#include <string>
#include <vector>

#include "config/compose.h"
#include "config/options.h"

namespace audify {

// Applies each schema to the table at its prefix ("" for the top-level keys), key by key, so each
// key is reported with its own origin. A table no schema's prefix reaches is an unknown key.
void apply_schemas(const ComposedConfig& config, const std::vector<const OptionSchema*>& schemas);

// Every dotted key of the schemas ("train.epochs", "seed").
std::vector<std::string> schema_keys(const std::vector<const OptionSchema*>& schemas);

}  // namespace audify
