// A blocking queue with a fixed capacity: the reader never runs further ahead of the matchers than
// `capacity` items, so memory does not grow with the size of the history.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace ks {

template <class T>
class BoundedQueue {
public:
    explicit BoundedQueue(std::size_t capacity) : capacity_(capacity) {}

    void push(T item) {
        {
            std::unique_lock lock(mu_);
            not_full_.wait(lock, [&] { return items_.size() < capacity_; });
            items_.push_back(std::move(item));
        }
        // Notified after unlocking, so the woken reader does not go straight back to sleep on the lock.
        not_empty_.notify_one();
    }

    // Adds `item` unless the queue is full (or closed); false then, and `item` is left as it was.
    bool try_push(T& item) {
        {
            std::lock_guard lock(mu_);
            if (closed_ || items_.size() >= capacity_) return false;
            items_.push_back(std::move(item));
        }
        not_empty_.notify_one();
        return true;
    }

    // Empty optional once the queue is closed and drained.
    std::optional<T> pop() {
        std::optional<T> item;
        {
            std::unique_lock lock(mu_);
            not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
            if (items_.empty()) return std::nullopt;
            item.emplace(std::move(items_.front()));
            items_.pop_front();
        }
        not_full_.notify_one();
        return item;
    }

    void close() {
        std::lock_guard lock(mu_);
        closed_ = true;
        not_empty_.notify_all();
    }

private:
    std::mutex mu_;
    std::condition_variable not_full_, not_empty_;
    std::deque<T> items_;
    std::size_t capacity_;
    bool closed_ = false;
};

}  // namespace ks
