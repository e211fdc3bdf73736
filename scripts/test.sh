#!/usr/bin/env bash
# README command (b): set up, build and run the whole default test suite:
#   1. release build: unit + integration tests (real peers) + benchmark smoke runs
#   2. ASan+UBSan build: unit + integration tests again
#   3. clang libFuzzer build: every fuzz target for FUZZ_SECONDS (default 30) each
# Ends with one line "N passed, N failed"; exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export CTEST_OUTPUT_ON_FAILURE=1
jobs=${JOBS:-$(nproc)}
logs=$(mktemp -d /tmp/isupgw-test-XXXXXX)
passed=0 failed=0 broken=()

scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

# run_stage NAME BUILD-KIND CTEST-ARGS...
run_stage() {
  local name=$1 kind=$2 dir
  shift 2
  case "$kind" in release) dir=build ;; asan) dir=build-asan ;; fuzz) dir=build-fuzz ;; esac
  echo "=== $name: build ($dir)"
  local t0=$SECONDS
  if ! scripts/build.sh "$kind" >"$logs/$name.build" 2>&1; then
    tail -n 80 "$logs/$name.build"
    echo "=== $name: BUILD FAILED"
    failed=$((failed + 1)); broken+=("$name build")
    return
  fi
  echo "=== $name: built in $((SECONDS - t0)) s; testing"
  t0=$SECONDS
  (cd "$dir" && ctest -j "$jobs" "$@") 2>&1 | tee "$logs/$name.test"
  local line p f
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$logs/$name.test" | tail -n 1)
  if [ -z "$line" ]; then
    failed=$((failed + 1)); broken+=("$name: ctest ran nothing")
    return
  fi
  f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
  p=$(( $(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line") - f ))
  passed=$((passed + p)); failed=$((failed + f))
  ((f == 0)) || broken+=("$name: $f failed")
  echo "=== $name: $p passed, $f failed in $((SECONDS - t0)) s"
}

start=$SECONDS
run_stage release release
run_stage asan asan -L "unit|integration" -LE vm
run_stage fuzz fuzz -L fuzz -j 2
echo
echo "=== total $((SECONDS - start)) s"
((${#broken[@]} == 0)) || printf 'FAILED: %s\n' "${broken[@]}"
echo "${passed} passed, ${failed} failed"
((failed == 0))
