// A small TOML emitter: scalars and arrays of a table first, then its sub-tables as [a.b] sections
// (arrays of tables are written inline, which TOML allows and configs here do not use).
#include "config/toml_writer.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <sstream>

namespace audify {
namespace {

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        else
          out += c;
    }
  }
  return out + "\"";
}

std::string key_text(std::string_view key) {
  bool bare = !key.empty();
  for (char c : key)
    bare = bare && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  return bare ? std::string(key) : quote(key);
}

std::string float_text(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::string s = fmt::format("{}", x);  // shortest text that reads back as the same double
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string value_text(const toml::node& node) {
  if (auto s = node.as_string()) return quote(s->get());
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (auto f = node.as_floating_point()) return float_text(f->get());
  if (auto b = node.as_boolean()) return b->get() ? "true" : "false";
  if (auto a = node.as_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < a->size(); ++i) out += (i ? ", " : "") + value_text(*a->get(i));
    return out + "]";
  }
  if (auto t = node.as_table()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : *t) {
      out += (first ? " " : ", ") + key_text(k.str()) + " = " + value_text(v);
      first = false;
    }
    return out + (first ? "}" : " }");
  }
  std::ostringstream ss;  // dates and times: toml++ spells them correctly
  node.visit([&ss](const auto& v) { ss << toml::toml_formatter(v); });
  return ss.str();
}

void write_table(std::string& out, const toml::table& table, const std::string& path) {
  for (const auto& [k, v] : table)
    if (!v.is_table()) out += key_text(k.str()) + " = " + value_text(v) + "\n";
  for (const auto& [k, v] : table) {
    if (!v.is_table()) continue;
    const std::string sub = path.empty() ? key_text(k.str()) : path + "." + key_text(k.str());
    if (!out.empty()) out += "\n";
    out += "[" + sub + "]\n";
    write_table(out, *v.as_table(), sub);
  }
}

}  // namespace

std::string to_toml_string(const toml::table& table) {
  std::string out;
  write_table(out, table, "");
  return out;
}

}  // namespace audify
