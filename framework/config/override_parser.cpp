// Hydra's override grammar, hand-parsed: the key, the operator prefix, and the value or sweep.
#include "config/override_parser.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <optional>

#include "core/error.h"

namespace audify {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool valid_key(std::string_view key) {
  if (key.empty() || key.front() == '.' || key.back() == '.' || key.front() == '/' ||
      key.back() == '/')
    return false;
  char prev = 0;
  for (char c : key) {
    const bool sep = c == '.' || c == '/';
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || sep)) return false;
    if (sep && (prev == '.' || prev == '/')) return false;
    prev = c;
  }
  return true;
}

std::string_view prefix_of(OverrideOp op) {
  switch (op) {
    case OverrideOp::add:
      return "+";
    case OverrideOp::force_add:
      return "++";
    case OverrideOp::remove:
      return "~";
    case OverrideOp::set:
      break;
  }
  return "";
}

// `name(args)` -> args, when `value` is a call of `name`.
std::optional<std::string_view> call_args(std::string_view value, std::string_view name) {
  if (value.size() < name.size() + 2 || value.substr(0, name.size()) != name) return std::nullopt;
  std::string_view rest = trim(value.substr(name.size()));
  if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') return std::nullopt;
  return rest.substr(1, rest.size() - 2);
}

// A sweep over more values of one key than this is a typo (multirun's limit on all points is in
// config/sweep.cpp).
constexpr std::size_t kMaxRangeValues = 100'000;

struct Number {
  bool integer = true;
  long long i = 0;
  double d = 0;
};

Number parse_number(std::string_view s, const std::string& text) {
  const std::string str(trim(s));
  Number n;
  std::size_t used = 0;
  try {
    if (str.find_first_of(".eE") == std::string::npos && str.find("inf") == std::string::npos) {
      n.i = std::stoll(str, &used);
      n.d = static_cast<double>(n.i);
    } else {
      n.integer = false;
      n.d = std::stod(str, &used);
    }
  } catch (const std::exception&) {
    used = 0;
  }
  if (str.empty() || used != str.size() || !std::isfinite(n.d))
    fail("override '{}': range() argument '{}' is not a number", text, str);
  return n;
}

// Float range values printed so that TOML reads them back as floats, without 0.30000000000000004.
std::string float_text(double x) {
  std::string s = fmt::format("{:.12g}", x);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

std::vector<std::string> expand_range(std::string_view args, const std::string& text) {
  const std::vector<std::string> parts = split_top_level(args, text);
  if (parts.size() < 2 || parts.size() > 3)
    fail("override '{}': range() takes (start, stop) or (start, stop, step)", text);
  Number start = parse_number(parts[0], text), stop = parse_number(parts[1], text), step;
  step.i = 1;
  step.d = 1;
  if (parts.size() == 3) step = parse_number(parts[2], text);
  if (step.d == 0) fail("override '{}': range() step must not be zero", text);
  // Bounded: a long range would exhaust memory one string at a time, and a stop near the end of
  // long long would overflow the loop variable.
  std::vector<std::string> out;
  const auto append = [&](std::string value) {
    if (out.size() == kMaxRangeValues)
      fail("override '{}': range() has over {} values", text, kMaxRangeValues);
    out.push_back(std::move(value));
  };
  if (start.integer && stop.integer && step.integer) {
    for (long long v = start.i; step.i > 0 ? v < stop.i : v > stop.i;) {
      append(std::to_string(v));
      if (__builtin_add_overflow(v, step.i, &v)) break;
    }
  } else {
    const double count = std::ceil((stop.d - start.d) / step.d);
    for (long long k = 0; static_cast<double>(k) < count; ++k)
      append(float_text(start.d + static_cast<double>(k) * step.d));
  }
  if (out.empty()) fail("override '{}': range() is empty", text);
  return out;
}

}  // namespace

std::vector<std::string> split_top_level(std::string_view text, std::string_view context) {
  std::vector<std::string> out;
  int depth = 0;
  char quote = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == '\\' && quote == '"')
        ++i;  // TOML basic strings escape; literal ('') strings do not
      else if (c == quote)
        quote = 0;
      continue;
    }
    if (c == '"' || c == '\'')
      quote = c;
    else if (c == '[' || c == '{' || c == '(')
      ++depth;
    else if (c == ']' || c == '}' || c == ')') {
      if (--depth < 0) fail("override '{}': unbalanced '{}'", context, c);
    } else if (c == ',' && depth == 0) {
      out.emplace_back(trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (quote) fail("override '{}': unterminated quote", context);
  if (depth != 0) fail("override '{}': unbalanced brackets", context);
  out.emplace_back(trim(text.substr(start)));
  return out;
}

Override parse_override(std::string_view raw) {
  Override o;
  o.text = std::string(trim(raw));
  std::string_view s = o.text;
  if (s.starts_with("++")) {
    o.op = OverrideOp::force_add;
    s.remove_prefix(2);
  } else if (s.starts_with("+")) {
    o.op = OverrideOp::add;
    s.remove_prefix(1);
  } else if (s.starts_with("~")) {
    o.op = OverrideOp::remove;
    s.remove_prefix(1);
  }
  const std::size_t eq = s.find('=');
  o.key = std::string(trim(s.substr(0, eq)));
  if (o.key.find('@') != std::string::npos)
    fail("override '{}': package overrides (@) are not supported", o.text);
  if (!valid_key(o.key))
    fail("override '{}': bad key '{}' (expected key=value, +key=value, ++key=value or ~key)",
         o.text, o.key);
  if (eq == std::string_view::npos) {
    if (o.op != OverrideOp::remove)
      fail("override '{}': missing '=' (expected key=value; ~key deletes)", o.text);
    return o;
  }
  const std::string_view value = trim(s.substr(eq + 1));
  if (auto args = call_args(value, "range")) {
    o.values = expand_range(*args, o.text);
    o.sweep = true;
  } else if (auto choices = call_args(value, "choice")) {
    o.values = split_top_level(*choices, o.text);
    o.sweep = true;
  } else {
    o.values = split_top_level(value, o.text);
    o.sweep = o.values.size() > 1;
  }
  if (o.sweep) {
    for (const std::string& v : o.values)
      if (v.empty()) fail("override '{}': empty value in a sweep", o.text);
    if (o.op == OverrideOp::remove) fail("override '{}': a deletion cannot sweep", o.text);
  }
  return o;
}

std::vector<Override> parse_overrides(const std::vector<std::string>& texts) {
  std::vector<Override> out;
  out.reserve(texts.size());
  for (const std::string& t : texts) out.push_back(parse_override(t));
  return out;
}

Override sweep_element(const Override& sweep, std::size_t index) {
  AUDIFY_ASSERT(index < sweep.values.size());
  Override o;
  o.op = sweep.op;
  o.key = sweep.key;
  o.values = {sweep.values[index]};
  o.text = fmt::format("{}{}={}", prefix_of(sweep.op), sweep.key, sweep.values[index]);
  return o;
}

std::string overrides_text(const std::vector<Override>& overrides) {
  std::string out;
  for (const Override& o : overrides) out += o.text + "\n";
  return out;
}

}  // namespace audify
