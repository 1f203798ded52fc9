// See extract_batched.h. Loader threads fill a bounded queue of decoded clips; the calling thread
// forms batches, keeps up to max_in_flight() of them submitted and collects the oldest.
#include "features/extract_batched.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <span>
#include <thread>
#include <utility>

#include "core/error.h"

namespace audify {
namespace {

struct Decoded {
  std::size_t index;
  std::vector<float> samples;
};

// Decoded clips between the loader threads and the GPU thread; loaders block while it is full.
class ClipQueue {
 public:
  ClipQueue(std::size_t capacity, int producers) : capacity_(capacity), producers_(producers) {}

  void push(Decoded d) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return queue_.size() < capacity_; });
    queue_.push_back(std::move(d));
    changed_.notify_all();
  }
  void producer_done() {
    std::lock_guard lock(mutex_);
    --producers_;
    changed_.notify_all();
  }
  // Up to `n` clips: waits until n are ready or no loader is left; empty means all are done.
  std::vector<Decoded> take(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.size() >= n || producers_ == 0; });
    std::vector<Decoded> out;
    while (!queue_.empty() && out.size() < n) {
      out.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    not_full_.notify_all();
    return out;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_, not_full_;
  std::deque<Decoded> queue_;
  std::size_t capacity_;
  int producers_;
};

class BatchRunner {
 public:
  BatchRunner(BatchExtractor& extractor, const BatchedCallbacks& callbacks)
      : ex_(extractor), cb_(callbacks) {}

  void run(std::vector<Decoded> batch) {
    std::vector<std::span<const float>> spans;
    for (const Decoded& d : batch) spans.emplace_back(d.samples);
    if (in_flight_.size() == ex_.max_in_flight()) collect_oldest();
    try {
      ex_.submit(spans);
    } catch (const Error&) {
      retry_one_by_one(batch);
      return;
    }
    std::vector<std::size_t> indices;
    for (const Decoded& d : batch) indices.push_back(d.index);
    in_flight_.push_back(std::move(indices));
  }

  void drain() {
    while (!in_flight_.empty()) collect_oldest();
  }

 private:
  void collect_oldest() {
    std::vector<std::size_t> indices = std::move(in_flight_.front());
    in_flight_.pop_front();
    std::vector<std::vector<float>> rows;
    try {
      rows = ex_.collect();
    } catch (const Error& e) {
      // The batch's device work failed (an asynchronous device error): its clips fail, the rest go
      // on. Their samples are gone by now, so they are not retried one by one.
      for (std::size_t i : indices) cb_.failed(i, e.what());
      return;
    }
    AUDIFY_ASSERT(rows.size() == indices.size());
    for (std::size_t k = 0; k < rows.size(); ++k) cb_.row(indices[k], std::move(rows[k]));
  }

  // Which clip made the batch fail: each alone, after the batches already in flight.
  void retry_one_by_one(std::vector<Decoded>& batch) {
    drain();
    for (Decoded& d : batch) {
      try {
        const std::span<const float> one(d.samples);
        ex_.submit({&one, 1});
        cb_.row(d.index, std::move(ex_.collect().front()));
      } catch (const Error& e) {
        cb_.failed(d.index, e.what());
      }
    }
  }

  BatchExtractor& ex_;
  const BatchedCallbacks& cb_;
  std::deque<std::vector<std::size_t>> in_flight_;
};

}  // namespace

BatchedStats extract_batched(std::size_t count, int threads, BatchExtractor& extractor,
                             const BatchedCallbacks& callbacks) {
  const std::size_t batch = std::max<std::size_t>(extractor.preferred_batch(), 1);
  // Room for the batch being formed plus one more decoding meanwhile; the in-flight batches are
  // already staged in the backend's own buffers.
  ClipQueue queue(2 * batch, threads);
  std::atomic<std::size_t> next{0};
  const auto loader = [&] {
    const ClipLoader load = callbacks.make_loader();
    for (std::size_t i; (i = next.fetch_add(1)) < count;) {
      try {
        if (std::optional<std::vector<float>> samples = load(i))
          queue.push({i, std::move(*samples)});
      } catch (const std::exception& e) {
        callbacks.failed(i, e.what());
      }
    }
    queue.producer_done();
  };

  BatchedStats stats;
  BatchRunner runner(extractor, callbacks);
  std::vector<std::jthread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(loader);
  try {
    for (;;) {
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<Decoded> clips = queue.take(batch);
      stats.wait_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (clips.empty()) break;
      runner.run(std::move(clips));
      ++stats.batches;
    }
    runner.drain();
  } catch (...) {
    // The backend itself failed (a device error): stop the loaders, let the blocked ones finish.
    next.store(count);
    while (!queue.take(batch).empty()) {
    }
    throw;
  }
  return stats;
}

}  // namespace audify
