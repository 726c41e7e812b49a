#!/usr/bin/env bash
# DuckDB's own insert speed for Nightjar's flow records, without the aggregator around it
# (see InsertCeiling's Javadoc): the ceiling under benchmarks/ingest-load.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn -q -B -o -pl benchmarks -am install -DskipTests >/dev/null 2>&1 || mvn -q -B -pl benchmarks -am install -DskipTests
mvn -q -B -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/ingest.classpath >/dev/null
flags="$(sed -n 's/.*<nightjar.jvm.flags>\(.*\)<\/nightjar.jvm.flags>.*/\1/p' pom.xml | head -1)"
# shellcheck disable=SC2086
exec java $flags ${CEILING_OPTS:-} -Xmx2g -cp "benchmarks/target/classes:$(cat benchmarks/target/ingest.classpath)" io.nightjar.benchmarks.ingest.InsertCeiling "$@"
