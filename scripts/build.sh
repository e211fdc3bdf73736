#!/usr/bin/env bash
# build.sh [KIND] [CMAKE TARGET...]
#   KIND: release   build/      g++ -O2 -g1 (line tables: backtraces, no local variables); benchmarks
#         sanitize  build-san/  clang -O1, ASan + UBSan + libFuzzer coverage on every object: the unit and
#                               integration tests and the fuzz targets (fuzz_*) from one compilation
#         asan, fuzz            the same as sanitize (older names)
# Configures once per folder (Ninja when installed); exports compile_commands.json.
# Env: JOBS (default: nproc), CMAKE_CXX_COMPILER_LAUNCHER=ccache to share a cache,
#      ISUPGW_CMAKE_ARGS: more -D options for cmake (applied to an existing folder too).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}
shift || true
jobs=${JOBS:-$(nproc)}
case "$kind" in
  release)
    dir=build
    opts=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
    ;;
  sanitize | asan | fuzz)
    dir=build-san
    # Debug keeps assert() on; -O1 is the optimisation ASan and libFuzzer are tuned for; line tables are
    # all a sanitizer report or a fuzzer crash needs to name FILE:LINE.
    opts=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug
      "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" -DISUPGW_SANITIZE=ON -DISUPGW_FUZZ=ON -DISUPGW_BENCH=OFF)
    ;;
  *) echo "build.sh: unknown kind '$kind' (release, sanitize)" >&2; exit 2 ;;
esac
read -r -a extra <<<"${ISUPGW_CMAKE_ARGS:-}"
if [ ! -f "$dir/CMakeCache.txt" ]; then
  gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  cmake -S . -B "$dir" "${gen[@]}" "${opts[@]}" "${extra[@]}" >/dev/null
elif ((${#extra[@]})); then
  cmake -S . -B "$dir" "${extra[@]}" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$dir" -j "$jobs" "${targets[@]}"
