#include "config/options.h"

#include <optional>
#include <sstream>
#include <type_traits>

#include "config/key_suggestions.h"
#include "core/error.h"

namespace audify {
namespace {

std::string show(const toml::node& node) {
  std::ostringstream ss;
  if (node.is_string()) {
    ss << '"' << *node.value<std::string>() << '"';
  } else {
    node.visit([&ss](const auto& v) { ss << toml::toml_formatter(v); });
  }
  return ss.str();
}

// A TOML number as T: any number for double, an integer that fits for int.
template <typename T>
std::optional<T> number_as(const toml::node& n) {
  if constexpr (std::is_same_v<T, int>) {
    const auto v = n.value_exact<int64_t>();
    if (!v || *v < INT32_MIN || *v > INT32_MAX) return std::nullopt;
    return static_cast<int>(*v);
  } else {
    if (!(n.is_floating_point() || n.is_integer())) return std::nullopt;
    return n.value<double>();  // integers widen to double
  }
}

}  // namespace

void fail_bad_value(const std::string& key, const toml::node& node, std::string_view expected,
                    const std::string& where) {
  fail("{}: bad value {} for key '{}': expected {}", where, show(node), key, expected);
}

std::string OptionSchema::full_key(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

OptionSchema& OptionSchema::field(std::string_view key, int& ref, std::string_view doc) {
  fields_.push_back({std::string(key), std::string(doc),
                     [&ref, k = full_key(key)](const toml::node& n, const std::string& where) {
                       const std::optional<int> v = number_as<int>(n);
                       if (!v) fail_bad_value(k, n, "an integer", where);
                       ref = *v;
                     },
                     [&ref, k = std::string(key)](toml::table& t) { t.insert_or_assign(k, ref); }});
  return *this;
}

OptionSchema& OptionSchema::field(std::string_view key, double& ref, std::string_view doc) {
  fields_.push_back({std::string(key), std::string(doc),
                     [&ref, k = full_key(key)](const toml::node& n, const std::string& where) {
                       const std::optional<double> v = number_as<double>(n);
                       if (!v) fail_bad_value(k, n, "a number", where);
                       ref = *v;
                     },
                     [&ref, k = std::string(key)](toml::table& t) { t.insert_or_assign(k, ref); }});
  return *this;
}

OptionSchema& OptionSchema::field(std::string_view key, bool& ref, std::string_view doc) {
  fields_.push_back({std::string(key), std::string(doc),
                     [&ref, k = full_key(key)](const toml::node& n, const std::string& where) {
                       auto v = n.value_exact<bool>();
                       if (!v) fail_bad_value(k, n, "true or false", where);
                       ref = *v;
                     },
                     [&ref, k = std::string(key)](toml::table& t) { t.insert_or_assign(k, ref); }});
  return *this;
}

OptionSchema& OptionSchema::field(std::string_view key, std::string& ref, std::string_view doc) {
  fields_.push_back({std::string(key), std::string(doc),
                     [&ref, k = full_key(key)](const toml::node& n, const std::string& where) {
                       auto v = n.value_exact<std::string>();
                       if (!v) fail_bad_value(k, n, "a string", where);
                       ref = *v;
                     },
                     [&ref, k = std::string(key)](toml::table& t) { t.insert_or_assign(k, ref); }});
  return *this;
}

OptionSchema& OptionSchema::field(std::string_view key, std::vector<int>& ref,
                                  std::string_view doc) {
  fields_.push_back({std::string(key), std::string(doc),
                     [&ref, k = full_key(key)](const toml::node& n, const std::string& where) {
                       const toml::array* arr = n.as_array();
                       if (!arr) fail_bad_value(k, n, "a list of integers", where);
                       std::vector<int> out;
                       for (const toml::node& e : *arr) {
                         const std::optional<int> v = number_as<int>(e);
                         if (!v) fail_bad_value(k, n, "a list of integers", where);
                         out.push_back(*v);
                       }
                       ref = std::move(out);
                     },
                     [&ref, k = std::string(key)](toml::table& t) {
                       toml::array arr;
                       for (int v : ref) arr.push_back(v);
                       t.insert_or_assign(k, std::move(arr));
                     }});
  return *this;
}

OptionSchema& OptionSchema::field(std::string_view key, std::vector<std::string>& ref,
                                  std::string_view doc) {
  fields_.push_back({std::string(key), std::string(doc),
                     [&ref, k = full_key(key)](const toml::node& n, const std::string& where) {
                       const toml::array* arr = n.as_array();
                       if (!arr) fail_bad_value(k, n, "a list of strings", where);
                       std::vector<std::string> out;
                       for (const toml::node& e : *arr) {
                         auto v = e.value_exact<std::string>();
                         if (!v) fail_bad_value(k, n, "a list of strings", where);
                         out.push_back(*v);
                       }
                       ref = std::move(out);
                     },
                     [&ref, k = std::string(key)](toml::table& t) {
                       toml::array arr;
                       for (const std::string& v : ref) arr.push_back(v);
                       t.insert_or_assign(k, std::move(arr));
                     }});
  return *this;
}

OptionSchema& OptionSchema::field(std::string_view key, std::vector<double>& ref,
                                  std::string_view doc) {
  fields_.push_back({std::string(key), std::string(doc),
                     [&ref, k = full_key(key)](const toml::node& n, const std::string& where) {
                       const toml::array* arr = n.as_array();
                       if (!arr) fail_bad_value(k, n, "a list of numbers", where);
                       std::vector<double> out;
                       for (const toml::node& e : *arr) {
                         const std::optional<double> v = number_as<double>(e);
                         if (!v) fail_bad_value(k, n, "a list of numbers", where);
                         out.push_back(*v);
                       }
                       ref = std::move(out);
                     },
                     [&ref, k = std::string(key)](toml::table& t) {
                       toml::array arr;
                       for (double v : ref) arr.push_back(v);
                       t.insert_or_assign(k, std::move(arr));
                     }});
  return *this;
}

namespace {

template <typename T>
OptionSchema::Field number_or_name_field(std::string key, std::string full_key, std::string doc,
                                         T& ref, std::vector<std::pair<std::string, T>> options) {
  std::string expected = std::is_same_v<T, int> ? "an integer or one of" : "a number or one of";
  for (const auto& [name, value] : options) expected += " \"" + name + "\"";
  OptionSchema::Field f;
  f.key = std::move(key);
  f.doc = std::move(doc);
  f.set = [&ref, options, expected, k = std::move(full_key)](const toml::node& n,
                                                             const std::string& where) {
    if (auto s = n.value_exact<std::string>()) {
      const T* value = named_value(options, *s);
      if (!value) fail_bad_value(k, n, expected, where);
      ref = *value;
      return;
    }
    const std::optional<T> v = number_as<T>(n);
    if (!v) fail_bad_value(k, n, expected, where);
    ref = *v;
  };
  f.put = [&ref, options, k = f.key](toml::table& t) {
    for (const auto& [name, value] : options)
      if (value == ref) {
        t.insert_or_assign(k, name);
        return;
      }
    t.insert_or_assign(k, ref);
  };
  return f;
}

}  // namespace

OptionSchema& OptionSchema::number_or_name(
    std::string_view key, double& ref, std::initializer_list<std::pair<const char*, double>> names,
    std::string_view doc) {
  fields_.push_back(number_or_name_field<double>(std::string(key), full_key(key), std::string(doc),
                                                 ref, {names.begin(), names.end()}));
  return *this;
}

OptionSchema& OptionSchema::number_or_name(std::string_view key, int& ref,
                                           std::initializer_list<std::pair<const char*, int>> names,
                                           std::string_view doc) {
  fields_.push_back(number_or_name_field<int>(std::string(key), full_key(key), std::string(doc),
                                              ref, {names.begin(), names.end()}));
  return *this;
}

const OptionSchema::Field* OptionSchema::find(std::string_view key) const {
  for (const Field& f : fields_)
    if (f.key == key) return &f;
  return nullptr;
}

void OptionSchema::apply(const toml::table& table, const std::string& where) const {
  for (const auto& [key, node] : table) {
    const Field* f = find(key.str());
    if (!f) {
      std::string known;
      std::vector<std::string> full_keys;
      for (const Field& g : fields_) {
        known += (known.empty() ? "" : ", ") + g.key;
        full_keys.push_back(full_key(g.key));
      }
      const std::string unknown = full_key(key.str());
      fail("{}: unknown key '{}'{} (known keys: {})", where, unknown,
           did_you_mean(unknown, full_keys), known);
    }
    f->set(node, where);
  }
}

toml::table parse_override_value(std::string_view value) {
  try {
    return toml::parse("value = " + std::string(value));
  } catch (const toml::parse_error&) {
    toml::table t;
    t.insert("value", std::string(value));
    return t;
  }
}

void OptionSchema::apply_override(std::string_view key, std::string_view value,
                                  const std::string& where) const {
  toml::table t = parse_override_value(value);
  toml::table wrapped;
  wrapped.insert(key, *t.get("value"));
  apply(wrapped, where);
}

toml::table OptionSchema::to_table() const {
  toml::table t;
  for (const Field& f : fields_) f.put(t);
  return t;
}

std::string OptionSchema::describe() const {
  toml::table values = to_table();
  std::string out;
  for (const Field& f : fields_)
    out += fmt::format("  {:<28} = {:<14} {}\n", full_key(f.key), show(*values.get(f.key)), f.doc);
  return out;
}

}  // namespace audify
