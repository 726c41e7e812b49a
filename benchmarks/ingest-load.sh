#!/usr/bin/env bash
# Ingest load: N simulated sensors over mutual TLS on loopback against an in-process aggregator with
# its DuckDB store; reports acknowledged records/s and ACK latency percentiles (HdrHistogram, from
# each batch's intended send time). Extra arguments go to IngestLoad (see its Javadoc), e.g.
#   benchmarks/ingest-load.sh --sensors 16 --rows 8192 --seconds 20            # as fast as windows allow
#   benchmarks/ingest-load.sh --sensors 16 --rate 1000000 --seconds 20         # fixed offered rate
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
sensors=16
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do [[ "${args[$i]}" == "--sensors" ]] && sensors="${args[$((i + 1))]}"; done
mvn -q -B -o -pl benchmarks -am install -DskipTests >/dev/null 2>&1 || mvn -q -B -pl benchmarks -am install -DskipTests
mvn -q -B -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/ingest.classpath >/dev/null
pki="${NIGHTJAR_LOAD_PKI:-$root/benchmarks/target/load-pki}"
ids=(); for ((s = 1; s <= sensors; s++)); do ids+=("s$s"); done
deploy/certs/make-certs.sh --out "$pki" "${ids[@]}" >/dev/null
flags="$(sed -n 's/.*<nightjar.jvm.flags>\(.*\)<\/nightjar.jvm.flags>.*/\1/p' pom.xml | head -1)"
# shellcheck disable=SC2086
exec java $flags ${INGEST_OPTS:-} -Xmx4g -XX:+UseParallelGC -cp "benchmarks/target/classes:$(cat benchmarks/target/ingest.classpath)" \
  io.nightjar.benchmarks.ingest.IngestLoad --pki "$pki" "$@"
