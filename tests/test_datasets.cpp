// The dataset layouts (data/dataset.h): ESC-50 (from the synthetic generator's --layout esc50 and
// from hand-written metadata), a folder of class folders, a manifest CSV, each from a tiny tree,
// with the bad inputs each must name; the dataset summary; and ESC-10's original release from
// ../shared when it is there.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/class_folders.h"
#include "data/dataset.h"
#include "data/dataset_summary.h"
#include "data/esc50.h"
#include "data/manifest.h"
#include "data/synth.h"
#include "data/urbansound8k.h"
#include "data/wav_writer.h"
#include "experiment/run_config.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

// A short tone, `seconds` long at `rate`.
void write_tone(const fs::path& path, double seconds = 0.5, int rate = 22050) {
  std::vector<float> samples(static_cast<std::size_t>(seconds * rate));
  for (std::size_t t = 0; t < samples.size(); ++t)
    samples[t] = 0.1f * static_cast<float>((t * 37) % 100) / 100.0f;
  write_wav_atomic(path, samples, {rate, 1, WavSample::kPcm16});
}

// The error audify::Error `f` throws (empty when none).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_ERROR_SAYS(statement, ...)                                                   \
  do {                                                                                      \
    const std::string message_ = error_of([&] { (void)(statement); });                      \
    ASSERT_FALSE(message_.empty()) << #statement " did not throw";                          \
    for (const std::string& part_ : std::vector<std::string>{__VA_ARGS__})                  \
      EXPECT_NE(message_.find(part_), std::string::npos) << message_ << " lacks " << part_; \
  } while (0)

SynthSummary synth_esc50(const fs::path& out, int clips_per_class) {
  SynthOptions synth;
  synth.out = out;
  synth.layout = SynthLayout::esc50;
  synth.clips_per_class = clips_per_class;
  synth.progress = false;
  return generate_synthetic_dataset(synth);
}

DataOptions layout(const std::string& name) {
  DataOptions o;
  o.layout = name;
  return o;
}

TEST(Esc50Layout, TheSyntheticSetLoadsWithItsFiveFoldsAndSourceFiles) {
  test::TempDir dir("esc50-synth");
  const SynthSummary summary = synth_esc50(dir.path(), 6);
  EXPECT_EQ(summary.metadata, dir.path() / "meta" / "esc50.csv");

  const Dataset ds = load_dataset(dir.path(), layout("esc50"));
  EXPECT_EQ(ds.layout, "esc50");
  ASSERT_EQ(ds.clips.size(), 60u);
  EXPECT_TRUE(ds.missing.empty());
  ASSERT_EQ(ds.class_names.size(), 10u);
  for (std::size_t c = 0; c < 10; ++c) EXPECT_EQ(ds.class_names[c], kUrbanSoundClasses[c]);
  std::set<int> folds;
  std::map<int, std::set<int>> folds_of_recording;
  for (const ClipInfo& c : ds.clips) {
    folds.insert(c.fold);
    folds_of_recording[c.fs_id].insert(c.fold);
    EXPECT_TRUE(fs::exists(c.path)) << c.path;
    EXPECT_EQ(c.path.parent_path(), dir.path() / "audio");
    // <fold>-<src_file>-<take>-<target>.wav
    EXPECT_TRUE(c.slice_file_name.starts_with(fmt::format("{}-{}-", c.fold, c.fs_id)))
        << c.slice_file_name;
    EXPECT_TRUE(c.slice_file_name.ends_with(fmt::format("-{}.wav", c.class_id)))
        << c.slice_file_name;
    EXPECT_EQ(c.class_name, ds.class_names[static_cast<std::size_t>(c.class_id)]);
  }
  EXPECT_EQ(folds, (std::set<int>{1, 2, 3, 4, 5}));
  EXPECT_GT(folds_of_recording.size(), 10u);  // several recordings per class, ...
  for (const auto& [id, f] : folds_of_recording) EXPECT_EQ(f.size(), 1u) << id;  // one fold each
}

TEST(Esc50Layout, Esc10SubsetKeepsTheMarkedClipsWithTheirClassesRenumbered) {
  test::TempDir dir("esc50-subset");
  synth_esc50(dir.path(), 4);
  DataOptions o = layout("esc50");
  o.subset = "esc10";
  const Dataset ds = load_dataset(dir.path(), o);
  // The generator marks the even targets esc10: 0, 2, 4, 6, 8 become ids 0..4.
  EXPECT_EQ(ds.class_names, (std::vector<std::string>{"air_conditioner", "children_playing",
                                                      "drilling", "gun_shot", "siren"}));
  ASSERT_EQ(ds.clips.size(), 20u);
  for (const ClipInfo& c : ds.clips) {
    EXPECT_EQ(c.class_name, ds.class_names[static_cast<std::size_t>(c.class_id)]);
    EXPECT_TRUE(c.slice_file_name.ends_with(fmt::format("-{}.wav", 2 * c.class_id)));
  }
}

TEST(Esc50Layout, BadMetadataIsAnErrorNamingTheFileAndLine) {
  test::TempDir dir("esc50-bad");
  const fs::path csv = dir.path() / "meta" / "esc50.csv";
  EXPECT_ERROR_SAYS(load_esc50(dir.path()), csv.string(), "not found");
  write_file_atomic(csv, "filename,fold,target,category,esc10,take\n1-1-A-0.wav,1,0,dog,True,A\n");
  EXPECT_ERROR_SAYS(load_esc50(dir.path()), csv.string(), "no 'src_file' column");
  write_file_atomic(csv, std::string(kEsc50Header) + "\n1-1-A-0.wav,6,0,dog,True,1,A\n");
  EXPECT_ERROR_SAYS(load_esc50(dir.path()), csv.string() + ":2", "fold '6' is not in 1..5");
  write_file_atomic(csv, std::string(kEsc50Header) +
                             "\n1-1-A-0.wav,1,0,dog,True,1,A\n1-2-A-0.wav,1,0,cat,True,2,A\n");
  EXPECT_ERROR_SAYS(load_esc50(dir.path()), csv.string() + ":3", "'cat'", "'dog'");
  write_file_atomic(csv, std::string(kEsc50Header) + "\n1-1-A-0.wav,1,0,dog,maybe,1,A\n");
  EXPECT_ERROR_SAYS(load_esc50(dir.path(), "esc10"), csv.string() + ":2", "esc10 'maybe'");
  write_file_atomic(csv, std::string(kEsc50Header) + "\n1-1-A-0.wav,1,0\n");
  EXPECT_ERROR_SAYS(load_esc50(dir.path()), csv.string() + ":2", "3 fields");
  // A listed clip without its file is reported, not an error.
  write_file_atomic(csv, std::string(kEsc50Header) + "\n1-1-A-0.wav,1,0,dog,True,1,A\n");
  const Dataset ds = load_esc50(dir.path());
  EXPECT_TRUE(ds.clips.empty());
  ASSERT_EQ(ds.missing.size(), 1u);
  EXPECT_EQ(ds.missing[0].path, dir.path() / "audio" / "1-1-A-0.wav");
}

// ESC-10's original layout in miniature: "NNN - Name/<fold>-<id>-<take>.wav".
void write_class_folders(const fs::path& root) {
  write_tone(root / "001 - Dog bark" / "1-100032-A.wav");
  write_tone(root / "001 - Dog bark" / "2-110389-A.wav");
  write_tone(root / "001 - Dog bark" / "2-110389-B.wav");
  write_tone(root / "002 - Rain" / "1-17367-A.wav");
  write_tone(root / "002 - Rain" / "3-7000-A.wav");
  write_tone(root / "010 - Fire crackling" / "nested" / "3-8000-A.wav");
  write_file_atomic(root / "002 - Rain" / "notes.txt", "not audio");
  write_file_atomic(root / "README.txt", "not a class");
}

DataOptions esc10_like() {
  DataOptions o = layout("folders");
  o.fold_pattern = "^([0-9]+)-";
  o.group_pattern = "^[0-9]+-([0-9]+)-";
  return o;
}

TEST(ClassFoldersLayout, NamesFoldsAndRecordingsComeFromTheFolderAndFileNames) {
  test::TempDir dir("folders");
  write_class_folders(dir.path());
  const Dataset ds = load_dataset(dir.path(), esc10_like());
  EXPECT_EQ(ds.class_names, (std::vector<std::string>{"Dog bark", "Rain", "Fire crackling"}));
  ASSERT_EQ(ds.clips.size(), 6u);
  std::map<std::string, ClipInfo> by_name;
  for (const ClipInfo& c : ds.clips) by_name[c.slice_file_name] = c;
  const ClipInfo& b = by_name.at("001 - Dog bark/2-110389-B.wav");
  EXPECT_EQ(b.class_id, 0);
  EXPECT_EQ(b.fold, 2);
  EXPECT_EQ(b.fs_id, 110389);
  EXPECT_EQ(by_name.at("001 - Dog bark/2-110389-A.wav").fs_id, 110389);
  const ClipInfo& fire = by_name.at("010 - Fire crackling/nested/3-8000-A.wav");
  EXPECT_EQ(fire.class_id, 2);
  EXPECT_EQ(fire.class_name, "Fire crackling");
  EXPECT_EQ(fire.fold, 3);

  // Without patterns: no folds, every clip a recording of its own; classes in a chosen order.
  DataOptions plain = layout("folders");
  plain.classes = {"Rain", "Fire crackling", "Dog bark"};
  const Dataset reordered = load_dataset(dir.path(), plain);
  EXPECT_EQ(reordered.class_names, plain.classes);
  for (const ClipInfo& c : reordered.clips) {
    EXPECT_EQ(c.fold, -1);
    EXPECT_EQ(c.fs_id, -1);
    EXPECT_EQ(reordered.class_names[static_cast<std::size_t>(c.class_id)], c.class_name);
  }
}

TEST(ClassFoldersLayout, BadTreesAreErrorsNamingTheFolderOrFile) {
  test::TempDir dir("folders-bad");
  EXPECT_ERROR_SAYS(load_dataset(dir.path() / "absent", layout("folders")), "absent", "not found");
  EXPECT_ERROR_SAYS(load_dataset(dir.path(), layout("folders")), dir.path().string(),
                    "no class folders");
  write_class_folders(dir.path());
  fs::create_directories(dir.path() / "003 - Sea waves");
  EXPECT_ERROR_SAYS(load_dataset(dir.path(), layout("folders")), "003 - Sea waves",
                    "no audio files");
  fs::remove(dir.path() / "003 - Sea waves");

  DataOptions o = esc10_like();
  o.classes = {"Dog bark", "Rain"};
  EXPECT_ERROR_SAYS(load_dataset(dir.path(), o), "010 - Fire crackling", "'Fire crackling'",
                    "not in data.classes");
  o = esc10_like();
  write_tone(dir.path() / "002 - Rain" / "rain.wav");
  EXPECT_ERROR_SAYS(load_dataset(dir.path(), o), "rain.wav", "data.fold_pattern", "does not match");
  fs::remove(dir.path() / "002 - Rain" / "rain.wav");
  o.fold_pattern = "-([A-Z])\\.wav$";
  EXPECT_ERROR_SAYS(load_dataset(dir.path(), o), "fold 'A'", "not a positive integer");
  o.fold_pattern = "([0-9]";
  EXPECT_ERROR_SAYS(load_dataset(dir.path(), o), "data.fold_pattern", "not a regular expression");
  write_tone(dir.path() / "7 - Rain" / "1-5-A.wav");
  EXPECT_ERROR_SAYS(load_dataset(dir.path(), esc10_like()), "two class folders", "'Rain'");
}

TEST(ManifestLayout, PathsAreRelativeToTheCsvAndLabelsNameTheClasses) {
  test::TempDir dir("manifest");
  write_tone(dir.path() / "clips" / "a.wav");
  write_tone(dir.path() / "clips" / "b.wav");
  write_tone(dir.path() / "c.wav");
  const fs::path csv = dir.path() / "list.csv";
  write_file_atomic(csv,
                    "path,label,fold,group\n"
                    "clips/a.wav,owl,1,rec-x\n"
                    "clips/b.wav,crow,2,rec-x\n"
                    "c.wav,owl,,\n"
                    "gone.wav,crow,1,rec-y\n");
  const Dataset ds = load_dataset(csv, layout("manifest"));
  EXPECT_EQ(ds.class_names, (std::vector<std::string>{"crow", "owl"}));  // sorted
  ASSERT_EQ(ds.clips.size(), 3u);
  EXPECT_EQ(ds.clips[0].path, dir.path() / "clips" / "a.wav");
  EXPECT_EQ(ds.clips[0].class_id, 1);
  EXPECT_EQ(ds.clips[0].fold, 1);
  EXPECT_EQ(ds.clips[1].class_name, "crow");
  EXPECT_EQ(ds.clips[0].fs_id, ds.clips[1].fs_id);  // one group: one recording
  EXPECT_GE(ds.clips[0].fs_id, 0);
  EXPECT_EQ(ds.clips[2].fold, -1);
  EXPECT_EQ(ds.clips[2].fs_id, -1);
  ASSERT_EQ(ds.missing.size(), 1u);
  EXPECT_EQ(ds.missing[0].slice_file_name, "gone.wav");

  // A folder holding manifest.csv works too; only path and label are required.
  write_file_atomic(dir.path() / "manifest.csv", "label,path\nowl,c.wav\n");
  const Dataset minimal = load_dataset(dir.path(), layout("manifest"));
  ASSERT_EQ(minimal.clips.size(), 1u);
  EXPECT_EQ(minimal.class_names, std::vector<std::string>{"owl"});
}

TEST(ManifestLayout, BadManifestsAreErrorsNamingTheFileAndLine) {
  test::TempDir dir("manifest-bad");
  const fs::path csv = dir.path() / "m.csv";
  write_file_atomic(csv, "file,label\na.wav,owl\n");
  EXPECT_ERROR_SAYS(load_manifest(csv), csv.string(), "no 'path' column");
  write_file_atomic(csv, "path,class\na.wav,owl\n");
  EXPECT_ERROR_SAYS(load_manifest(csv), csv.string(), "no 'label' column");
  write_file_atomic(csv, "path,label\n");
  EXPECT_ERROR_SAYS(load_manifest(csv), csv.string(), "no clips");
  write_file_atomic(csv, "path,label\na.wav,\n");
  EXPECT_ERROR_SAYS(load_manifest(csv), csv.string() + ":2", "empty label");
  write_file_atomic(csv, "path,label,fold\na.wav,owl,0\n");
  EXPECT_ERROR_SAYS(load_manifest(csv), csv.string() + ":2", "fold '0'");
  write_file_atomic(csv, "path,label\na.wav,owl\nb.wav,bat\n");
  EXPECT_ERROR_SAYS(load_manifest(csv, {"owl", "crow"}), csv.string() + ":3", "class 'bat'",
                    "not in data.classes");
  EXPECT_ERROR_SAYS(load_manifest(dir.path() / "none.csv"), "none.csv", "not found");
}

TEST(DatasetOptions, UnknownLayoutsAndMisplacedKeysAreErrorsNamingTheKey) {
  EXPECT_ERROR_SAYS(load_dataset("x", layout("kaggle")), "data.layout", "'kaggle'", "esc50");
  DataOptions o = layout("folders");
  o.subset = "esc10";
  EXPECT_ERROR_SAYS(load_dataset("x", o), "data.subset", "esc50");
  o = layout("esc50");
  o.subset = "esc20";
  EXPECT_ERROR_SAYS(load_dataset("x", o), "data.subset", "'esc20'");
  o = layout("urbansound8k");
  o.classes = {"a"};
  EXPECT_ERROR_SAYS(load_dataset("x", o), "data.classes");
  // The same checks run when a config resolves, before any run folder exists.
  EXPECT_ERROR_SAYS(load_run_config(parse_overrides({"data.layout=kaggle"})), "data.layout");
}

TEST(DatasetOptions, PresetsChooseTheirLayouts) {
  EXPECT_EQ(load_run_config({}).data.layout, "urbansound8k");
  for (const char* preset : {"esc50", "folders", "manifest", "urbansound8k"})
    EXPECT_EQ(load_run_config(parse_overrides({std::string("data=") + preset})).data.layout,
              preset);
  const DataOptions esc10 = load_run_config(parse_overrides({"data=esc10"})).data;
  EXPECT_EQ(esc10.layout, "folders");
  EXPECT_FALSE(esc10.fold_pattern.empty());
  EXPECT_FALSE(esc10.group_pattern.empty());
}

TEST(RecordingGroups, NumbersStayNumbersAndNamesAreNumberedInSortedOrder) {
  EXPECT_EQ(recording_group_ids({"100032", "", "7"}), (std::vector<int>{100032, -1, 7}));
  EXPECT_EQ(recording_group_ids({"b", "a", "", "b", "12"}), (std::vector<int>{2, 1, -1, 2, 0}));
}

TEST(GuessLayout, FromWhatTheRootHolds) {
  test::TempDir dir("guess");
  EXPECT_EQ(guess_layout(dir.path()), "folders");
  write_file_atomic(dir.path() / "m" / "manifest.csv", "path,label\n");
  EXPECT_EQ(guess_layout(dir.path() / "m"), "manifest");
  EXPECT_EQ(guess_layout(dir.path() / "list.csv"), "manifest");
  write_file_atomic(dir.path() / "e" / "meta" / "esc50.csv", "");
  EXPECT_EQ(guess_layout(dir.path() / "e"), "esc50");
  write_file_atomic(dir.path() / "u" / "metadata" / "UrbanSound8K.csv", "");
  EXPECT_EQ(guess_layout(dir.path() / "u"), "urbansound8k");
}

TEST(DatasetSummary, CountsClassesFoldsRecordingsFormatsAndBadFiles) {
  test::TempDir dir("summary");
  write_tone(dir.path() / "a.wav", 0.5, 22050);
  write_tone(dir.path() / "b.wav", 1.0, 16000);
  write_tone(dir.path() / "c.wav", 2.0, 22050);
  write_file_atomic(dir.path() / "broken.wav", "RIFF not really a wav file");
  write_file_atomic(dir.path() / "manifest.csv",
                    "path,label,fold,group\n"
                    "a.wav,owl,1,r1\n"
                    "b.wav,owl,2,r1\n"  // r1 straddles folds 1 and 2
                    "c.wav,crow,2,r2\n"
                    "broken.wav,crow,1,r3\n"
                    "gone.wav,crow,1,r4\n");
  const DatasetSummary s = summarize_dataset(load_dataset(dir.path(), layout("manifest")));
  EXPECT_EQ(s.clips, 4);
  EXPECT_EQ(s.class_names, (std::vector<std::string>{"crow", "owl"}));
  EXPECT_EQ(s.clips_per_class, (std::vector<int>{2, 2}));
  EXPECT_EQ(s.clips_per_fold, (std::map<int, int>{{1, 2}, {2, 2}}));
  EXPECT_EQ(s.recordings, 3);
  EXPECT_EQ(s.recordings_per_fold, (std::map<int, int>{{1, 2}, {2, 2}}));
  ASSERT_EQ(s.recordings_in_many_folds.size(), 1u);
  EXPECT_EQ(s.sample_rates, (std::map<int, int>{{16000, 1}, {22050, 2}}));
  EXPECT_EQ(s.formats.size(), 1u);
  EXPECT_NEAR(s.min_seconds, 0.5, 1e-3);
  EXPECT_NEAR(s.median_seconds, 1.0, 1e-3);
  EXPECT_NEAR(s.max_seconds, 2.0, 1e-3);
  ASSERT_EQ(s.missing.size(), 1u);
  EXPECT_NE(s.missing[0].find("gone.wav"), std::string::npos);
  ASSERT_EQ(s.unreadable.size(), 1u);
  EXPECT_NE(s.unreadable[0].find("broken.wav"), std::string::npos) << s.unreadable[0];

  const std::string text = format_dataset_summary(s);
  for (const char* part :
       {"layout manifest", "owl", "crow", "16000 Hz (1)", "median 1.000 s",
        "recordings in more than one fold: 1", "missing files: 1", "unreadable files: 1"})
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
}

// ESC-10's original release (../shared/data/esc10) through the data=esc10 preset.
TEST(Esc10Release, FourHundredClipsTenClassesFiveFolds) {
  const auto root = test::shared_path("data/esc10");
  if (!root) GTEST_SKIP() << "../shared/data/esc10 is absent";
  const RunConfig config =
      load_run_config(parse_overrides({"data=esc10", "data.root=" + root->string()}));
  const Dataset ds = load_dataset(*root, config.data);
  ASSERT_EQ(ds.clips.size(), 400u);
  EXPECT_EQ(ds.class_names, (std::vector<std::string>{"Dog bark", "Rain", "Sea waves", "Baby cry",
                                                      "Clock tick", "Person sneeze", "Helicopter",
                                                      "Chainsaw", "Rooster", "Fire crackling"}));
  const DatasetSummary s = summarize_dataset(ds);
  EXPECT_EQ(s.clips_per_class, std::vector<int>(10, 40));
  EXPECT_EQ(s.clips_per_fold, (std::map<int, int>{{1, 80}, {2, 80}, {3, 80}, {4, 80}, {5, 80}}));
  EXPECT_TRUE(s.recordings_in_many_folds.empty());  // the folds are leak-free by construction
  EXPECT_EQ(s.clips_without_recording, 0);
  EXPECT_TRUE(s.unreadable.empty());
  EXPECT_EQ(s.sample_rates, (std::map<int, int>{{44100, 400}}));
}

}  // namespace
}  // namespace audify
