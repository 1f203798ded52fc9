// One clip of the synthetic dataset: the plan of a recording and its slices, and the rendering of a
// slice into interleaved samples (foreground recipe, optional interfering source, background
// noise, level, stereo image) ready for the WAV writer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/synth_rng.h"
#include "data/wav_writer.h"

namespace audify::synth {

// A source recording: one class, one fold, one file format, several slices.
struct RecordingPlan {
  int fs_id = 0;
  int class_id = 0;
  int fold = 0;      // 1..10
  int salience = 1;  // 1 foreground, 2 background (lower SNR)
  int slices = 0;
  double offset = 0;  // seconds into the source where the first slice starts
  WavFormat format;
};

struct ClipPlan {
  int recording = 0;          // index into the recording list
  int slice = 0;              // index within the recording
  double start = 0, end = 0;  // seconds in the source recording (end - start = duration)
};

// Draws a recording's format (UrbanSound8K-like mix, mostly 44.1 kHz 16-bit stereo) and salience.
void draw_recording_format(SynthRng& rng, RecordingPlan& recording);

// Renders one slice as interleaved frames x channels samples, peak below 1.
std::vector<float> render_clip(const RecordingPlan& recording, const ClipPlan& clip,
                               std::uint64_t seed);

}  // namespace audify::synth
