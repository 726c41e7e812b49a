#!/usr/bin/env bash
# Fuzzes each Jazzer target in turn for SECONDS (default 60) with JAZZER_FUZZ=1, offline.
# A finding is written by Jazzer into the target's regression-input directory under src/test/resources
# (crash-<sha1>); the script stops at the first failing target and names it. Corpora go to the module's
# .cifuzz-corpus/ (ignored by git). Usage: benchmarks/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
targets=(
  "wire FrameDecoderFuzzTest"
  "wire IpcStreamsFuzzTest"
  "sensor CaptureFuzzTest#everyRecordOfAnArbitraryFileGetsExactlyOneClassAndDamageIsReported"
  "aggregator QueryParamsFuzzTest"
  "aggregator YamlLoadersFuzzTest"
)
for t in "${targets[@]}"; do
  read -r module test <<<"$t"
  echo "== $module $test: ${seconds}s"
  log="$module/target/fuzz-${test%%#*}.log"
  if ! JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" mvn -o -B test -pl "$module" -am -Dtest="$test" \
      -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1; then
    grep -E 'Test unit written|FuzzTestFinding|Caused by' "$log" | head -5 || true
    echo "fuzz: $module $test found a crash (log: $log)" >&2
    exit 1
  fi
  grep -E '^Done [0-9]+ runs' "$log" || true
done
