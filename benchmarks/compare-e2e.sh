#!/usr/bin/env bash
# End-to-end comparison on one generated capture, same run, same machine: Nightjar's whole process
# (`nightjar summarize`, JVM start included) against tcpdump reading the file and the flow tools
# people use today. Medians of N runs (default 3). Every run is bounded by `timeout`.
#   benchmarks/compare-e2e.sh [--install] [--packets 10000000] [--runs 3] [--file CAPTURE] [--quick]
# --quick: only nightjar and tcpdump (the flow tools take minutes), for iterating on Nightjar.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
packets=10000000; runs=3; file=""; install=0; quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --install) install=1 ;;
    --packets) packets="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --file) file="$2"; shift ;;
    --quick) quick=1 ;;
    -h|--help) sed -n 2,6p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac; shift
done
if [ "$install" = 1 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcpdump tshark nfdump softflowd argus-server time >/dev/null
fi
work="$(mktemp -d /tmp/nightjar-e2e.XXXXXX)"; trap 'rm -rf "$work"' EXIT
if [ -z "$file" ]; then
  file="$work/darknet.pcap"
  "$root/nightjar" generate --packets "$packets" --seed 1 --out "$file" >/dev/null
fi
"$root/nightjar" --version >/dev/null   # build outside the timings
n=$("$root/nightjar" summarize --json --quiet "$file" | sed -n 's/^  "packets" : \([0-9]*\),/\1/p')
# a second warm-up run: after a build, the first run records its classes and the second dumps the class-sharing archive
"$root/nightjar" summarize --json --quiet "$file" >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # name, command...
  local name="$1"; shift
  command -v "$1" >/dev/null 2>&1 || [ -x "$1" ] || { printf '| %s | not installed (--install) | | | |\n' "$name"; return; }
  local times=() cpus=() rss=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M %U %S' -o "$work/t" timeout 600 "$@" >/dev/null 2>&1 || true
    read -r t m u s < "$work/t"; times+=("$t"); cpus+=("$(echo "$u + $s" | bc -l)"); [ "$m" -gt "$rss" ] && rss=$m
  done
  local med cpu; med=$(printf '%s\n' "${times[@]}" | median); cpu=$(printf '%s\n' "${cpus[@]}" | median)
  echo "$name $med $cpu $rss" >> "$work/results"
}
: > "$work/results"
measure "nightjar summarize" "$root/nightjar" summarize --json --quiet "$file"
measure "tcpdump -w /dev/null" tcpdump -r "$file" -w /dev/null
if [ "$quick" = 0 ]; then
  measure "tshark -w /dev/null" tshark -r "$file" -w /dev/null
  mkdir -p "$work/nf"; measure "nfpcapd -r" nfpcapd -r "$file" -w "$work/nf"
  measure "softflowd -r" softflowd -r "$file" -n 127.0.0.1:9
  measure "argus -r" argus -r "$file" -w /dev/null
fi
nj=$(awk '$1=="nightjar"{print $3}' "$work/results")
echo "Capture: $file ($n packets); machine: $(nproc) cores, $(lscpu | sed -n 's/Model name: *//p'), shared and noisy; medians of $runs runs"
echo
# CPU: user + sys seconds of the whole process (every thread), median; steadier than wall time on a shared machine
echo "| tool | median s | packets/s | time / nightjar | peak RSS MB | CPU s (user+sys) |"
echo "|---|---|---|---|---|---|"
while read -r a b t c m; do
  name="$a $b"
  printf '| %s | %s | %.2fM | %.2f | %d | %.2f |\n' "$name" "$t" "$(echo "$n / $t / 1000000" | bc -l)" "$(echo "$t / $nj" | bc -l)" $((m / 1024)) "$c"
done < <(awk '{print $1, $2, $(NF-2), $(NF-1), $NF}' "$work/results")
