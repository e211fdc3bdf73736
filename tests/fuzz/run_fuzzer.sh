#!/usr/bin/env bash
# run_fuzzer.sh FUZZER SEED_CORPUS_DIR SECONDS
# Runs a libFuzzer target for SECONDS (env FUZZ_SECONDS overrides) on a scratch copy of the seed corpus
# (the repository's corpus is never written). Crashes land in $FUZZ_ARTIFACTS
# (default: a temp dir) and fail the test.
set -euo pipefail
fuzzer=$1 seeds=$2 seconds=${FUZZ_SECONDS:-${3:-20}}
work=$(mktemp -d /tmp/isupgw-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
artifacts=${FUZZ_ARTIFACTS:-$work/artifacts}
mkdir -p "$work/corpus" "$artifacts"
[ -d "$seeds" ] && cp -r "$seeds"/. "$work/corpus/" 2>/dev/null || true
"$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "$work/corpus" 2>"$work/log" || {
  tail -n 60 "$work/log"
  echo "fuzzer $(basename "$fuzzer") failed; reproducer(s) in $artifacts:" >&2
  ls -l "$artifacts" >&2
  # The scratch folder goes with the trap: each reproducer into the log (base64), so a CI run keeps it.
  for f in "$artifacts"/*; do [ -f "$f" ] && echo "reproducer $(basename "$f") base64: $(base64 -w0 "$f")" >&2; done
  exit 1
}
grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work/log" || true
echo "fuzz $(basename "$fuzzer"): ${seconds}s, no crash"
