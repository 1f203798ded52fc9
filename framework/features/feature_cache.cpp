#include "features/feature_cache.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

#include "core/atomic_file.h"

namespace audify {
namespace {

constexpr char kMagic[8] = {'A', 'U', 'D', 'F', 'E', 'A', 'T', '1'};

std::string hex128(XXH128_hash_t h) {
  return fmt::format("{:016x}{:016x}", h.high64, h.low64);
}

}  // namespace

FeatureCache::FeatureCache(std::filesystem::path dir, const std::string& options_fingerprint) {
  if (dir.empty()) return;
  dir_ = dir / "features" /
         hex128(XXH3_128bits(options_fingerprint.data(), options_fingerprint.size()));
}

std::string FeatureCache::content_key(std::span<const std::byte> bytes) {
  return hex128(XXH3_128bits(bytes.data(), bytes.size()));
}

std::filesystem::path FeatureCache::entry_path(const std::string& key) const {
  return dir_ / key.substr(0, 2) / (key + ".f32");
}

std::optional<std::vector<float>> FeatureCache::get(const std::string& key,
                                                    std::size_t expected_size) const {
  if (!enabled()) return std::nullopt;
  std::ifstream in(entry_path(key), std::ios::binary);
  if (!in) return std::nullopt;
  char magic[8];
  std::uint64_t n = 0;
  in.read(magic, sizeof magic);
  in.read(reinterpret_cast<char*>(&n), sizeof n);
  if (!in || std::memcmp(magic, kMagic, sizeof magic) != 0 || n != expected_size)
    return std::nullopt;
  std::vector<float> values(n);
  in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(n * sizeof(float)));
  if (!in) return std::nullopt;
  return values;
}

void FeatureCache::put(const std::string& key, std::span<const float> values) const {
  if (!enabled()) return;
  std::string blob(kMagic, sizeof kMagic);
  const std::uint64_t n = values.size();
  blob.append(reinterpret_cast<const char*>(&n), sizeof n);
  blob.append(reinterpret_cast<const char*>(values.data()), values.size_bytes());
  write_file_atomic(entry_path(key), blob);
}

std::filesystem::path FeatureCache::default_dir() {
  if (const char* v = std::getenv("AUDIFY_CACHE_DIR"); v && *v) return v;
  if (const char* v = std::getenv("XDG_CACHE_HOME"); v && *v)
    return std::filesystem::path(v) / "audify";
  if (const char* v = std::getenv("HOME"); v && *v)
    return std::filesystem::path(v) / ".cache" / "audify";
  return std::filesystem::temp_directory_path() / "audify-cache";
}

}  // namespace audify
