#include "timing.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// A one-shot start line: workers report ready, the coordinator fixes the
// deadline after the last one arrived, then everyone starts at once. Unlike
// std::barrier it also carries the "abort" decision when a prepare failed.
class StartGate {
 public:
  explicit StartGate(unsigned workers) : waiting_for_(workers) {}

  // Returns false if the run was called off.
  bool arrive_and_wait(Clock::time_point& deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (--waiting_for_ == 0) all_ready_.notify_one();
    released_.wait(lock, [this] { return open_; });
    deadline = deadline_;
    return !aborted_;
  }

  void wait_all_ready() {
    std::unique_lock<std::mutex> lock(mutex_);
    all_ready_.wait(lock, [this] { return waiting_for_ == 0; });
  }

  void release(Clock::time_point deadline, bool abort) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      deadline_ = deadline;
      aborted_ = abort;
      open_ = true;
    }
    released_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable all_ready_, released_;
  unsigned waiting_for_;
  bool open_ = false, aborted_ = false;
  Clock::time_point deadline_;
};

struct WorkerResult {
  Status prepare_status;
  Status run_status;
  std::uint64_t ops = 0;
  Clock::time_point finished;
};

void run_worker(const PrepareFn& prepare, StartGate& gate, WorkerResult& result) {
  OpFn op;
  result.prepare_status = prepare(op);
  Clock::time_point deadline;
  if (!gate.arrive_and_wait(deadline) || !result.prepare_status.is_ok()) return;
  std::uint64_t ops = 0;
  while (Clock::now() < deadline) {
    Status s = op();
    if (!s.is_ok()) {
      result.run_status = s;
      break;
    }
    ++ops;
  }
  result.finished = Clock::now();
  result.ops = ops;
  // `op` and its captures (sessions, contexts) die here, in this thread.
}

}  // namespace

Measurement measure(const PrepareFn& prepare, unsigned threads, double seconds) {
  StartGate gate(threads);
  std::vector<WorkerResult> results(threads);
  std::vector<std::thread> workers;
  for (unsigned i = 0; i < threads; ++i)
    workers.emplace_back(run_worker, std::cref(prepare), std::ref(gate), std::ref(results[i]));

  gate.wait_all_ready();
  bool abort = false;
  for (const auto& r : results) abort = abort || !r.prepare_status.is_ok();
  const auto start = Clock::now();
  const auto duration = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  gate.release(start + duration, abort);
  for (auto& w : workers) w.join();

  Measurement m;
  auto last = start;
  for (const auto& r : results) {
    if (!r.prepare_status.is_ok() && m.status.is_ok()) m.status = r.prepare_status;
    if (!r.run_status.is_ok() && m.status.is_ok()) m.status = r.run_status;
    m.ops += r.ops;
    if (r.finished > last) last = r.finished;
  }
  // The slowest thread's last op ends past the deadline; dividing by the real
  // span keeps slow operations (long 1 MiB digests) from being flattered.
  m.seconds = std::chrono::duration<double>(last - start).count();
  return m;
}
