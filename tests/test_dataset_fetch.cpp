// `audify dataset fetch` against an HTTP server on 127.0.0.1 (there is no internet here): a small
// release in UrbanSound8K's and ESC-50's real layouts, built by the test with libarchive, served by
// cpp-httplib in-process. A complete fetch, a download that resumes after the server drops the
// connection and from an existing .part file, a corrupted file (named, with both digests), a bad
// archive checksum, a 404 naming the URL; the md5 against RFC 1321's vectors and the committed
// indexes against the real sample clips when ../shared has them.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/fetch/archive_extract.h"
#include "data/fetch/dataset_fetch.h"
#include "data/fetch/file_index.h"
#include "data/fetch/md5.h"
#include "data/wav_writer.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;
using Files = std::map<std::string, std::string>;  // path in the release -> bytes

// A tiny noisy WAV (noise, so the archive does not compress to nothing and a drop lands midway).
std::string wav_bytes(const fs::path& scratch, unsigned seed) {
  std::vector<float> samples(4000);
  unsigned state = seed * 2654435761u + 1;
  for (auto& s : samples) {
    state = state * 1664525u + 1013904223u;
    s = 0.5f * static_cast<float>(state >> 8) / static_cast<float>(1u << 24) - 0.25f;
  }
  const fs::path path = scratch / ("clip" + std::to_string(seed) + ".wav");
  write_wav_atomic(path, samples, {16000, 1, WavSample::kPcm16});
  return read_file(path);
}

Files urbansound_release(const fs::path& scratch) {
  return {{"audio/fold1/100032-3-0-0.wav", wav_bytes(scratch, 1)},
          {"audio/fold1/100263-2-0-117.wav", wav_bytes(scratch, 2)},
          {"audio/fold2/100652-3-0-0.wav", wav_bytes(scratch, 3)},
          {"audio/fold10/100648-1-0-0.wav", wav_bytes(scratch, 4)},
          {"metadata/UrbanSound8K.csv",
           "slice_file_name,fsID,start,end,salience,fold,classID,class\n"
           "100032-3-0-0.wav,100032,0.0,0.317551,1,1,3,dog_bark\n"}};
}

FileIndex index_of(const Files& files) {
  FileIndex index;
  for (const auto& [path, bytes] : files) index.md5_by_path[path] = md5_hex(bytes);
  return index;
}

// The archive's bytes: `files` under `top/`, plus a README the index does not list.
std::string make_archive(const fs::path& scratch, const Files& files, const std::string& top,
                         bool zip) {
  const fs::path path = scratch / (zip ? "release.zip" : "release.tar.gz");
  struct archive* writer = archive_write_new();
  if (zip) {
    archive_write_set_format_zip(writer);
  } else {
    archive_write_set_format_pax_restricted(writer);
    archive_write_add_filter_gzip(writer);
  }
  EXPECT_EQ(archive_write_open_filename(writer, path.c_str()), ARCHIVE_OK);
  auto add = [&](const std::string& name, const std::string& bytes, bool folder) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, name.c_str());
    archive_entry_set_filetype(entry, folder ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(entry, folder ? 0755 : 0644);
    archive_entry_set_size(entry, folder ? 0 : static_cast<la_int64_t>(bytes.size()));
    EXPECT_EQ(archive_write_header(writer, entry), ARCHIVE_OK);
    if (!folder) archive_write_data(writer, bytes.data(), bytes.size());
    archive_entry_free(entry);
  };
  add(top + "/", "", true);
  add(top + "/README.txt", "not in the index\n", false);
  for (const auto& [name, bytes] : files) add(top + "/" + name, bytes, false);
  archive_write_close(writer);
  archive_write_free(writer);
  return read_file(path);
}

// Serves named bodies over loopback with Range support; can drop the first connection midway.
class ArchiveServer {
 public:
  ArchiveServer() {
    server_.Get(R"(/(.+))", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      ranges_.push_back(request.get_header_value("Range"));
      const auto body = bodies_.find(request.matches[1]);
      if (body == bodies_.end()) {
        response.status = 404;
        return;
      }
      const bool drop = drop_first_after_ > 0 && ranges_.size() == 1;
      const std::string* bytes = &body->second;
      if (ignore_ranges_) {  // the whole body, chunked, whatever the Range header asked for
        response.status = 200;
        response.set_chunked_content_provider("application/octet-stream",
                                              [this, bytes](std::size_t, httplib::DataSink& sink) {
                                                sink.write(bytes->data(), bytes->size());
                                                bytes_sent_ += bytes->size();
                                                sink.done();
                                                return true;
                                              });
        return;
      }
      response.set_content_provider(
          bytes->size(), "application/octet-stream",
          [this, bytes, drop](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
            if (drop && offset >= drop_first_after_) return false;  // the connection breaks
            const std::size_t n = std::min<std::size_t>(length, 4096);
            sink.write(bytes->data() + offset, n);
            bytes_sent_ += n;
            return true;
          });
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ArchiveServer() {
    server_.stop();
    thread_.join();
  }
  void serve(const std::string& name, std::string bytes) { bodies_[name] = std::move(bytes); }
  void drop_first_connection_after(std::size_t bytes) { drop_first_after_ = bytes; }
  void ignore_ranges() { ignore_ranges_ = true; }
  std::string url(const std::string& name) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + name;
  }
  std::vector<std::string> ranges() {
    std::lock_guard lock(mutex_);
    return ranges_;
  }
  std::size_t bytes_sent() const { return bytes_sent_; }

 private:
  httplib::Server server_;
  std::map<std::string, std::string> bodies_;
  std::size_t drop_first_after_ = 0;
  bool ignore_ranges_ = false;
  std::atomic<std::size_t> bytes_sent_{0};
  std::mutex mutex_;
  std::vector<std::string> ranges_;
  int port_ = 0;
  std::thread thread_;
};

class DatasetFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    files_ = urbansound_release(dir_.path());
    archive_ = make_archive(dir_.path(), files_, "UrbanSound8K", false);
    server_.serve("UrbanSound8K.tar.gz", archive_);
    source_ = {"urbansound8k", server_.url("UrbanSound8K.tar.gz"), "UrbanSound8K.tar.gz",
               md5_hex(archive_), "UrbanSound8K"};
    options_.to = dir_.path() / "us8k";
    options_.download.first_retry_delay = std::chrono::milliseconds(10);
  }
  fs::path staging() const { return dir_.path() / "us8k.download"; }
  // The fetch's message, or "" when it succeeded.
  std::string fetch_error(const FileIndex& index) {
    try {
      fetch_dataset(source_, index, options_);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  void expect_release_at(const fs::path& root) {
    for (const auto& [path, bytes] : files_) EXPECT_EQ(read_file(root / path), bytes) << path;
  }

  test::TempDir dir_{"dataset_fetch"};
  ArchiveServer server_;
  Files files_;
  std::string archive_;
  DatasetSource source_;
  FetchOptions options_;
};

TEST_F(DatasetFetchTest, FetchesVerifiesAndLeavesTheLoadersLayout) {
  const FetchResult result = fetch_dataset(source_, index_of(files_), options_);
  expect_release_at(options_.to);
  EXPECT_TRUE(fs::is_regular_file(options_.to / "metadata" / "UrbanSound8K.csv"));
  EXPECT_TRUE(fs::is_directory(options_.to / "audio" / "fold10"));
  EXPECT_FALSE(fs::exists(options_.to / "UrbanSound8K"));  // the archive's root is dropped
  EXPECT_EQ(result.files, files_.size() + 1);              // + the README
  EXPECT_EQ(result.files_verified, files_.size());
  EXPECT_EQ(result.archive_bytes, archive_.size());
  EXPECT_FALSE(fs::exists(staging()));  // no archive, .part or temp folder left behind
  EXPECT_FALSE(fs::exists(dir_.path() / "UrbanSound8K.tar.gz"));
  EXPECT_EQ(server_.ranges(), std::vector<std::string>{""});
}

TEST_F(DatasetFetchTest, ResumesWithARangeRequestAfterTheServerDropsTheConnection) {
  const std::size_t cut = archive_.size() / 2;
  server_.drop_first_connection_after(cut);
  options_.keep_archive = true;
  const FetchResult result = fetch_dataset(source_, index_of(files_), options_);
  const auto ranges = server_.ranges();
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0], "");
  // The second request continues where the first stopped (at or after the cut, never from 0).
  ASSERT_TRUE(ranges[1].starts_with("bytes=")) << ranges[1];
  const std::size_t resumed_at = std::stoul(ranges[1].substr(6));
  EXPECT_GE(resumed_at, cut);
  EXPECT_LT(resumed_at, archive_.size());
  ASSERT_TRUE(result.kept_archive);
  EXPECT_EQ(md5_file_hex(*result.kept_archive), md5_hex(archive_));
  expect_release_at(options_.to);
}

TEST_F(DatasetFetchTest, ContinuesAPartFileLeftByAnEarlierRun) {
  const std::size_t have = archive_.size() / 3;
  write_file_atomic(staging() / "UrbanSound8K.tar.gz.part", archive_.substr(0, have));
  fetch_dataset(source_, index_of(files_), options_);
  EXPECT_EQ(server_.ranges(), std::vector<std::string>{"bytes=" + std::to_string(have) + "-"});
  EXPECT_EQ(server_.bytes_sent(), archive_.size() - have);
  expect_release_at(options_.to);
}

TEST_F(DatasetFetchTest, AServerThatCannotResumeGetsTheDownloadRestarted) {
  server_.ignore_ranges();
  write_file_atomic(staging() / "UrbanSound8K.tar.gz.part", archive_.substr(0, 1000));
  fetch_dataset(source_, index_of(files_), options_);
  const auto ranges = server_.ranges();
  ASSERT_EQ(ranges.size(), 2u);  // refused resume, then the whole archive afresh
  EXPECT_EQ(ranges[0], "bytes=1000-");
  EXPECT_EQ(ranges[1], "");
  expect_release_at(options_.to);
}

TEST_F(DatasetFetchTest, ACorruptedFileIsAnErrorNamingItAndBothDigests) {
  const FileIndex index = index_of(files_);
  Files corrupted = files_;
  std::string& clip = corrupted["audio/fold2/100652-3-0-0.wav"];
  clip[clip.size() / 2] ^= 0x40;
  const std::string bad_archive = make_archive(dir_.path(), corrupted, "UrbanSound8K", false);
  server_.serve("UrbanSound8K.tar.gz", bad_archive);
  source_.archive_md5 = md5_hex(bad_archive);  // the archive is intact; one file in it is not
  const std::string error = fetch_error(index);
  EXPECT_NE(error.find("audio/fold2/100652-3-0-0.wav"), std::string::npos) << error;
  EXPECT_NE(error.find(md5_hex(clip)), std::string::npos) << error;
  EXPECT_NE(error.find(index.md5_by_path.at("audio/fold2/100652-3-0-0.wav")), std::string::npos)
      << error;
  EXPECT_EQ(error.find("100032-3-0-0.wav"), std::string::npos) << "only the bad file: " << error;
  EXPECT_FALSE(fs::exists(options_.to));  // nothing half-made at the destination
  EXPECT_FALSE(fs::exists(staging() / "extract"));
}

TEST_F(DatasetFetchTest, AFileMissingFromTheArchiveIsNamed) {
  FileIndex index = index_of(files_);
  index.md5_by_path["audio/fold3/7061-6-0-0.wav"] = md5_hex("absent");
  const std::string error = fetch_error(index);
  EXPECT_NE(error.find("audio/fold3/7061-6-0-0.wav"), std::string::npos) << error;
  EXPECT_NE(error.find("missing"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(options_.to));
}

TEST_F(DatasetFetchTest, ABadArchiveChecksumNamesTheArchiveBothDigestsAndDeletesIt) {
  source_.archive_md5 = md5_hex("another release");
  const std::string error = fetch_error(index_of(files_));
  EXPECT_NE(error.find("UrbanSound8K.tar.gz"), std::string::npos) << error;
  EXPECT_NE(error.find(md5_hex(archive_)), std::string::npos) << error;
  EXPECT_NE(error.find(source_.archive_md5), std::string::npos) << error;
  EXPECT_NE(error.find(source_.url), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(staging()));  // deleted, so the rerun downloads afresh
  EXPECT_FALSE(fs::exists(options_.to));
}

TEST_F(DatasetFetchTest, NotFoundNamesTheUrlAndLeavesNothing) {
  options_.url = server_.url("records/1/missing.tar.gz");
  const std::string error = fetch_error(index_of(files_));
  EXPECT_NE(error.find(options_.url), std::string::npos) << error;
  EXPECT_NE(error.find("404"), std::string::npos) << error;
  EXPECT_EQ(server_.ranges().size(), 1u);  // a 404 is final, not retried
  EXPECT_FALSE(fs::exists(options_.to));
  EXPECT_FALSE(fs::exists(staging()));  // no empty .part or folder either
}

TEST_F(DatasetFetchTest, AnExistingDatasetIsReplacedOnlyWithForce) {
  write_file_atomic(options_.to / "old.txt", "an earlier copy\n");
  const std::string error = fetch_error(index_of(files_));
  EXPECT_NE(error.find("--force"), std::string::npos) << error;
  EXPECT_TRUE(server_.ranges().empty());  // refused before downloading anything
  options_.force = true;
  fetch_dataset(source_, index_of(files_), options_);
  expect_release_at(options_.to);
  EXPECT_FALSE(fs::exists(options_.to / "old.txt"));
}

TEST_F(DatasetFetchTest, AnEsc50StyleZipWithoutPublishedChecksum) {
  const Files esc50 = {{"audio/1-100032-A-0.wav", wav_bytes(dir_.path(), 5)},
                       {"audio/5-9032-A-0.wav", wav_bytes(dir_.path(), 6)},
                       {"meta/esc50.csv",
                        "filename,fold,target,category,esc10,src_file,take\n"
                        "1-100032-A-0.wav,1,0,dog,True,100032,A\n"}};
  server_.serve("ESC-50-master.zip", make_archive(dir_.path(), esc50, "ESC-50-master", true));
  const DatasetSource source = {"esc50", server_.url("ESC-50-master.zip"), "ESC-50-master.zip", "",
                                "ESC-50-master"};
  options_.to = dir_.path() / "esc50";
  fetch_dataset(source, index_of(esc50), options_);
  for (const auto& [path, bytes] : esc50) EXPECT_EQ(read_file(options_.to / path), bytes) << path;
  EXPECT_FALSE(fs::exists(dir_.path() / "esc50.download"));
}

TEST_F(DatasetFetchTest, EntriesThatLeaveTheDestinationAreRefused) {
  const std::string evil =
      make_archive(dir_.path(), {{"audio/../../escaped.wav", "x"}}, "UrbanSound8K", false);
  write_file_atomic(dir_.path() / "evil.tar.gz", evil);
  try {
    extract_archive(dir_.path() / "evil.tar.gz", dir_.path() / "out", "UrbanSound8K");
    FAIL() << "extracted an entry outside the destination";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("escaped.wav"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir_.path() / "escaped.wav"));
}

TEST(DatasetFetchUrl, OverrideThenBaseUrlThenPublisher) {
  const DatasetSource& source = dataset_source("urbansound8k");
  ::unsetenv("AUDIFY_FETCH_BASE_URL");
  EXPECT_EQ(resolve_fetch_url(source, ""), source.url);
  ::setenv("AUDIFY_FETCH_BASE_URL", "http://127.0.0.1:8000/mirror", 1);
  EXPECT_EQ(resolve_fetch_url(source, ""), "http://127.0.0.1:8000/mirror/UrbanSound8K.tar.gz");
  EXPECT_EQ(resolve_fetch_url(source, "http://x/y.tgz"), "http://x/y.tgz");
  ::unsetenv("AUDIFY_FETCH_BASE_URL");
  EXPECT_THROW(dataset_source("esc51"), Error);
}

TEST(Md5, MatchesRfc1321) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  std::string eighty;
  for (int i = 0; i < 8; ++i) eighty += "1234567890";
  EXPECT_EQ(md5_hex(eighty), "57edf4a22be3c955ac49da2e2107b67a");
  Md5 pieces;  // fed in parts, as files are
  pieces.update("message ");
  pieces.update("digest");
  EXPECT_EQ(pieces.hex_digest(), "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST(FileIndex, ParsesMd5sumLinesAndNamesAMalformedOne) {
  const FileIndex index = parse_file_index(
      "# comment\nd41d8cd98f00b204e9800998ecf8427e  audio/a.wav\r\n"
      "900150983cd24fb0d6963f7d28e17f72 *meta/b.csv\n",
      "test.md5");
  EXPECT_EQ(index.md5_by_path.size(), 2u);
  EXPECT_EQ(index.md5_by_path.at("meta/b.csv"), "900150983cd24fb0d6963f7d28e17f72");
  try {
    parse_file_index("d41d8cd98f00b204e9800998ecf8427e  a.wav\nnot-a-digest  b.wav\n", "x.md5");
    FAIL() << "accepted a malformed line";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x.md5:2"), std::string::npos) << e.what();
  }
}

TEST(CommittedIndexes, ListEveryFileOfBothReleases) {
  const FileIndex urbansound = committed_file_index(dataset_source("urbansound8k"));
  EXPECT_EQ(urbansound.md5_by_path.size(), 8732u + 1);  // every clip + the metadata CSV
  EXPECT_EQ(urbansound.md5_by_path.count("metadata/UrbanSound8K.csv"), 1u);
  EXPECT_EQ(urbansound.md5_by_path.count("audio/fold10/100648-1-0-0.wav"), 1u);
  const FileIndex esc50 = committed_file_index(dataset_source("esc50"));
  EXPECT_EQ(esc50.md5_by_path.size(), 2000u + 1);
  EXPECT_EQ(esc50.md5_by_path.count("meta/esc50.csv"), 1u);
}

// The committed UrbanSound8K index against real clips: the shared sample is byte-identical to the
// release, so each of its files must hash to what the index says.
TEST(CommittedIndexes, MatchTheRealUrbanSound8kSample) {
  const auto sample = test::shared_path("data/urbansound8k-sample");
  if (!sample) GTEST_SKIP() << "no ../shared/data/urbansound8k-sample";
  const FileIndex index = committed_file_index(dataset_source("urbansound8k"));
  std::map<std::string, std::string> found;
  FileIndex present;
  for (const auto& entry : fs::recursive_directory_iterator(*sample)) {
    const std::string path = fs::relative(entry.path(), *sample).generic_string();
    if (!entry.is_regular_file() || !index.md5_by_path.count(path)) continue;
    found[path] = md5_file_hex(entry.path());
    present.md5_by_path[path] = index.md5_by_path.at(path);
  }
  EXPECT_GE(found.size(), 80u);
  EXPECT_NO_THROW(verify_against_index(present, found, sample->string()));
}

// The CLI end to end: $AUDIFY_DATASET_INDEX_DIR stands in a test index for the committed one.
TEST_F(DatasetFetchTest, TheCliFetchesFromAMirrorAndNamesWhatFails) {
  const Files esc50 = {{"audio/1-100032-A-0.wav", wav_bytes(dir_.path(), 7)},
                       {"meta/esc50.csv", "filename,fold,target,category,esc10,src_file,take\n"}};
  server_.serve("ESC-50-master.zip", make_archive(dir_.path(), esc50, "ESC-50-master", true));
  const fs::path indexes = dir_.path() / "indexes";
  std::string index_text;
  for (const auto& [path, md5] : index_of(esc50).md5_by_path)
    index_text += md5 + "  " + path + "\n";
  write_file_atomic(indexes / "esc50.md5", index_text);
  write_file_atomic(indexes / "urbansound8k.md5", index_text);
  const std::string bin = "AUDIFY_FETCH_BASE_URL=" + server_.url("") +
                          " AUDIFY_DATASET_INDEX_DIR='" + indexes.string() + "' '" +
                          test::audify_binary().string() + "' dataset fetch ";
  const fs::path root = dir_.path() / "esc50";
  std::string out;
  ASSERT_EQ(test::run_command(bin + "esc50 --keep-archive --to '" + root.string() + "'", &out), 0)
      << out;
  EXPECT_NE(out.find("3 files, 2 checked against the index"), std::string::npos) << out;
  for (const auto& [path, bytes] : esc50) EXPECT_EQ(read_file(root / path), bytes) << path;
  EXPECT_TRUE(fs::is_regular_file(dir_.path() / "ESC-50-master.zip"));  // --keep-archive

  // A mirror must serve the publisher's archive: the test's fails Zenodo's md5, named.
  EXPECT_EQ(test::run_command(bin + "urbansound8k --to '" + options_.to.string() + "'", &out), 2)
      << out;
  EXPECT_NE(out.find("9aa69802bbf37fb986f71ec1483a196e"), std::string::npos) << out;
  EXPECT_NE(out.find(md5_hex(archive_)), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(options_.to));

  const std::string missing = server_.url("nothing-here.zip");
  EXPECT_EQ(
      test::run_command(bin + "esc50 --force --to '" + root.string() + "' --url " + missing, &out),
      2)
      << out;
  EXPECT_NE(out.find(missing), std::string::npos) << out;
  EXPECT_NE(out.find("404"), std::string::npos) << out;
  for (const auto& [path, bytes] : esc50) EXPECT_EQ(read_file(root / path), bytes) << path;
  EXPECT_NE(test::run_command(bin + "esc51 --to '" + (dir_.path() / "f").string() + "'", &out), 0);
  EXPECT_NE(out.find("esc51"), std::string::npos) << out;
}

}  // namespace
}  // namespace audify
