#include "test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "data/feature_table.h"

namespace audify::test {

std::optional<std::filesystem::path> shared_dir() {
  const char* env = std::getenv("AUDIFY_SHARED_DIR");
  std::filesystem::path dir = env && *env ? env : AUDIFY_SHARED_DIR_DEFAULT;
  if (std::filesystem::is_directory(dir)) return std::filesystem::canonical(dir);
  return std::nullopt;
}

std::optional<std::filesystem::path> shared_path(const std::string& sub) {
  auto dir = shared_dir();
  if (!dir || !std::filesystem::exists(*dir / sub)) return std::nullopt;
  return *dir / sub;
}

void write_mfcc_mean_table(const std::filesystem::path& path, int rows) {
  FeatureTable t;
  for (int c = 0; c < 40; ++c) t.columns.push_back("mfcc_" + std::to_string(c));
  for (int r = 0; r < rows; ++r) {
    FeatureRow row{
        "clip" + std::to_string(r) + ".wav", r, 1 + r % 10, r % 2, r % 2 ? "b" : "a", {}};
    for (int c = 0; c < 40; ++c)
      row.values.push_back(static_cast<float>((c + r) % 7 + 10 * (r % 2)));
    t.rows.push_back(std::move(row));
  }
  write_feature_table(path, t);
}

TempDir::TempDir(const std::string& name) {
  path_ = std::filesystem::path(AUDIFY_BINARY_DIR) / "test-tmp" /
          (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Matrix read_numeric_csv(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) fail("{}: cannot open", path.string());
  Matrix m;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string cell;
    std::size_t cols = 0;
    while (std::getline(ss, cell, ',')) {
      m.data.push_back(std::stof(cell));
      ++cols;
    }
    if (m.rows == 0) m.cols = cols;
    if (cols != m.cols) fail("{}: ragged row {}", path.string(), m.rows + 1);
    ++m.rows;
  }
  return m;
}

std::string wav_header(int sample_rate, int channels, std::uint32_t data_bytes) {
  std::string h;
  const auto put = [&h](std::uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) h.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  const auto rate = static_cast<std::uint32_t>(sample_rate);
  const auto ch = static_cast<std::uint32_t>(channels);
  h += "RIFF";
  put(36 + data_bytes, 4);
  h += "WAVEfmt ";
  put(16, 4);
  put(1, 2);  // PCM
  put(ch, 2);
  put(rate, 4);
  put(rate * ch * 2, 4);  // bytes per second
  put(ch * 2, 2);         // block align
  put(16, 2);             // bits per sample
  h += "data";
  put(data_bytes, 4);
  return h;
}

std::filesystem::path audify_binary() {
  const char* env = std::getenv("AUDIFY_BIN");
  if (env && *env) return env;
  return std::filesystem::path(AUDIFY_BINARY_DIR) / "audify";
}

int run_command(const std::string& command, std::string* output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> buf;
  std::string out;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  if (output) *output = std::move(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace audify::test
