#!/usr/bin/env bash
# The benchmark report: every figure the issues ask for, in one table, measured in one run on this
# machine, each beside its named peer (same capture, same run) where one exists.
#
#   benchmarks/report.sh [--packets 10000000] [--runs 3] [--query-records 10000000] [--install] [--write] [--reuse]
#
# Runs, in order: compare-e2e.sh (nightjar summarize vs tcpdump, tshark, nfpcapd, softflowd, argus on
# one generated capture, medians of --runs), the JMH pipeline benchmark (3 iterations), ingest-load.sh
# (16 connections over mutual TLS, unthrottled; then --find-max 100 for the highest rate with p99 ACK
# latency under 100 ms), query-load.sh (a --query-records store, 4 concurrent analysts while 4 sensors
# ingest 100,000 records/s) and, as root, live-capture.sh (tcpreplay at top speed into a veth pair).
# Prints the table (and keeps every tool's raw output in benchmarks/target/report/); --write also
# replaces the table in benchmarks/README.md between its report markers. --install installs the peers
# (tcpdump, tshark, nfdump, softflowd, argus-server, tcpreplay); --reuse keeps the raw outputs of
# steps that already completed (after a step failed). Takes about 15 minutes here.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
packets=10000000; runs=3; query_records=10000000; write=0; install=(); reuse=0
while [ $# -gt 0 ]; do
  case "$1" in
    --packets) packets="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --query-records) query_records="$2"; shift 2 ;;
    --install) install=(--install); shift ;;
    --write) write=1; shift ;;
    --reuse) reuse=1; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "report.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
out="$root/benchmarks/target/report"; mkdir -p "$out"
step() { echo "report: $* ($(date -u +%H:%M:%S))" >&2; }
# run STEP-OUTPUT: false (skip) with --reuse when that step's raw output is already there; otherwise
# the old output is removed first, so that a step that fails shows as failed, not as an earlier run's figure
run() { if [ "$reuse" = 0 ]; then rm -f "$out/$1"; return 0; fi; [ ! -s "$out/$1" ]; }
# or_failed VALUE STEP-OUTPUT: VALUE, or a pointer to the raw output when the step gave none
or_failed() { if [ -n "$1" ]; then echo "$1"; else echo "failed (see benchmarks/target/report/$2*)"; fi; }

step "end to end: nightjar summarize and the peers on $packets packets, $runs runs"
run e2e.md && benchmarks/compare-e2e.sh "${install[@]}" --packets "$packets" --runs "$runs" > "$out/e2e.md.tmp" && mv "$out/e2e.md.tmp" "$out/e2e.md"
col() { awk -F'|' -v t="$1" -v c="$2" '$2 ~ "^ *"t" *$" { gsub(/ /, "", $c); print $c }' "$out/e2e.md"; }
nj_s="$(col "nightjar summarize" 3)"; nj_rss="$(col "nightjar summarize" 6)"

step "JMH: PipelineBenchmark"
mvn -q -B -o -pl benchmarks -am package -DskipTests >/dev/null 2>&1 || mvn -q -B -pl benchmarks -am package -DskipTests >/dev/null
run jmh.json && java -jar benchmarks/target/benchmarks.jar PipelineBenchmark -f 1 -wi 2 -w 3s -i 3 -r 3s -rf json -rff "$out/jmh.json" > "$out/jmh.txt" 2>&1
jmh="$(python3 -c "import json; r=json.load(open('$out/jmh.json'))[0]['primaryMetric']; print('%.2f' % (r['score'] / 1e6))")"

step "ingest: 16 connections, mutual TLS, unthrottled"
run ingest.txt && { benchmarks/ingest-load.sh --sensors 16 --rows 8192 --window 8 --seconds 15 --warmup 20 > "$out/ingest.txt.tmp" 2>&1 && mv "$out/ingest.txt.tmp" "$out/ingest.txt"; }
ingest_line="$(grep -s '^ingest-load: 16 sensors' "$out/ingest.txt" | tail -1 || true)"
ingest_rate="$(or_failed "$(echo "$ingest_line" | sed -nE 's/.*acknowledged ([0-9,]+) records\/s.*/\1/p')" ingest.txt)"
ingest_p50="$(echo "$ingest_line" | sed -E 's/.* p50 ([0-9.]+) ms.*/\1/')"
ingest_p99="$(echo "$ingest_line" | sed -E 's/.* p99 ([0-9.]+) ms.*/\1/')"

step "ingest: highest rate with p99 ACK latency under 100 ms (16 connections, 2048-row batches)"
run find-max.txt && { benchmarks/ingest-load.sh --sensors 16 --rows 2048 --window 8 --seconds 8 --warmup 3 --find-max 100 --rate 50000 > "$out/find-max.txt.tmp" 2>&1 && mv "$out/find-max.txt.tmp" "$out/find-max.txt"; }
max_line="$(grep -s 'highest sustained rate' "$out/find-max.txt" | tail -1 || true)"
max_rate="$(or_failed "$(echo "$max_line" | sed -nE 's/.*under 100 ms: ([0-9,]+) records\/s.*/\1/p')" find-max.txt)"

step "ingest: 200 connections, mutual TLS, unthrottled"
run ingest-200.txt && { benchmarks/ingest-load.sh --sensors 200 --rows 1024 --window 4 --seconds 10 --warmup 5 > "$out/ingest-200.txt.tmp" 2>&1 && mv "$out/ingest-200.txt.tmp" "$out/ingest-200.txt"; }
i200_line="$(grep -s '^ingest-load: 200 sensors' "$out/ingest-200.txt" | tail -1 || true)"
i200_rate="$(or_failed "$(echo "$i200_line" | sed -nE 's/.*acknowledged ([0-9,]+) records\/s.*/\1/p')" ingest-200.txt)"
i200_p99="$(echo "$i200_line" | sed -E 's/.* p99 ([0-9.]+) ms.*/\1/')"

step "queries: $query_records records, 4 analysts, concurrent ingest of 100,000 records/s"
qdir="${NIGHTJAR_QUERY_STORE:-/tmp/nightjar-report-store-$query_records}"
run query.txt && benchmarks/query-load.sh --data "$qdir" --records "$query_records" --sensors 16 --sources $((query_records / 20)) --runs 10 --slow-runs 3 \
  --analysts 4 --ingest-rate 100000 --ingest-sensors 4 > "$out/query.txt.tmp" 2>&1 && mv "$out/query.txt.tmp" "$out/query.txt"
q() { grep -sF "$1" "$out/query.txt" | awk '{ print $(NF-4) }' | tail -1 || true; }
q_tsubame="$(q 'TSUBAME view')"; q_series="$(q "one port's daily series")"; q_countries="$(q 'top countries for a month')"
q_ack="$(grep -s 'concurrent ingest during' "$out/query.txt" | sed -E 's/.* p99 ([0-9.]+) ms.*/\1/' || true)"

live="not run (needs root)"
if [ "$(id -u)" = 0 ] && command -v tcpreplay >/dev/null; then
  step "live capture: tcpreplay at top speed into a veth pair"
  run live.md && { benchmarks/live-capture.sh --packets 2000000 --rates max > "$out/live.md" 2>&1 || true; }
  live="$(or_failed "$(awk -F'|' '$2 ~ /max/ { gsub(/ /, "", $3); gsub(/ /, "", $8); printf "%s packets/s offered, %s%% lost", $3, $8 }' "$out/live.md")" live.md)"
fi

ratio() { python3 -c "print('%.1f×' % ($2 / $1))" 2>/dev/null || echo "?"; }
peer_row() { # name, nightjar seconds
  local t; t="$(col "$1" 3)"; [ -n "$t" ] && printf '| whole process on %s packets: %s | %s s | %s s | %s |\n' "$packets" "$1" "$nj_s" "$t" "$(ratio "$nj_s" "$t")"
}
{
  echo "Measured $(date -u +%Y-%m-%d) by \`benchmarks/report.sh\` on $(nproc) cores ($(lscpu | sed -n 's/Model name: *//p'));"
  echo "the machine is shared and noisy: compare ratios within this run. Raw outputs: benchmarks/target/report/."
  echo
  echo "| figure | Nightjar | peer (same run) | peer / Nightjar |"
  echo "|---|---:|---:|---:|"
  for p in "tcpdump -w" "tshark -w" "nfpcapd -r" "softflowd -r" "argus -r"; do peer_row "$p" || true; done
  echo "| peak RSS of summarize (capture mapped, page cache included) | ${nj_rss} MB | | |"
  echo "| JMH pipeline (decode + classify + flow update, one thread) | ${jmh}M packets/s | target 10M | |"
  echo "| ingest, 16 connections, mutual TLS, unthrottled (15 s after a 20-s warm-up) | ${ingest_rate} records/s (ACK p50 ${ingest_p50} ms, p99 ${ingest_p99} ms) | target 2,000,000 | |"
  echo "| ingest, 200 connections, mutual TLS, unthrottled | ${i200_rate} records/s (ACK p99 ${i200_p99} ms) | | |"
  echo "| highest ingest rate with ACK p99 < 100 ms (16 connections) | ${max_rate} records/s | | |"
  echo "| query p95 under ingest, $query_records records, 4 analysts: TSUBAME year by week | ${q_tsubame} ms | | |"
  echo "| … one port's daily series for a year | ${q_series} ms | | |"
  echo "| … top countries for a month | ${q_countries} ms | | |"
  echo "| ACK p99 of the concurrent ingest (100,000 records/s) | ${q_ack} ms | | |"
  echo "| live capture, one interface (veth, tcpreplay --topspeed, 2M packets) | ${live} | | |"
} > "$out/table.md"
cat "$out/table.md"
if [ "$write" = 1 ]; then
  python3 - "$root/benchmarks/README.md" "$out/table.md" <<'EOF'
import sys
readme, table = sys.argv[1], open(sys.argv[2]).read()
text = open(readme).read()
begin, end = "<!-- report:begin -->", "<!-- report:end -->"
if begin not in text:
    raise SystemExit("report.sh: no report markers in " + readme)
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(readme, "w").write(head + begin + "\n" + table + end + tail)
EOF
  echo "report: table written into benchmarks/README.md" >&2
fi
