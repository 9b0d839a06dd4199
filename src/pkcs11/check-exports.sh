#!/bin/sh
# check-exports.sh LIB: fails unless every defined dynamic symbol of LIB is a
# PKCS#11 entry point (C_*), and the entry points a loader looks up first are
# there.
set -eu

if [ "$#" -ne 1 ]; then
  echo "usage: $0 LIB" >&2
  exit 2
fi
lib=$1
if [ ! -f "$lib" ]; then
  echo "$0: $lib: no such file" >&2
  exit 2
fi

symbols=$(nm -D --defined-only "$lib" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }') || {
  echo "$0: nm failed on $lib" >&2
  exit 2
}

status=0
leaked=$(printf '%s\n' "$symbols" | grep -v -e '^C_[A-Za-z]*$' -e '^$' || true)
if [ -n "$leaked" ]; then
  echo "$lib exports symbols other than C_*:" >&2
  printf '%s\n' "$leaked" | sed 's/^/  /' >&2
  status=1
fi

for required in C_GetFunctionList C_GetInterfaceList C_GetInterface C_Initialize C_Finalize; do
  if ! printf '%s\n' "$symbols" | grep -qx "$required"; then
    echo "$lib does not export $required" >&2
    status=1
  fi
done

count=$(printf '%s\n' "$symbols" | grep -c '^C_' || true)
if [ "$status" -eq 0 ]; then
  echo "$lib: $count symbols exported, all C_*"
fi
exit "$status"
