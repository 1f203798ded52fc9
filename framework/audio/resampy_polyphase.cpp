// Polyphase tables for resampy's kaiser resampling (see resampy_polyphase.h). Each phase's row is
// built from the exact rational filter position; resampy's own double-precision position can
// differ from it only by rounding, which moves the weights by ~1e-12 unless an integer boundary
// is crossed (a tap appears or n shifts). Phases that sit on such a boundary are checked output
// by output and take a precomputed alternative row, or resampy's tap loop, when they cross it.
#include "audio/resampy_polyphase.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <numeric>
#include <vector>

#include "core/error.h"
#include "core/simd.h"

namespace audify::detail {
namespace {

// Doubles per vector; rows are zero-padded to a multiple of this.
constexpr size_t kVectorLanes = 8;

// resampy's filter state for one rate pair: the (optionally downscaled) window, its step, scale.
struct Window {
  const ResampyFilter* f;
  double sample_ratio, scale;
  size_t nwin, step;
  // interp_win[j] and interp_delta[j] = diff(interp_win, append=interp_win[-1])[j], computed in
  // the same operations as resampy (and resampy_kaiser.cpp), so they are bit-identical.
  double win(size_t j) const {
    return sample_ratio < 1.0 ? sample_ratio * f->half_window[j] : f->half_window[j];
  }
  double delta(size_t j) const { return j + 1 < nwin ? win(j + 1) - win(j) : 0.0; }
  size_t taps(size_t offset) const { return (nwin - offset) / step; }  // resampy's count
};

Window make_window(const ResampyFilter& f, int sr_in, int sr_out) {
  Window w{&f, static_cast<double>(sr_out) / sr_in, 0.0, f.half_window.size(), 0};
  w.scale = std::min(1.0, w.sample_ratio);
  w.step = static_cast<size_t>(w.scale * f.num_table);
  AUDIFY_ASSERT(w.step > 0);
  return w;
}

struct Position {  // where one output's two wings sit: table offsets, interpolation fractions
  size_t off_l, off_r;
  double eta_l, eta_r;
};

struct Plan {
  long p = 0, q = 0;     // sr_out / sr_in = p / q in lowest terms
  size_t left = 0;       // taps left of (and including) x[n] in a row
  size_t len = 0;        // row length
  bool exact = false;    // p, q powers of two: resampy's positions are exact, no checks needed
  std::vector<long> n0;  // per phase j: floor(j q / p)
  std::vector<double> margin;  // per phase: distance of its index_frac from an integer
  std::vector<Position> rows;  // rows[j] for phase j, then alternatives
  std::vector<std::vector<int>> alternatives;  // per phase: row ids (primary first)
  std::vector<double> weights;                 // (rows, len)
};

void add_row(Plan& plan, const Window& w, const Position& pos) {
  plan.rows.push_back(pos);
  const size_t base = plan.weights.size();
  plan.weights.resize(base + plan.len, 0.0);
  double* h = &plan.weights[base];
  // Row tap k multiplies x[n - left + 1 + k]: the left wing reversed, then the right wing.
  for (size_t i = 0; i < w.taps(pos.off_l); ++i) {
    const size_t j = pos.off_l + i * w.step;
    h[plan.left - 1 - i] = w.win(j) + pos.eta_l * w.delta(j);
  }
  for (size_t i = 0; i < w.taps(pos.off_r); ++i) {
    const size_t j = pos.off_r + i * w.step;
    h[plan.left + i] = w.win(j) + pos.eta_r * w.delta(j);
  }
}

// The exact position of phase j (0 <= j < p): output t = j + m p reads from n = n0[j] + m q, with
// index_frac = nt r / den on the left and nt (p - r) / den on the right, r = j q mod p.
struct ExactPhase {
  long n0;
  Position pos[2];  // [0]: exact; [1]: just below an integer boundary, where one lies there
  bool on_boundary[2];
  double margin;
};

ExactPhase exact_phase(const Window& w, long p, long q, long j) {
  const long nt = w.f->num_table;
  const long den = std::max(p, q);
  const long r = j * q % p;
  ExactPhase e{j * q / p, {}, {false, false}, 1.0};
  const long num[2] = {nt * r, nt * (p - r)};
  size_t off[2];
  double eta[2];
  for (int s = 0; s < 2; ++s) {
    const long rem = num[s] % den;
    off[s] = static_cast<size_t>(num[s] / den);
    eta[s] = static_cast<double>(rem) / static_cast<double>(den);
    e.margin = std::min(e.margin, static_cast<double>(std::min(rem, den - rem)) / den);
    e.on_boundary[s] = rem == 0 && off[s] > 0;
  }
  e.pos[0] = {off[0], off[1], eta[0], eta[1]};
  // resampy landing just below the boundary: offset - 1 with eta ~ 1, which may add a tap.
  e.pos[1] = {e.on_boundary[0] ? off[0] - 1 : off[0], e.on_boundary[1] ? off[1] - 1 : off[1],
              e.on_boundary[0] ? 1.0 : eta[0], e.on_boundary[1] ? 1.0 : eta[1]};
  return e;
}

std::shared_ptr<const Plan> build_plan(const Window& w, long p, long q) {
  auto plan = std::make_shared<Plan>();
  plan->p = p;
  plan->q = q;
  plan->exact = std::has_single_bit(static_cast<unsigned long>(p)) &&
                std::has_single_bit(static_cast<unsigned long>(q));
  plan->left = w.taps(0);
  plan->len = (plan->left + w.taps(0) + kVectorLanes - 1) / kVectorLanes * kVectorLanes;
  plan->alternatives.resize(static_cast<size_t>(p));
  std::vector<ExactPhase> phases;
  for (long j = 0; j < p; ++j) {
    phases.push_back(exact_phase(w, p, q, j));
    plan->n0.push_back(phases.back().n0);
    plan->margin.push_back(phases.back().margin);
    plan->alternatives[static_cast<size_t>(j)].push_back(static_cast<int>(j));
    add_row(*plan, w, phases.back().pos[0]);  // primary rows first: row id == phase
  }
  for (size_t j = 0; j < phases.size(); ++j) {
    const ExactPhase& e = phases[j];
    for (int a = 0; a <= (e.on_boundary[0] ? 1 : 0); ++a) {
      for (int b = 0; b <= (e.on_boundary[1] ? 1 : 0); ++b) {
        if (a == 0 && b == 0) continue;
        plan->alternatives[j].push_back(static_cast<int>(plan->rows.size()));
        add_row(*plan, w, {e.pos[a].off_l, e.pos[b].off_r, e.pos[a].eta_l, e.pos[b].eta_r});
      }
    }
  }
  return plan;
}

// Tables are rebuilt only for a new (filter, p, q): a corpus has a handful of source rates.
std::shared_ptr<const Plan> cached_plan(const Window& w, long p, long q) {
  struct Entry {
    const ResampyFilter* filter;
    long p, q;
    std::shared_ptr<const Plan> plan;
  };
  static std::mutex mutex;
  static std::vector<Entry> cache;
  std::lock_guard lock(mutex);
  for (const Entry& e : cache) {
    if (e.filter == w.f && e.p == p && e.q == q) return e.plan;
  }
  if (cache.size() >= 8) cache.erase(cache.begin());
  cache.push_back({w.f, p, q, build_plan(w, p, q)});
  return cache.back().plan;
}

// resampy's position for output t, in its own double-precision expressions and order.
Position resampy_position(const Window& w, size_t t, long* n) {
  const double time_register = static_cast<double>(t) * (1.0 / w.sample_ratio);
  *n = static_cast<long>(time_register);
  const auto num_table = static_cast<double>(w.f->num_table);
  double frac = w.scale * (time_register - static_cast<double>(*n));
  double index_frac = frac * num_table;
  Position pos{};
  pos.off_l = static_cast<size_t>(index_frac);
  pos.eta_l = index_frac - static_cast<double>(pos.off_l);
  frac = w.scale - frac;
  index_frac = frac * num_table;
  pos.off_r = static_cast<size_t>(index_frac);
  pos.eta_r = index_frac - static_cast<double>(pos.off_r);
  return pos;
}

// resampy's tap loop for one output (taps past either end of x are skipped).
double resampy_output(const Window& w, std::span<const float> x, size_t t) {
  long n = 0;
  const Position pos = resampy_position(w, t, &n);
  const auto n_orig = static_cast<long>(x.size());
  double sum = 0.0;
  const long left = std::min(n + 1, static_cast<long>(w.taps(pos.off_l)));
  for (long i = 0; i < left; ++i) {
    const size_t j = pos.off_l + static_cast<size_t>(i) * w.step;
    sum += (w.win(j) + pos.eta_l * w.delta(j)) * static_cast<double>(x[static_cast<size_t>(n - i)]);
  }
  const long right = std::min(n_orig - n - 1, static_cast<long>(w.taps(pos.off_r)));
  for (long i = 0; i < right; ++i) {
    const size_t j = pos.off_r + static_cast<size_t>(i) * w.step;
    sum += (w.win(j) + pos.eta_r * w.delta(j)) *
           static_cast<double>(x[static_cast<size_t>(n + 1 + i)]);
  }
  return sum;
}

typedef double v8d __attribute__((vector_size(64)));

inline __attribute__((always_inline)) double hsum(const v8d& a) {
  return ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]));
}

// R outputs sharing one row (same phase, inputs q apart): each weight vector is loaded once for
// all R, which halves the loads that bound this loop; R independent sums also hide FMA latency.
template <int R>
inline __attribute__((always_inline)) void dot_block(const double* h, const double* const* xs,
                                                     size_t len, float* const* y) {
  v8d acc[R] = {};
  for (size_t k = 0; k < len; k += kVectorLanes) {
    v8d hv, xv;
    std::memcpy(&hv, h + k, sizeof hv);
    for (int r = 0; r < R; ++r) {
      std::memcpy(&xv, xs[r] + k, sizeof xv);
      acc[r] += hv * xv;
    }
  }
  for (int r = 0; r < R; ++r) *y[r] = static_cast<float>(hsum(acc[r]));
}

// y[t] = row[t] . xd[start[t] ...] for every t with a row (row < 0: computed elsewhere), taken
// as groups t, t + p, t + 2p, t + 3p where those share a row. The whole loop sits in one function
// so the clone dispatch is paid once, not per output.
AUDIFY_TARGET_CLONES_FMA void dot_rows(const double* xd, const double* weights, size_t len,
                                       size_t p, const int32_t* row, const int64_t* start,
                                       size_t count, float* y) {
  constexpr int kGroup = 4;
  for (size_t b = 0; b < count; b += kGroup * p) {
    for (size_t j = 0; j < p && b + j < count; ++j) {
      const size_t t = b + j;
      bool grouped = t + (kGroup - 1) * p < count;
      for (int r = 1; grouped && r < kGroup; ++r) grouped = row[t + r * p] == row[t];
      if (grouped && row[t] >= 0) {
        const double* xs[kGroup];
        float* ys[kGroup];
        for (int r = 0; r < kGroup; ++r) {
          xs[r] = xd + start[t + r * p];
          ys[r] = y + t + r * p;
        }
        dot_block<kGroup>(weights + static_cast<size_t>(row[t]) * len, xs, len, ys);
        continue;
      }
      for (size_t u = t; u < count && u < b + kGroup * p; u += p) {
        if (row[u] < 0) continue;
        const double* xs = xd + start[u];
        float* ys = y + u;
        dot_block<1>(weights + static_cast<size_t>(row[u]) * len, &xs, len, &ys);
      }
    }
  }
}

}  // namespace

bool resampy_polyphase(std::span<const float> x, int sr_in, int sr_out, const ResampyFilter& f,
                       std::span<float> y) {
  AUDIFY_ASSERT(sr_in > 0 && sr_out > 0 && sr_in != sr_out);
  const long g = std::gcd(sr_in, sr_out);
  const long p = sr_out / g;
  const long q = sr_in / g;
  if (p > kMaxPolyphasePhases) return false;
  const Window w = make_window(f, sr_in, sr_out);
  const auto plan = cached_plan(w, p, q);

  // Rounding in resampy's time register moves index_frac by at most ~nt * 4u * len(x) (u = 2^-53);
  // a phase whose exact index_frac is farther than that from an integer cannot be misplaced.
  const double bound = plan->exact ? -1.0
                                   : static_cast<double>(f.num_table) * 2.3e-16 *
                                         (4.0 * static_cast<double>(x.size()) + 16.0);
  thread_local std::vector<int32_t> row;
  thread_local std::vector<int64_t> start;
  row.resize(y.size());
  start.resize(y.size());
  size_t j = 0;
  long base = 0;  // m q for output t = j + m p
  for (size_t t = 0; t < y.size(); ++t) {
    const long n = base + plan->n0[j];
    row[t] = static_cast<int32_t>(j);
    if (plan->margin[j] <= bound) {
      long n_rt = 0;
      const Position pos = resampy_position(w, t, &n_rt);
      row[t] = -1;
      for (int id : plan->alternatives[j]) {
        const Position& r = plan->rows[static_cast<size_t>(id)];
        if (n_rt == n && r.off_l == pos.off_l && r.off_r == pos.off_r &&
            std::abs(r.eta_l - pos.eta_l) <= 1e-5 && std::abs(r.eta_r - pos.eta_r) <= 1e-5) {
          row[t] = id;
          break;
        }
      }
    }
    start[t] = n + 1;  // row tap k reads x[n - left + 1 + k] == xd[n + 1 + k]
    if (++j == static_cast<size_t>(p)) {
      j = 0;
      base += q;
    }
  }

  // The input widened to double between zeros: taps past either end (resampy skips them) add 0.
  thread_local std::vector<double> xd;
  xd.assign(plan->left + x.size() + plan->len, 0.0);
  std::copy(x.begin(), x.end(), xd.begin() + static_cast<long>(plan->left));
  dot_rows(xd.data(), plan->weights.data(), plan->len, static_cast<size_t>(p), row.data(),
           start.data(), y.size(), y.data());
  for (size_t t = 0; t < y.size(); ++t) {
    if (row[t] < 0) y[t] = static_cast<float>(resampy_output(w, x, t));
  }
  return true;
}

}  // namespace audify::detail
