#!/usr/bin/env bash
# CPU seconds per thread of one process, for as long as it runs: finds the first process whose
# command line matches PATTERN (waits up to 60 s for it), samples /proc/PID/task/*/stat every
# 0.3 s and, when the process has exited, prints user and sys seconds per thread name (threads of
# one pool, e.g. "GC Thread#0" and "GC Thread#1", are added up), most first. Threads that ended
# before the process keep their last sample. Per-thread CPU is steadier than wall time on this
# shared machine: compare the pipeline's and the summary's threads of two builds with it.
# With --after S --for D, only the D seconds that start S seconds after the process was found
# (a steady state, without start-up and warm-up), and the total.
#
#   benchmarks/thread-cpu.sh '^java .*summarize' &  ./nightjar summarize --json big.pcap >/dev/null; wait
#   benchmarks/thread-cpu.sh --after 12 --for 10 '^java .*IngestLoad' &  benchmarks/ingest-load.sh --seconds 25; wait
#
# Native threads a library starts (DuckDB's workers) are named after the process ("java").
set -euo pipefail
after=0 window=0
while [ $# -gt 1 ]; do
  case "$1" in
    --after) after="$2"; shift 2 ;;
    --for) window="$2"; shift 2 ;;
    *) break ;;
  esac
done
if [ $# -ne 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
pattern="$1"
pid=""
for _ in $(seq 1 600); do
  pid=$(pgrep -f -- "$pattern" | grep -vx "$$" | head -1 || true)
  [ -n "$pid" ] && break
  sleep 0.1
done
[ -n "$pid" ] || { echo "thread-cpu.sh: no process matches $pattern" >&2; exit 1; }
ticks=$(getconf CLK_TCK)
declare -A user sys name base_user base_sys
sample() {
  for task in /proc/"$pid"/task/*; do
    tid=${task##*/}
    comm=$(cat "$task/comm" 2>/dev/null) || continue
    # fields 14 and 15 of stat (utime, stime), counted after the ")" that ends the name
    read -r u s < <(cut -d')' -f2- "$task/stat" 2>/dev/null | awk '{print $12, $13}') || continue
    [ -n "${u:-}" ] || continue
    user[$tid]=$u; sys[$tid]=$s; name[$tid]=$comm
  done
}
start=$(date +%s.%N)
elapsed() { echo "$(date +%s.%N) - $start" | bc -l; }
if [ "$window" != 0 ]; then
  while kill -0 "$pid" 2>/dev/null && [ "$(echo "$(elapsed) < $after" | bc -l)" = 1 ]; do sleep 0.1; done
  kill -0 "$pid" 2>/dev/null || { echo "thread-cpu.sh: the process ended within --after $after s" >&2; exit 1; }
  sample
  for tid in "${!user[@]}"; do base_user[$tid]=${user[$tid]}; base_sys[$tid]=${sys[$tid]}; done
fi
while kill -0 "$pid" 2>/dev/null; do
  sample
  if [ "$window" != 0 ] && [ "$(echo "$(elapsed) >= $after + $window" | bc -l)" = 1 ]; then
    break
  fi
  sleep 0.3
done
for tid in "${!user[@]}"; do
  echo "${name[$tid]}|$((user[$tid] - ${base_user[$tid]:-0}))|$((sys[$tid] - ${base_sys[$tid]:-0}))"
done | awk -F'|' -v hz="$ticks" '
  { n = $1; sub(/[#-]?[0-9]+$/, "", n); u[n] += $2; s[n] += $3; tu += $2; ts += $3 }
  END { for (k in u) if (u[k] + s[k] > 0) printf "user %7.2f s  sys %7.2f s  %s\n", u[k] / hz, s[k] / hz, k
        printf "user %7.2f s  sys %7.2f s  (all threads)\n", tu / hz, ts / hz }' | sort -k2 -n -r
