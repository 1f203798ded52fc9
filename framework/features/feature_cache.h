// An on-disk cache of per-clip feature rows, keyed by the file's content (XXH3-128 of its bytes)
// and the feature options' fingerprint: a second extraction is near-instant, and any changed
// option or changed file recomputes. Entries are written atomically and carry a checksum; a corrupt
// entry is a miss, with a warning, and is recomputed.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace audify {

class FeatureCache {
 public:
  // `dir` empty disables the cache (usually core/cache_root.h's root). `options_fingerprint` from
  // features/feature_options.h.
  FeatureCache(std::filesystem::path dir, const std::string& options_fingerprint);

  bool enabled() const { return !dir_.empty(); }
  static std::string content_key(std::span<const std::byte> file_bytes);

  std::optional<std::vector<float>> get(const std::string& key, std::size_t expected_size) const;
  void put(const std::string& key, std::span<const float> values) const;

 private:
  std::filesystem::path entry_path(const std::string& key) const;
  std::filesystem::path dir_;  // <root>/features/<options hash>
};

}  // namespace audify
