#include "data/urbansound8k.h"

#include <fstream>

#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"

namespace audify {

Dataset load_urbansound8k(const std::filesystem::path& root) {
  const std::filesystem::path csv_path = root / "metadata" / "UrbanSound8K.csv";
  if (!std::filesystem::is_directory(root)) fail("{}: dataset folder not found", root.string());
  std::ifstream in(csv_path);
  if (!in)
    fail(
        "{}: metadata not found (expected the UrbanSound8K layout: audio/foldN/, "
        "metadata/UrbanSound8K.csv)",
        csv_path.string());
  std::string line;
  if (!std::getline(in, line)) fail("{}: empty metadata file", csv_path.string());
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line != kUrbanSoundHeader)
    fail("{}: unexpected header '{}' (expected '{}')", csv_path.string(), line, kUrbanSoundHeader);

  Dataset ds;
  ds.root = root;
  ds.class_names.assign(kUrbanSoundClasses.begin(), kUrbanSoundClasses.end());
  std::size_t line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == "\r") continue;
    const auto cells = csv::split_line(line);
    const auto where = [&] { return fmt::format("{}:{}", csv_path.string(), line_no); };
    if (cells.size() != 8) fail("{}: {} fields, expected 8", where(), cells.size());
    ClipInfo c;
    c.slice_file_name = cells[0];
    if (!csv::parse_int(cells[1], c.fs_id))
      fail("{}: fsID '{}' is not an integer", where(), cells[1]);
    if (!csv::parse_double(cells[2], c.start))
      fail("{}: start '{}' is not a number", where(), cells[2]);
    if (!csv::parse_double(cells[3], c.end))
      fail("{}: end '{}' is not a number", where(), cells[3]);
    if (!csv::parse_int(cells[4], c.salience))
      fail("{}: salience '{}' is not an integer", where(), cells[4]);
    if (!csv::parse_int(cells[5], c.fold) || c.fold < 1 || c.fold > 10)
      fail("{}: fold '{}' is not in 1..10", where(), cells[5]);
    if (!csv::parse_int(cells[6], c.class_id) || c.class_id < 0 || c.class_id > 9)
      fail("{}: classID '{}' is not in 0..9", where(), cells[6]);
    c.class_name = cells[7];
    if (c.class_name != kUrbanSoundClasses[static_cast<std::size_t>(c.class_id)])
      fail("{}: class '{}' does not match classID {} ('{}')", where(), c.class_name, c.class_id,
           kUrbanSoundClasses[static_cast<std::size_t>(c.class_id)]);
    if (c.slice_file_name.empty() || c.slice_file_name.find('/') != std::string::npos)
      fail("{}: bad slice_file_name '{}'", where(), c.slice_file_name);
    c.path = root / "audio" / fmt::format("fold{}", c.fold) / c.slice_file_name;
    (std::filesystem::exists(c.path) ? ds.clips : ds.missing).push_back(std::move(c));
  }
  return ds;
}

void write_urbansound8k_metadata(const std::filesystem::path& root,
                                 const std::vector<ClipInfo>& clips) {
  std::string out(kUrbanSoundHeader);
  out += '\n';
  for (const ClipInfo& c : clips)
    out += fmt::format("{},{},{},{},{},{},{},{}\n", csv::escape(c.slice_file_name), c.fs_id,
                       c.start, c.end, c.salience, c.fold, c.class_id, c.class_name);
  write_file_atomic(root / "metadata" / "UrbanSound8K.csv", out);
}

}  // namespace audify
