// A fixed number of slots that requests hold while they use something the server must bound: the
// upload phase (a worker thread and the upload's memory) and the classification phase (CPU). A
// slot is taken at once or waited for up to a deadline, and its holder's destructor gives it back.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace audify {

class RequestSlots {
 public:
  explicit RequestSlots(int count) : count_(count) {}
  RequestSlots(const RequestSlots&) = delete;
  RequestSlots& operator=(const RequestSlots&) = delete;

  // One slot, or nothing (false) when none was free.
  class Held {
   public:
    Held() = default;
    Held(Held&& other) noexcept : slots_(other.slots_) { other.slots_ = nullptr; }
    Held& operator=(Held&&) = delete;
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;
    ~Held() {
      if (slots_) slots_->release();
    }
    explicit operator bool() const { return slots_ != nullptr; }

   private:
    friend class RequestSlots;
    explicit Held(RequestSlots* slots) : slots_(slots) {}
    RequestSlots* slots_ = nullptr;
  };

  Held try_take() {
    const std::lock_guard lock(mutex_);
    return take_locked();
  }
  Held take_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    freed_.wait_until(lock, deadline, [this] { return in_use_ < count_; });
    return take_locked();
  }
  int in_use() const {
    const std::lock_guard lock(mutex_);
    return in_use_;
  }
  int count() const { return count_; }

 private:
  Held take_locked() {
    if (in_use_ >= count_) return Held();
    ++in_use_;
    return Held(this);
  }
  void release() {
    {
      const std::lock_guard lock(mutex_);
      --in_use_;
    }
    freed_.notify_one();
  }

  const int count_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  int in_use_ = 0;
};

}  // namespace audify
