#include "data/fetch/md5.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/progress.h"

namespace audify {

void Md5::FreeContext::operator()(evp_md_ctx_st* context) const {
  EVP_MD_CTX_free(context);
}

Md5::Md5() : context_(EVP_MD_CTX_new()) {
  AUDIFY_ASSERT(context_ != nullptr);
  AUDIFY_ASSERT(EVP_DigestInit_ex(context_.get(), EVP_md5(), nullptr) == 1);
}

void Md5::update(const void* data, std::size_t size) {
  AUDIFY_ASSERT(EVP_DigestUpdate(context_.get(), data, size) == 1);
}

std::string Md5::hex_digest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  AUDIFY_ASSERT(EVP_DigestFinal_ex(context_.get(), digest, &length) == 1);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xF];
  }
  return hex;
}

std::string md5_hex(std::string_view bytes) {
  Md5 md5;
  md5.update(bytes);
  return md5.hex_digest();
}

std::string md5_file_hex(const std::filesystem::path& path, Progress* progress) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) fail("{}: cannot open: {}", path.string(), std::strerror(errno));
  Md5 md5;
  std::vector<char> block(1 << 20);
  while (const std::size_t got = std::fread(block.data(), 1, block.size(), file.get())) {
    md5.update(block.data(), got);
    if (progress) progress->tick(got);
  }
  if (std::ferror(file.get())) fail("{}: read error: {}", path.string(), std::strerror(errno));
  return md5.hex_digest();
}

}  // namespace audify
