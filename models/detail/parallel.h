// models/detail/parallel.h: run numbered tasks on a few threads. Tasks write disjoint outputs, so
// results never depend on which thread ran a task (callers reduce per-task partials in task order).
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace textaudit::models::detail {

// Calls fn(task) for task in [0, n_tasks) on min(n_threads, n_tasks) threads (the caller's thread
// included). The first exception thrown by a task is rethrown after all threads have joined.
template <class Fn>
void parallel_for(int n_tasks, int n_threads, Fn&& fn) {
  const int workers = std::max(1, std::min(n_threads, n_tasks));
  if (workers == 1) {
    for (int t = 0; t < n_tasks; ++t) fn(t);
    return;
  }
  std::atomic<int> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    for (int t = next.fetch_add(1); t < n_tasks; t = next.fetch_add(1)) {
      try {
        fn(t);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(workers - 1));
  for (int w = 1; w < workers; ++w) threads.emplace_back(work);
  work();
  for (auto& thread : threads) thread.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace textaudit::models::detail
