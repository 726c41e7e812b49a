#!/usr/bin/env bash
# Live capture: how many packets/s one capture thread holds without drops.
#
#   benchmarks/live-capture.sh [--packets N] [--rates "100000 200000 400000 max"] [--snaplen 256]
#
# Makes a network namespace with a veth pair (root; removed at the end), generates a capture of N
# small darknet packets, and for each rate runs a live sensor on the veth end (--interface, one capture
# thread, the pipeline thread, the spool) while tcpreplay sends the capture into the other end from the
# namespace at that rate ("max": --topspeed). Reports tcpreplay's achieved rate and the sensor's own
# account: packets received by the kernel filter, counted into bins, and dropped (kernel, interface,
# ring). On this 2-core machine tcpreplay, the capture thread and the pipeline thread share the cores,
# so the figures are a lower bound for a sensor on a machine of its own.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
packets=1000000
rates="100000 200000 400000 800000 max"
snaplen=256
while [ $# -gt 0 ]; do
  case "$1" in
    --packets) packets="$2"; shift 2 ;;
    --rates) rates="$2"; shift 2 ;;
    --snaplen) snaplen="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "live-capture.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "live-capture.sh: needs root (network namespace, veth, raw capture)" >&2; exit 2; }
command -v tcpreplay >/dev/null || { echo "live-capture.sh: needs tcpreplay (apt-get install -y tcpreplay)" >&2; exit 2; }

work="$(mktemp -d /tmp/nj-live-bench.XXXXXX)"
ns="nj-bench-$$"; cap="njbc$$"; snd="njbs$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; ip link del "$cap" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip netns add "$ns"
ip link add "$cap" type veth peer name "$snd" netns "$ns"
sysctl -q -w "net.ipv6.conf.$cap.disable_ipv6=1"
ip netns exec "$ns" sysctl -q -w "net.ipv6.conf.$snd.disable_ipv6=1"
ip link set "$cap" up
ip netns exec "$ns" ip link set "$snd" up

"$root/nightjar" generate --packets "$packets" --seed 3 --darknet 198.51.100.0/24 --out "$work/bench.pcap" >/dev/null 2>&1
echo "machine: $(nproc) cores, $(uname -r); capture of $packets packets ($(du -h "$work/bench.pcap" | cut -f1))"
printf '| offered (tcpreplay) | achieved packets/s | kernel received | counted in bins | dropped kernel | dropped ring | lost %% |\n'
printf '|---|---:|---:|---:|---:|---:|---:|\n'
for rate in $rates; do
  rm -rf "$work/spool" "$work/summary.json"
  "$root/nightjar" sensor --interface "$cap" --snaplen "$snaplen" --darknet 198.51.100.0/24 --spool "$work/spool" \
      --summary "$work/summary.json" --quiet > "$work/sensor.out" 2> "$work/sensor.err" &
  pid=$!
  for _ in $(seq 1 100); do grep -q "capture $cap:" "$work/sensor.err" 2>/dev/null && break; sleep 0.1; done
  sleep 0.5
  if [ "$rate" = max ]; then speed=(--topspeed); else speed=(--pps "$rate"); fi
  out="$(ip netns exec "$ns" tcpreplay --preload-pcap -i "$snd" "${speed[@]}" "$work/bench.pcap" 2>&1)"
  achieved="$(echo "$out" | awk '/Rated:/ {print $(NF-1)}' | head -1)"
  sleep 1
  kill -TERM "$pid"; wait "$pid" || true
  line="$(grep "packets live" "$work/sensor.err" | tail -1)"
  counted="$(echo "$line" | sed -E 's/^sensor: ([0-9,]+) packets live.*/\1/' | tr -d ,)"
  received="$(echo "$line" | sed -E 's/.*received ([0-9,]+),.*/\1/' | tr -d ,)"
  kdrop="$(echo "$line" | sed -E 's/.*dropped by kernel ([0-9,]+),.*/\1/' | tr -d ,)"
  rdrop="$(echo "$line" | sed -E 's/.*by ring ([0-9,]+).*/\1/' | tr -d ,)"
  lost="$(awk -v p="$packets" -v c="$counted" 'BEGIN { printf "%.2f", 100 * (p - c) / p }')"
  printf '| %s | %.0f | %s | %s | %s | %s | %s |\n' "$rate" "${achieved:-0}" "$received" "$counted" "$kdrop" "$rdrop" "$lost"
done
