// A real-to-complex FFT on FFTW with one plan per size per process, and FFTW-aligned buffers:
// the one FFT every part of Audify uses (MFCC frames, the monitor's A-weighting, the GPU
// emulation).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>

namespace audify {

// An n_fft-point real-to-complex FFT. The FFTW plan is made once per size per process (under a
// mutex) and shared, so constructing one is cheap and forward() is thread-safe.
class RealFft {
 public:
  explicit RealFft(int n_fft);
  int n_fft() const { return n_fft_; }
  int n_bins() const { return n_fft_ / 2 + 1; }
  // [in] in: (n_fft) real; [out] out: (n_bins, 2) re/im. Both from fft_buffer() (SIMD-aligned).
  void forward(float* in, float* out) const;

 private:
  int n_fft_;
  void* plan_;  // fftwf_plan, owned by the process-wide cache
};

// Every FFTW plan creation or destruction in the process must hold this lock (FFTW's planner is not
// thread-safe); executing a plan needs no lock.
std::mutex& fftw_planner_mutex();

// An FFTW-aligned float buffer.
struct FftBufferFree {
  void operator()(float* p) const;
};
using FftBuffer = std::unique_ptr<float[], FftBufferFree>;
FftBuffer fft_buffer(std::size_t floats);

}  // namespace audify
