// Runs one operation repeatedly on N threads for a fixed wall-clock time and
// turns the count into operations per second.
#pragma once

#include <cstdint>
#include <functional>

#include "status.h"

struct Measurement {
  Status status;
  std::uint64_t ops = 0;
  double seconds = 0;
  double ops_per_second() const { return seconds > 0 ? ops / seconds : 0; }
};

// One call of the measured operation.
using OpFn = std::function<Status()>;
// Runs inside each worker thread before the clock starts, so per-thread
// state (a session, an EVP_PKEY_CTX) is built there and torn down there,
// outside the timed window. Whatever `op` captures lives as long as it does.
using PrepareFn = std::function<Status(OpFn& op)>;

// All threads are released together once every one of them is prepared; the
// run stops at the first error, which then becomes the result.
Measurement measure(const PrepareFn& prepare, unsigned threads, double seconds);
