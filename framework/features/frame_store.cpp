#include "features/frame_store.h"

#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"

namespace audify {
namespace {

constexpr char kMagic[8] = {'A', 'U', 'D', 'F', 'R', 'M', 'S', '1'};

template <typename T>
void put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
T take(const std::string& blob, std::size_t& at, const std::filesystem::path& path) {
  T value{};
  if (at + sizeof value > blob.size()) fail("{}: frame store is truncated", path.string());
  std::memcpy(&value, blob.data() + at, sizeof value);
  at += sizeof value;
  return value;
}

}  // namespace

void FrameStore::append(const Matrix& frames) {
  if (static_cast<int>(frames.cols) != bands_)
    fail("frame store: a clip of {} bands in a store of {}", frames.cols, bands_);
  values_.insert(values_.end(), frames.data.begin(), frames.data.end());
  offsets_.push_back(offsets_.back() + frames.rows);
}

FrameStore FrameStore::subset(std::span<const std::size_t> clips) const {
  FrameStore out(bands_);
  for (std::size_t c : clips) {
    const std::span<const float> v = clip(c);
    out.values_.insert(out.values_.end(), v.begin(), v.end());
    out.offsets_.push_back(out.offsets_.back() + static_cast<std::size_t>(frames(c)));
  }
  return out;
}

std::vector<std::span<const float>> FrameVariants::of(std::size_t clip) const {
  std::vector<std::span<const float>> out;
  for (std::size_t v = 0; v < stores.size(); ++v)
    if (clip_of[v][clip] >= 0)
      out.push_back(stores[v].clip(static_cast<std::size_t>(clip_of[v][clip])));
  return out;
}

void FrameStore::save(const std::filesystem::path& path, const std::string& notes) const {
  std::vector<int> counts(clips());
  for (std::size_t i = 0; i < clips(); ++i) counts[i] = frames(i);
  const std::string header =
      nlohmann::json{{"bands", bands_}, {"frames", counts}, {"notes", notes}}.dump();
  std::string out(kMagic, sizeof kMagic);
  put(out, static_cast<std::uint64_t>(header.size()));
  out += header;
  const std::size_t floats_at = out.size();
  out.append(reinterpret_cast<const char*>(values_.data()), bytes());
  put(out, static_cast<std::uint64_t>(XXH3_64bits(out.data() + floats_at, bytes())));
  write_file_atomic(path, out);
}

FrameStore FrameStore::load(const std::filesystem::path& path, std::string* notes) {
  const std::string blob = read_file(path);
  if (blob.size() < sizeof kMagic || std::memcmp(blob.data(), kMagic, sizeof kMagic) != 0)
    fail("{}: not an audify frame store", path.string());
  std::size_t at = sizeof kMagic;
  const auto header_size = take<std::uint64_t>(blob, at, path);
  if (header_size > blob.size() - at) fail("{}: frame store is truncated", path.string());
  const auto header = nlohmann::json::parse(blob.substr(at, header_size), nullptr, false);
  at += header_size;
  if (!header.is_object() || !header.contains("bands") || !header.contains("frames"))
    fail("{}: frame store header is malformed", path.string());
  FrameStore store(header["bands"].get<int>());
  for (const auto& n : header["frames"])
    store.offsets_.push_back(store.offsets_.back() + n.get<std::size_t>());
  const std::size_t floats = store.offsets_.back() * static_cast<std::size_t>(store.bands_);
  if (blob.size() - at != floats * sizeof(float) + sizeof(std::uint64_t))
    fail("{}: frame store holds {} bytes of frames, its header says {}", path.string(),
         blob.size() - at - sizeof(std::uint64_t), floats * sizeof(float));
  store.values_.resize(floats);
  std::memcpy(store.values_.data(), blob.data() + at, floats * sizeof(float));
  at += floats * sizeof(float);
  if (take<std::uint64_t>(blob, at, path) != XXH3_64bits(store.values_.data(), store.bytes()))
    fail("{}: frame store checksum mismatch (a corrupt cache file)", path.string());
  if (notes) *notes = header.value("notes", "");
  return store;
}

}  // namespace audify
