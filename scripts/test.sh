#!/usr/bin/env bash
# Installs what is needed, builds ecert-token twice (plain, and with
# AddressSanitizer + UndefinedBehaviorSanitizer) and runs every test: the unit
# tests and the interop tests with real peers on both builds, and a smoke pass
# of the benchmark against the module and SoftHSMv2.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/deps.sh"
jobs=$(nproc)
# A test that cannot run here (a client missing) fails instead of skipping.
export ECERT_REQUIRE_ALL_TESTS=1
start=$SECONDS
mark=$SECONDS
took() { echo "   ($1: $((SECONDS - mark)) s)"; mark=$SECONDS; }

echo "== build (RelWithDebInfo)"
"$root/scripts/build.sh" "$root/build" -DECERT_BUILD_TESTS=ON -DECERT_BUILD_BENCH=ON -DECERT_SANITIZE=OFF
took "build"
echo "== tests (RelWithDebInfo)"
ctest --test-dir "$root/build" --output-on-failure -j"$jobs" --timeout 900
took "unit and interop tests"

echo "== build (ASan + UBSan)"
"$root/scripts/build.sh" "$root/build-asan" -DECERT_SANITIZE=ON -DECERT_BUILD_TESTS=ON -DECERT_BUILD_BENCH=OFF
took "sanitizer build"
echo "== tests (ASan + UBSan)"
# Leak detection stays on for our own binaries; the interop peers, which are
# not sanitizer builds, get the runtime preloaded without it (tests/interop).
ASAN_OPTIONS="abort_on_error=1:detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  ctest --test-dir "$root/build-asan" --output-on-failure -j"$jobs" --timeout 900
took "sanitizer tests"

echo "== benchmark smoke pass (module and SoftHSMv2; no timing asserts)"
"$root/bench/run-comparison.sh" "$root/build/src/pkcs11/libecert-pkcs11.so" --smoke
took "benchmark smoke pass"

echo "== all tests passed in $((SECONDS - start)) s"
