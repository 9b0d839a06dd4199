#!/usr/bin/env bash
# build.sh BUILD_DIR [cmake options...]: configures and builds ecert-token.
# The compiler's output is shown only when the build fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$1"
shift
mkdir -p "$build"
if ! { cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" &&
       cmake --build "$build" -j"$(nproc)"; } >"$build/build.log" 2>&1; then
  cat "$build/build.log"
  echo "build failed: $build" >&2
  exit 1
fi
grep -E "warning:" "$build/build.log" | sort -u || true
echo "built $build"
