// cleaning/detail/parallel_for.h: a static-chunk parallel loop on std::thread (no pool, no TBB):
// every index is processed exactly once and results written per index, so outputs never depend
// on the thread count.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace textaudit::cleaning::detail {

inline int resolve_threads(int n_threads) {
  if (n_threads > 0) return n_threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

// Calls fn(begin, end, thread_id) on contiguous chunks of [0, n), chunks handed out dynamically.
template <typename Fn>
void parallel_for(std::int64_t n, int n_threads, std::int64_t chunk, Fn&& fn) {
  n_threads = resolve_threads(n_threads);
  if (n <= 0) return;
  chunk = std::max<std::int64_t>(1, chunk);
  const std::int64_t n_chunks = (n + chunk - 1) / chunk;
  if (n_threads == 1 || n_chunks == 1) {
    fn(std::int64_t{0}, n, 0);
    return;
  }
  std::mutex mutex;
  std::int64_t next = 0;
  std::exception_ptr error;
  auto worker = [&](int tid) {
    for (;;) {
      std::int64_t c;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next >= n_chunks || error) return;
        c = next++;
      }
      try {
        fn(c * chunk, std::min(n, (c + 1) * chunk), tid);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  const int used = static_cast<int>(std::min<std::int64_t>(n_threads, n_chunks));
  std::vector<std::thread> threads;
  for (int t = 1; t < used; ++t) threads.emplace_back(worker, t);
  worker(0);
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace textaudit::cleaning::detail
