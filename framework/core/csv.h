// Minimal RFC 4180 CSV helpers for Audify's tables (metadata, feature tables, predictions):
// quoted fields with commas or doubled quotes are read and written correctly.
#pragma once

#include <charconv>
#include <string>
#include <string_view>
#include <vector>

namespace audify::csv {

// Splits one line (without its newline) into fields, unquoting where needed.
std::vector<std::string> split_line(std::string_view line);
// Quotes a field when it holds a comma, quote or newline.
std::string escape(std::string_view field);

// Strict number parsing: the whole field must be a number. Return false otherwise.
bool parse_int(std::string_view field, int& out);
bool parse_float(std::string_view field, float& out);
bool parse_double(std::string_view field, double& out);

}  // namespace audify::csv
