#!/usr/bin/env bash
# Query load: a store of synthetic flow records (100M by default, made in DuckDB), its daily roll-ups,
# then the dashboard's standard queries over HTTP with p50/p95/p99/max (HdrHistogram). Keep --data
# outside the repository (several GB). Examples:
#   benchmarks/query-load.sh --data /tmp/nightjar-query --records 100000000
#   benchmarks/query-load.sh --data /tmp/nightjar-query --runs 100          # reuse the store made before
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn -q -B -o -pl benchmarks -am install -DskipTests >/dev/null 2>&1 || mvn -q -B -pl benchmarks -am install -DskipTests
mvn -q -B -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/query.classpath >/dev/null
# Snapshot this tree's own modules: other checkouts on the machine install theirs into ~/.m2 too.
lib="benchmarks/target/query-lib"; rm -rf "$lib"; mkdir -p "$lib"
cp benchmarks/target/classes -r "$lib/benchmarks-classes"
cp=""
for entry in $(tr ':' ' ' < benchmarks/target/query.classpath); do
  case "$entry" in
    */io/nightjar/*) cp "$entry" "$lib/"; cp="$cp:$lib/$(basename "$entry")" ;;
    *) cp="$cp:$entry" ;;
  esac
done
flags="$(sed -n 's/.*<nightjar.jvm.flags>\(.*\)<\/nightjar.jvm.flags>.*/\1/p' pom.xml | head -1)"
# shellcheck disable=SC2086
exec java $flags -Xmx6g -XX:+UseParallelGC -cp "$lib/benchmarks-classes$cp" \
  io.nightjar.benchmarks.query.QueryLoad "$@"
