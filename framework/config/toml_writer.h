// Writes a toml::table as TOML text a person reads: floats in their shortest round-trip form
// (1e-3, not toml++'s 0.0010000000000000000208), double-quoted strings, one [section] per table.
#pragma once

#include <toml++/toml.h>

#include <string>

namespace audify {

// The resolved config as TOML text (for --cfg and the run directory's config.toml); parsing it
// gives back an equal table.
std::string to_toml_string(const toml::table& table);

}  // namespace audify
