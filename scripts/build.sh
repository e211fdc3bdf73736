#!/usr/bin/env bash
# build.sh [KIND] [CMAKE TARGET...]
#   KIND: release (build/, default), asan (build-asan/, ASan+UBSan), fuzz (build-fuzz/, clang + libFuzzer)
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}
shift || true
jobs=${JOBS:-$(nproc)}
case "$kind" in
  release) dir=build; opts=() ;;
  asan) dir=build-asan; opts=(-DISUPGW_SANITIZE=ON -DISUPGW_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug) ;;
  fuzz) dir=build-fuzz; opts=(-DISUPGW_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "build.sh: unknown kind '$kind' (release, asan, fuzz)" >&2; exit 2 ;;
esac
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S . -B "$dir" "${opts[@]}" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$dir" -j "$jobs" "${targets[@]}"
