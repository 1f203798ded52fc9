// Regenerates resampy's kaiser_fast / kaiser_best tables. The packaged npz files were produced by
// resampy's scripts/create_filter.py with exactly the rounded parameters its docs print (beta,
// roll, zeros, precision); rebuilding from them matches the npz to ~1e-15 relative.
#include "audio/resampy_filter.h"

#include <cmath>
#include <numbers>

#include "core/error.h"

namespace audify {

ResampyFilter make_sinc_window(int num_zeros, int precision, double rolloff, double beta) {
  AUDIFY_ASSERT(num_zeros > 0 && precision >= 0 && precision < 24);
  AUDIFY_ASSERT(rolloff > 0.0 && rolloff <= 1.0);
  ResampyFilter f;
  f.num_table = 1 << precision;
  f.num_zeros = num_zeros;
  f.rolloff = rolloff;
  f.beta = beta;
  const long n = static_cast<long>(f.num_table) * num_zeros;
  // np.linspace(0, num_zeros, n + 1) multiplies the index by the step num_zeros / n.
  const double step = static_cast<double>(num_zeros) / static_cast<double>(n);
  const double i0_beta = std::cyl_bessel_i(0.0, beta);
  f.half_window.resize(static_cast<size_t>(n) + 1);
  for (long k = 0; k <= n; ++k) {
    const double t = k == n ? static_cast<double>(num_zeros) : static_cast<double>(k) * step;
    // np.sinc: sin(pi x) / (pi x), with x == 0 replaced by 1e-20.
    const double x = rolloff * t;
    const double y = std::numbers::pi * (x == 0.0 ? 1.0e-20 : x);
    const double sinc = rolloff * (std::sin(y) / y);
    // scipy.signal.windows.kaiser(2n+1, beta)[n + k]: (m - alpha) / alpha with alpha = n.
    const double r = static_cast<double>(k) / static_cast<double>(n);
    const double taper = std::cyl_bessel_i(0.0, beta * std::sqrt(1.0 - r * r)) / i0_beta;
    f.half_window[static_cast<size_t>(k)] = taper * sinc;
  }
  return f;
}

const ResampyFilter& resampy_filter(Resampler which) {
  // Function-local statics: built once, on first use, with thread-safe initialisation.
  switch (which) {
    case Resampler::kaiser_fast: {
      static const ResampyFilter fast = make_sinc_window(24, 9, 0.868212, 9.90322);
      return fast;
    }
    case Resampler::kaiser_best: {
      static const ResampyFilter best = make_sinc_window(50, 13, 0.917347, 12.9846);
      return best;
    }
    case Resampler::soxr_hq:
      break;
  }
  AUDIFY_ASSERT(false && "resampy_filter: not a resampy filter");
  std::abort();
}

}  // namespace audify
