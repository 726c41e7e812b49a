#!/usr/bin/env bash
# CPU seconds per thread of one process, for as long as it runs: finds the first process whose
# command line matches PATTERN (waits up to 60 s for it), samples /proc/PID/task/*/stat every
# 0.3 s and, when the process has exited, prints user and sys seconds per thread name (threads of
# one pool, e.g. "GC Thread#0" and "GC Thread#1", are added up), most first. Threads that ended
# before the process keep their last sample. Per-thread CPU is steadier than wall time on this
# shared machine: compare the pipeline's and the summary's threads of two builds with it.
#
#   benchmarks/thread-cpu.sh '^java .*summarize' &  ./nightjar summarize --json big.pcap >/dev/null; wait
#
# Native threads a library starts (DuckDB's workers) are named after the process ("java").
set -euo pipefail
if [ $# -ne 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
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
declare -A user sys name
while kill -0 "$pid" 2>/dev/null; do
  for task in /proc/"$pid"/task/*; do
    tid=${task##*/}
    comm=$(cat "$task/comm" 2>/dev/null) || continue
    # fields 14 and 15 of stat (utime, stime), counted after the ")" that ends the name
    read -r u s < <(cut -d')' -f2- "$task/stat" 2>/dev/null | awk '{print $12, $13}') || continue
    [ -n "${u:-}" ] || continue
    user[$tid]=$u; sys[$tid]=$s; name[$tid]=$comm
  done
  sleep 0.3
done
for tid in "${!user[@]}"; do
  echo "${name[$tid]}|${user[$tid]}|${sys[$tid]}"
done | awk -F'|' -v hz="$ticks" '
  { n = $1; sub(/[#-]?[0-9]+$/, "", n); u[n] += $2; s[n] += $3 }
  END { for (k in u) if (u[k] + s[k] > 0) printf "user %7.2f s  sys %7.2f s  %s\n", u[k] / hz, s[k] / hz, k }' | sort -k2 -n -r
