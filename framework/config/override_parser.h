// Command-line overrides in Hydra's grammar
// (https://hydra.cc/docs/advanced/override_grammar/basic):
//   key=value      change a key that the composed config has, or choose a group option (model=mlp)
//   +key=value     add a key (or a group, e.g. +experiment=NAME) that is not there yet
//   ++key=value    add or change
//   ~key, ~key=v   delete (a key, or a group from the defaults list; with a value, only if it
//   matches)
// Values are TOML values where they parse as one (1e-3, true, "x", [1,2]), else bare strings.
// Sweeps, for multirun: a top-level comma list (a=1,2,3; model.hidden=[100,200],[256]), choice(a,b)
// and range(start,stop[,step]) with Python's semantics (stop excluded). Quotes protect commas.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace audify {

enum class OverrideOp { set, add, force_add, remove };

struct Override {
  OverrideOp op = OverrideOp::set;
  std::string key;                  // dotted key, or a group name
  std::vector<std::string> values;  // value texts: one (plain), several (sweep), none (`~key`)
  bool sweep = false;               // a comma list, choice(...) or range(...): multirun only
  std::string text;                 // as written: named in errors, written to overrides.txt

  bool has_value() const { return !values.empty(); }
  const std::string& value() const { return values.front(); }  // the value of a plain override
};

// Parses one override; a malformed one throws audify::Error naming its text.
Override parse_override(std::string_view text);
std::vector<Override> parse_overrides(const std::vector<std::string>& texts);

// The plain override that sets value `index` of a (sweep) override, with its text rebuilt.
Override sweep_element(const Override& sweep, std::size_t index);

// Splits `text` at commas outside quotes and brackets; trims each piece.
std::vector<std::string> split_top_level(std::string_view text, std::string_view context);

// overrides.txt: one override text per line, in command-line order.
std::string overrides_text(const std::vector<Override>& overrides);

}  // namespace audify
