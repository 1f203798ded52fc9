// MD5 digests, because that is what the dataset publishers give (Zenodo's record, soundata's
// per-file indexes). Here they identify files and catch corruption; they are no defence against a
// deliberate forgery. Computed by OpenSSL's libcrypto.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace audify {

class Progress;

// An MD5 over bytes fed in pieces, for files too large to hold (the 6 GB UrbanSound8K archive).
class Md5 {
 public:
  Md5();
  void update(const void* data, std::size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  // The digest as 32 lower-case hex digits (md5sum's form); the object is spent afterwards.
  std::string hex_digest();

 private:
  struct FreeContext {
    void operator()(evp_md_ctx_st* context) const;
  };
  std::unique_ptr<evp_md_ctx_st, FreeContext> context_;
};

std::string md5_hex(std::string_view bytes);
// The MD5 of a file's bytes, read in 1 MiB blocks; ticks `progress` by bytes read when given.
// Throws audify::Error naming the file when it cannot be read.
std::string md5_file_hex(const std::filesystem::path& path, Progress* progress = nullptr);

}  // namespace audify
