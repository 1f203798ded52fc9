#include "features/frame_store.h"

#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"

namespace audify {
namespace {

constexpr char kFrameStoreMagic[8] = {'A', 'U', 'D', 'F', 'R', 'M', 'S', '1'};

template <typename T>
void put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
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
  std::string out(kFrameStoreMagic, sizeof kFrameStoreMagic);
  put(out, static_cast<std::uint64_t>(header.size()));
  out += header;
  const std::size_t floats_at = out.size();
  out.append(reinterpret_cast<const char*>(values_.data()), bytes());
  put(out, static_cast<std::uint64_t>(XXH3_64bits(out.data() + floats_at, bytes())));
  write_file_atomic(path, out);
}

FrameStore FrameStore::load(const std::filesystem::path& path, std::string* notes) {
  // Read straight into the store's buffer: one copy out of the page cache, not two (the 8732 clips
  // of UrbanSound8K are 774 MB).
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open the frame store", path.string());
  const auto read = [&](void* dst, std::size_t bytes) {
    if (!in.read(static_cast<char*>(dst), static_cast<std::streamsize>(bytes)))
      fail("{}: frame store is truncated", path.string());
  };
  std::error_code ec;
  const std::uintmax_t file_size = std::filesystem::file_size(path, ec);
  char magic[sizeof kFrameStoreMagic] = {};
  if (ec || file_size < sizeof kFrameStoreMagic + sizeof(std::uint64_t) ||
      !in.read(magic, sizeof magic) ||
      std::memcmp(magic, kFrameStoreMagic, sizeof kFrameStoreMagic) != 0)
    fail("{}: not an audify frame store", path.string());
  std::uint64_t header_size = 0;
  read(&header_size, sizeof header_size);
  if (header_size > file_size - sizeof kFrameStoreMagic - sizeof header_size)
    fail("{}: frame store is truncated", path.string());
  std::string header_text(header_size, '\0');
  read(header_text.data(), header_size);
  const auto header = nlohmann::json::parse(header_text, nullptr, false);
  if (!header.is_object() || !header.contains("bands") || !header.contains("frames"))
    fail("{}: frame store header is malformed", path.string());
  FrameStore store(header["bands"].get<int>());
  for (const auto& n : header["frames"])
    store.offsets_.push_back(store.offsets_.back() + n.get<std::size_t>());
  const std::size_t floats = store.offsets_.back() * static_cast<std::size_t>(store.bands_);
  const std::uintmax_t frame_bytes = file_size - sizeof kFrameStoreMagic - sizeof header_size -
                                     header_size - sizeof(std::uint64_t);
  if (file_size <
          sizeof kFrameStoreMagic + sizeof header_size + header_size + sizeof(std::uint64_t) ||
      frame_bytes != floats * sizeof(float))
    fail("{}: frame store holds {} bytes of frames, its header says {}", path.string(), frame_bytes,
         floats * sizeof(float));
  store.values_.resize(floats);
  read(store.values_.data(), store.bytes());
  std::uint64_t checksum = 0;
  read(&checksum, sizeof checksum);
  if (checksum != XXH3_64bits(store.values_.data(), store.bytes()))
    fail("{}: frame store checksum mismatch (a corrupt cache file)", path.string());
  if (notes) *notes = header.value("notes", "");
  return store;
}

}  // namespace audify
