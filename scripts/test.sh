#!/usr/bin/env bash
# README command (b) = .ci/run: set up, build and run the whole default test suite.
#   1. release build (g++): integration tests (real peers, the SCTP VM) + benchmark smoke runs; the unit tests
#      are not built here (ISUPGW_UNIT_TESTS=OFF): compiling them is a third of a build's time, and they
#      run in 2;
#      the tests labelled `timing` (CDR durations against SIPp's clock) run after the sanitize build, alone;
#   2. sanitize build (clang; every object compiled once with ASan + UBSan + libFuzzer coverage):
#      the unit tests, the integration tests again (not the `timing` ones), and every fuzz target for
#      FUZZ_SECONDS (default: 12 s, 6 s for the small grammars) each.
# The tests mostly wait (timers, peers, the network: the release tests use about half of one core), so
# CPU-bound work runs beside them at low priority: the sanitize build compiles (nice 19) while the release
# tests run, the fuzz targets run one at a time (nice 10) while the sanitize tests run.
# Ends with one line "N passed, N failed, N skipped". Skips are counted apart, never as passes; every
# skipped test is listed with its reason. Exits non-zero if anything failed or did not build, and, when
# CI=true, if a test skipped that must run in CI (every test not labelled may_skip).
# Env: JOBS (default nproc), FUZZ_SECONDS, CI.
set -uo pipefail
cd "$(dirname "$0")/.."
export CTEST_OUTPUT_ON_FAILURE=1
jobs=${JOBS:-$(nproc)}
logs=$(mktemp -d /tmp/isupgw-test-XXXXXX)
passed=0 failed=0 skipped=0 broken=()
TIMEFORMAT='%R %U %S' # bash's `time`: wall, user and system seconds (children included)

scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

# cpu FILE: "wall W s, CPU C s" from a `time` line (W rounded; C = user + system).
cpu() { awk '{ printf "%d s wall, %d s CPU", $1 + 0.5, $2 + $3 + 0.5 }' "$1"; }

# build NAME KIND [NICE] [CMAKE-ARGS]: scripts/build.sh KIND, timed; false if it failed.
build() {
  local name=$1 kind=$2 nice=${3:-0} args=${4:-}
  echo "=== $name: build"
  if ! { time ISUPGW_CMAKE_ARGS=$args nice -n "$nice" scripts/build.sh "$kind" >"$logs/$name.build" 2>&1; } 2>"$logs/$name.build.time"; then
    tail -n 80 "$logs/$name.build"
    echo "=== $name: BUILD FAILED"
    failed=$((failed + 1)); broken+=("$name build")
    return 1
  fi
  echo "=== $name: built in $(cpu "$logs/$name.build.time")"
}

# ctest_run NAME DIR CTEST-ARGS...: ctest in DIR, timed, its JUnit report in $logs/NAME.xml.
ctest_run() {
  local name=$1 dir=$2
  shift 2
  rm -f "$logs/$name.xml"
  # The inner braces keep `time`'s own line out of the redirection to NAME.test.
  { time { (cd "$dir" && ctest --output-junit "$logs/$name.xml" "$@") >"$logs/$name.test" 2>&1; }; } 2>"$logs/$name.test.time"
}

# count NAME DIR: the verdict of a ctest_run from its JUnit report.
count() {
  local name=$1 dir=$2 verdict p f s m
  if [ ! -s "$logs/$name.xml" ] || ! (cd "$dir" && ctest --show-only=json-v1) >"$logs/$name.json"; then
    tail -n 40 "$logs/$name.test"
    failed=$((failed + 1)); broken+=("$name: ctest ran nothing")
    return
  fi
  verdict=$(python3 scripts/ctest-verdict.py "$logs/$name.xml" "$logs/$name.json")
  printf '%s\n' "$verdict" >"$logs/$name.verdict"
  sed '$d' <<<"$verdict"
  read -r p f s m <<<"$(tail -n 1 <<<"$verdict")"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  # The names of the failed tests go into the last lines too: a CI log is often read from its tail.
  ((f == 0)) || broken+=("$name: $f failed: $(sed -n 's/^FAILED  \([^:]*\):.*/\1/p' <<<"$verdict" | paste -sd ' ')")
  if ((m > 0)) && [ "${CI:-}" = true ]; then
    broken+=("$name: $m test(s) skipped that must run in CI (label may_skip to allow)")
  fi
  echo "=== $name: $p passed, $f failed, $s skipped in $(cpu "$logs/$name.test.time")"
}

# run_tests NAME DIR CTEST-ARGS...: ctest in the foreground (its output shown), then its verdict.
run_tests() {
  local name=$1 dir=$2
  shift 2
  echo "=== $name: testing"
  ctest_run "$name" "$dir" -j "$jobs" "$@"
  cat "$logs/$name.test"
  count "$name" "$dir"
}

start=$SECONDS
sanitize_built=false
if build release release 0 -DISUPGW_UNIT_TESTS=OFF; then
  # The sanitize build compiles beside the release tests (nice 19: the tests come first).
  (build sanitize sanitize 19) >"$logs/sanitize.status" 2>&1 &
  san_pid=$!
  # Tests labelled `timing` judge the gateway's timestamps against a peer's within milliseconds: they run
  # alone once the sanitize build has finished, not beside it.
  run_tests release build -LE timing
  wait "$san_pid" && sanitize_built=true
  run_tests release-timing build -L timing
else
  (build sanitize sanitize) >"$logs/sanitize.status" 2>&1 && sanitize_built=true
fi
cat "$logs/sanitize.status"
$sanitize_built || { failed=$((failed + 1)); broken+=("sanitize build"); }
if $sanitize_built; then
  # The fuzz targets run one at a time beside the sanitize tests (nice 10).
  echo "=== fuzz: running beside the sanitize tests"
  (renice -n 10 -p "$BASHPID" >/dev/null; ctest_run fuzz build-san -j 1 -L fuzz) &
  fuzz_pid=$!
  # The `timing` tests ran in the release build, alone; under ASan, beside the fuzzers, their 20 ms verdict
  # would judge the machine's load rather than the gateway (they hold no code path the others do not).
  run_tests sanitize build-san -L "unit|integration" -LE "vm|timing"
  wait "$fuzz_pid" || true
  echo "=== fuzz:"
  grep -E "Test +#|tests passed" "$logs/fuzz.test"
  count fuzz build-san
fi
echo
echo "=== total $((SECONDS - start)) s; logs in $logs"
grep -h '^FAILED  ' "$logs"/*.verdict 2>/dev/null | cut -c1-300
((${#broken[@]} == 0)) || printf 'FAILED: %s\n' "${broken[@]}"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
((${#broken[@]} == 0))
