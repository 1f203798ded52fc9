// A small work queue over host threads: job(i) for every i in [0, jobs), each index taken by the
// next free thread, the calling thread working too. The first exception a job throws stops the
// queue and is rethrown to the caller once every thread has finished.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace audify {

template <typename Job>
void parallel_jobs(std::size_t jobs, int threads, const Job& job) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < jobs; i = next++) {
      try {
        job(i);
      } catch (...) {
        const std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        next = jobs;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

// body(begin, end) over `threads` contiguous, near-equal ranges of [0, count), one per thread:
// for loops whose iterations cost the same.
template <typename Body>
void parallel_ranges(std::size_t count, int threads, const Body& body) {
  const std::size_t parts =
      std::min<std::size_t>(count, static_cast<std::size_t>(std::max(1, threads)));
  if (parts <= 1) {
    body(std::size_t{0}, count);
    return;
  }
  parallel_jobs(parts, static_cast<int>(parts),
                [&](std::size_t part) { body(count * part / parts, count * (part + 1) / parts); });
}

}  // namespace audify
