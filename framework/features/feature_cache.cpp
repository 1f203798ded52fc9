#include "features/feature_cache.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <xxhash.h>

#include <cstring>
#include <string_view>

#include "core/atomic_file.h"

namespace audify {
namespace {

// Entry layout: magic, u64 n, n float32 values, u64 XXH3-64 of everything before it. Version 1
// entries had no checksum; their magic no longer matches, so they are recomputed and replaced.
constexpr char kFeatureCacheMagic[8] = {'A', 'U', 'D', 'F', 'E', 'A', 'T', '2'};
constexpr std::size_t kHeaderBytes = sizeof kFeatureCacheMagic + sizeof(std::uint64_t);
constexpr std::size_t kChecksumBytes = sizeof(XXH64_hash_t);

std::string hex128(XXH128_hash_t h) {
  return fmt::format("{:016x}{:016x}", h.high64, h.low64);
}

// The entry holds `n` values and its checksum matches: a flipped byte or a torn entry is caught.
bool intact(const std::string& blob, std::size_t n) {
  if (blob.size() != kHeaderBytes + n * sizeof(float) + kChecksumBytes) return false;
  std::uint64_t stored_n = 0;
  XXH64_hash_t stored = 0;
  std::memcpy(&stored_n, blob.data() + sizeof kFeatureCacheMagic, sizeof stored_n);
  std::memcpy(&stored, blob.data() + blob.size() - kChecksumBytes, sizeof stored);
  return stored_n == n && XXH3_64bits(blob.data(), blob.size() - kChecksumBytes) == stored;
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
  const std::filesystem::path path = entry_path(key);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::string blob;
  try {
    blob = read_file(path);
  } catch (const std::exception& e) {
    spdlog::warn("feature cache: {}; recomputing", e.what());
    return std::nullopt;
  }
  const std::string_view magic(kFeatureCacheMagic, sizeof kFeatureCacheMagic);
  // An entry of another format version (the magic's last character differs) is replaced quietly.
  if (!blob.starts_with(magic) && blob.starts_with(magic.substr(0, magic.size() - 1)))
    return std::nullopt;
  if (!blob.starts_with(magic) || !intact(blob, expected_size)) {
    spdlog::warn("feature cache: {} is corrupt (size or checksum mismatch); recomputing",
                 path.string());
    return std::nullopt;
  }
  std::vector<float> values(expected_size);
  std::memcpy(values.data(), blob.data() + kHeaderBytes, values.size() * sizeof(float));
  return values;
}

void FeatureCache::put(const std::string& key, std::span<const float> values) const {
  if (!enabled()) return;
  std::string blob(kFeatureCacheMagic, sizeof kFeatureCacheMagic);
  const std::uint64_t n = values.size();
  blob.append(reinterpret_cast<const char*>(&n), sizeof n);
  blob.append(reinterpret_cast<const char*>(values.data()), values.size_bytes());
  const XXH64_hash_t checksum = XXH3_64bits(blob.data(), blob.size());
  blob.append(reinterpret_cast<const char*>(&checksum), sizeof checksum);
  write_file_atomic(entry_path(key), blob);
}

}  // namespace audify
