// The feature-table CSV reader, and its round trip: a table it accepts writes back out and reads
// back the same (labels, names, and every value bit for bit).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/error.h"
#include "data/feature_table.h"
#include "fuzz_support.h"

namespace {

// The writer leaves unknown labels empty, so any negative label reads back as -1.
int label(int v) {
  return v < 0 ? -1 : v;
}

bool same_row(const audify::FeatureRow& a, const audify::FeatureRow& b) {
  return a.slice_file_name == b.slice_file_name && label(a.fs_id) == label(b.fs_id) &&
         label(a.fold) == label(b.fold) && label(a.class_id) == label(b.class_id) &&
         a.class_name == b.class_name && a.values.size() == b.values.size() &&
         std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = audify::fuzz::write_scratch("features.csv", audify::fuzz::as_text(data, size));
  audify::FeatureTable table;
  try {
    table = audify::read_feature_table(path);
  } catch (const audify::Error&) {
    return 0;
  }
  const auto copy = audify::fuzz::scratch_dir() / "copy.csv";
  audify::write_feature_table(copy, table);
  const audify::FeatureTable back = audify::read_feature_table(copy);
  if (back.columns != table.columns || back.rows.size() != table.rows.size()) __builtin_trap();
  for (std::size_t i = 0; i < table.rows.size(); ++i)
    if (!same_row(table.rows[i], back.rows[i])) __builtin_trap();
  return 0;
}
