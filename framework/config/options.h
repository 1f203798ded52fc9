// Options structs describe their TOML keys once, in a `bind(OptionSchema&, Struct&)` function (the
// Kaldi `Register()` pattern). The schema then reads a TOML table into the struct (unknown keys and
// wrong types are errors naming the key and where it came from), writes the struct back out as a
// resolved table, and documents every key for `--help`.
#pragma once

#include <toml++/toml.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace audify {

class OptionSchema {
 public:
  struct Field {
    std::string key;
    std::string doc;
    // Sets the value from a TOML node; `where` names the file or override it came from.
    std::function<void(const toml::node&, const std::string& where)> set;
    std::function<void(toml::table&)> put;  // writes the current value under `key`
  };

  explicit OptionSchema(std::string prefix) : prefix_(std::move(prefix)) {}

  OptionSchema& field(std::string_view key, int& ref, std::string_view doc);
  OptionSchema& field(std::string_view key, double& ref, std::string_view doc);
  OptionSchema& field(std::string_view key, bool& ref, std::string_view doc);
  OptionSchema& field(std::string_view key, std::string& ref, std::string_view doc);
  OptionSchema& field(std::string_view key, std::vector<int>& ref, std::string_view doc);
  OptionSchema& field(std::string_view key, std::vector<std::string>& ref, std::string_view doc);
  OptionSchema& field(std::string_view key, std::vector<double>& ref, std::string_view doc);
  // A number, or one of a few names standing for sentinel values (gamma = "scale" stored as 0);
  // the int one takes integers only (eval.curve_every = "auto").
  OptionSchema& number_or_name(std::string_view key, double& ref,
                               std::initializer_list<std::pair<const char*, double>> names,
                               std::string_view doc);
  OptionSchema& number_or_name(std::string_view key, int& ref,
                               std::initializer_list<std::pair<const char*, int>> names,
                               std::string_view doc);

  // An enum spelled as one of a fixed set of strings in the config.
  template <typename E>
  OptionSchema& choice(std::string_view key, E& ref,
                       std::initializer_list<std::pair<const char*, E>> names,
                       std::string_view doc);

  const std::string& prefix() const { return prefix_; }
  const std::vector<Field>& fields() const { return fields_; }
  const Field* find(std::string_view key) const;

  // Applies every key of `table`; a key the schema lacks is an error naming it and `where`.
  void apply(const toml::table& table, const std::string& where) const;
  // Applies one `key=value` override; `value` is parsed as a TOML value, or taken as a bare string.
  void apply_override(std::string_view key, std::string_view value, const std::string& where) const;
  toml::table to_table() const;
  std::string describe() const;  // one line per key: `prefix.key  (current value)  doc`

 private:
  std::string full_key(std::string_view key) const;
  std::string prefix_;
  std::vector<Field> fields_;
};

// Parses the text of an override value as TOML (`1e-3`, `true`, `[1,2]`, `"x"`); text that is not
// a TOML value is kept as a string, as Hydra does for bare words.
toml::table parse_override_value(std::string_view value);

[[noreturn]] void fail_bad_value(const std::string& key, const toml::node& node,
                                 std::string_view expected, const std::string& where);

// The value `name` stands for among `options`, or nullptr (choice and number_or_name).
template <typename T>
const T* named_value(const std::vector<std::pair<std::string, T>>& options,
                     const std::string& name) {
  for (const auto& [option, value] : options)
    if (option == name) return &value;
  return nullptr;
}

template <typename E>
OptionSchema& OptionSchema::choice(std::string_view key, E& ref,
                                   std::initializer_list<std::pair<const char*, E>> names,
                                   std::string_view doc) {
  std::vector<std::pair<std::string, E>> options(names.begin(), names.end());
  std::string expected = "one of";
  for (const auto& [name, value] : options) expected += " " + name;
  const std::string full = full_key(key);
  fields_.push_back(
      Field{std::string(key), std::string(doc) + " (" + expected + ")",
            [&ref, options, expected, full](const toml::node& node, const std::string& where) {
              if (auto s = node.value<std::string>())
                if (const E* value = named_value(options, *s)) {
                  ref = *value;
                  return;
                }
              fail_bad_value(full, node, expected, where);
            },
            [&ref, options, k = std::string(key)](toml::table& t) {
              for (const auto& [name, value] : options)
                if (value == ref) t.insert_or_assign(k, name);
            }});
  return *this;
}

}  // namespace audify
