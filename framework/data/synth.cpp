// generate_synthetic_dataset: plans recordings (class, fold, format, slices) sequentially from the
// seed, renders and writes the slices on worker threads, then writes the metadata CSV. Clips
// depend only on (seed, fsID, slice), so the bytes do not depend on the thread count.
#include "data/synth.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/progress.h"
#include "data/esc50.h"
#include "data/synth_clip.h"
#include "data/urbansound8k.h"
#include "data/wav_writer.h"

namespace audify {

namespace {

using synth::ClipPlan;
using synth::RecordingPlan;

constexpr double kSliceSeconds = 4.0;  // UrbanSound8K slices are at most 4 s
constexpr std::uint64_t kPlanStream = 0x504C414E;

double round_ms(double seconds) {
  return std::round(seconds * 1000) / 1000;
}

struct Plan {
  std::vector<RecordingPlan> recordings;
  std::vector<ClipPlan> clips;
};

// 2..6 slices per recording, none left over as a lone slice (unless only one was asked for).
std::vector<int> recording_sizes(SynthRng& rng, int clips) {
  std::vector<int> sizes;
  for (int remaining = clips; remaining > 0;) {
    int k = std::min(rng.integer(2, 6), remaining);
    if (remaining - k == 1) k = k < 6 ? k + 1 : k - 1;
    sizes.push_back(k);
    remaining -= k;
  }
  std::stable_sort(sizes.begin(), sizes.end(), std::greater<>());
  return sizes;
}

int fold_count(SynthLayout layout) {
  return layout == SynthLayout::esc50 ? 5 : 10;
}

Plan make_plan(const SynthOptions& options) {
  SynthRng rng(synth_key(options.seed, kPlanStream));
  Plan plan;
  const int folds = fold_count(options.layout);
  std::array<int, 10> fold_total{};
  int next_id = 100000;
  for (int class_id = 0; class_id < 10; ++class_id) {
    std::array<int, 10> fold_class{};
    for (int size : recording_sizes(rng, options.clips_per_class)) {
      // Largest recordings first, each to the fold with fewest clips of this class (then overall):
      // folds stay balanced per class while a recording never straddles two folds.
      int fold = 0;
      for (int f = 1; f < folds; ++f)
        if (std::pair(fold_class[f], fold_total[f]) < std::pair(fold_class[fold], fold_total[fold]))
          fold = f;
      fold_class[fold] += size;
      fold_total[fold] += size;
      RecordingPlan recording;
      next_id += rng.integer(1, 97);
      recording.fs_id = next_id;
      recording.class_id = class_id;
      recording.fold = fold + 1;
      recording.slices = size;
      recording.offset = round_ms(rng.uniform(0, 60));
      synth::draw_recording_format(rng, recording);
      const double last =
          rng.chance(0.5) ? round_ms(rng.uniform(0.5, kSliceSeconds)) : kSliceSeconds;
      for (int s = 0; s < size; ++s) {
        ClipPlan clip;
        clip.recording = static_cast<int>(plan.recordings.size());
        clip.slice = s;
        clip.start = round_ms(recording.offset + s * kSliceSeconds);
        clip.end = round_ms(clip.start + (s + 1 == size ? last : kSliceSeconds));
        plan.clips.push_back(clip);
      }
      plan.recordings.push_back(recording);
    }
  }
  return plan;
}

// ESC-50 names a recording's clips by take letter: A, B, ... (Z, then AA, AB, ...).
std::string take_letters(int slice) {
  std::string take;
  for (int n = slice + 1; n > 0; n = (n - 1) / 26)
    take.insert(take.begin(), static_cast<char>('A' + (n - 1) % 26));
  return take;
}

ClipInfo clip_info(const std::filesystem::path& root, SynthLayout layout,
                   const RecordingPlan& recording, const ClipPlan& clip) {
  ClipInfo info;
  info.slice_file_name =
      layout == SynthLayout::esc50
          ? fmt::format("{}-{}-{}-{}.wav", recording.fold, recording.fs_id,
                        take_letters(clip.slice), recording.class_id)
          : fmt::format("{}-{}-0-{}.wav", recording.fs_id, recording.class_id, clip.slice);
  info.fs_id = recording.fs_id;
  info.start = clip.start;
  info.end = clip.end;
  info.salience = recording.salience;
  info.fold = recording.fold;
  info.class_id = recording.class_id;
  info.class_name = std::string(kUrbanSoundClasses[static_cast<std::size_t>(recording.class_id)]);
  info.path = layout == SynthLayout::esc50
                  ? root / "audio" / info.slice_file_name
                  : root / "audio" / fmt::format("fold{}", recording.fold) / info.slice_file_name;
  return info;
}

void write_esc50_rows(const std::filesystem::path& root, const Plan& plan,
                      const std::vector<ClipInfo>& rows) {
  std::vector<Esc50Row> esc50;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ClipInfo& c = rows[i];
    Esc50Row r;
    r.filename = c.slice_file_name;
    r.fold = c.fold;
    r.target = c.class_id;
    r.category = c.class_name;
    r.esc10 = c.class_id % 2 == 0;
    r.src_file = std::to_string(c.fs_id);
    r.take = take_letters(plan.clips[i].slice);
    esc50.push_back(std::move(r));
  }
  std::sort(esc50.begin(), esc50.end(),
            [](const Esc50Row& a, const Esc50Row& b) { return a.filename < b.filename; });
  write_esc50_metadata(root, esc50);
}

}  // namespace

SynthSummary generate_synthetic_dataset(const SynthOptions& options) {
  if (options.out.empty()) fail("synth: no output folder given");
  if (options.clips_per_class < 1)
    fail("synth: clips per class must be at least 1 (got {})", options.clips_per_class);
  if (options.threads < 0) fail("synth: threads must be >= 0 (got {})", options.threads);

  const Plan plan = make_plan(options);
  std::vector<ClipInfo> rows;
  SynthSummary summary;
  for (const ClipPlan& clip : plan.clips) {
    rows.push_back(clip_info(options.out, options.layout,
                             plan.recordings[static_cast<std::size_t>(clip.recording)], clip));
    summary.seconds += clip.end - clip.start;
  }
  summary.clips = static_cast<int>(plan.clips.size());
  summary.recordings = static_cast<int>(plan.recordings.size());
  const bool esc50 = options.layout == SynthLayout::esc50;
  summary.metadata =
      esc50 ? options.out / "meta" / "esc50.csv" : options.out / "metadata" / "UrbanSound8K.csv";
  if (esc50) std::filesystem::create_directories(options.out / "audio");
  for (int fold = 1; !esc50 && fold <= 10; ++fold)
    std::filesystem::create_directories(options.out / "audio" / fmt::format("fold{}", fold));

  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t threads = std::min<std::size_t>(
      plan.clips.size(), options.threads > 0 ? static_cast<unsigned>(options.threads) : hardware);
  std::optional<Progress> progress;
  if (options.progress) progress.emplace("synth", plan.clips.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    while (!stop) {
      const std::size_t i = next++;
      if (i >= plan.clips.size()) break;
      try {
        const ClipPlan& clip = plan.clips[i];
        const RecordingPlan& recording = plan.recordings[static_cast<std::size_t>(clip.recording)];
        write_wav_atomic(rows[i].path, synth::render_clip(recording, clip, options.seed),
                         recording.format);
        if (progress) progress->tick();
      } catch (...) {
        const std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        stop = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  if (progress) progress->finish();

  if (esc50) {
    write_esc50_rows(options.out, plan, rows);
    return summary;
  }
  // Rows in file-name order, whatever order the threads finished in.
  std::sort(rows.begin(), rows.end(), [](const ClipInfo& a, const ClipInfo& b) {
    return a.slice_file_name < b.slice_file_name;
  });
  write_urbansound8k_metadata(options.out, rows);
  return summary;
}

}  // namespace audify
