#!/usr/bin/env bash
# Makes the certificates of a Nightjar test or pilot network with openssl:
#   OUT/ca.pem, OUT/ca.key                  the network's CA (keep ca.key offline in a pilot)
#   OUT/aggregator.pem, OUT/aggregator.key  the aggregator (SANs: localhost, 127.0.0.1, ::1 and --host names)
#   OUT/sensors/ID.pem, OUT/sensors/ID.key  one per sensor id (CN and SAN = the id; the aggregator checks it)
# Keys are ECDSA P-256 in unencrypted PKCS#8 PEM (what --key expects); certificates last --days.
# Running it again keeps an existing CA and adds the sensors that are missing.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: deploy/certs/make-certs.sh --out DIR [--host NAME]... [--days N] SENSOR_ID...

  --out DIR     where to write (created)
  --host NAME   extra DNS name or IP address of the aggregator (repeatable)
  --days N      validity in days (default 825)
  SENSOR_ID     one certificate per sensor id (letters, digits, '.', '_', '-')

example: deploy/certs/make-certs.sh --out /etc/nightjar/pki --host agg.cert.example th-bkk-1 vn-han-1
USAGE
}

out=""; days=825; hosts=(); sensors=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --host) hosts+=("$2"); shift 2 ;;
    --days) days="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "make-certs: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) sensors+=("$1"); shift ;;
  esac
done
[[ -n "$out" ]] || { echo "make-certs: --out DIR is required" >&2; usage >&2; exit 2; }
command -v openssl >/dev/null || { echo "make-certs: openssl is missing (Debian: apt-get install openssl)" >&2; exit 2; }
for id in "${sensors[@]}"; do
  [[ "$id" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$ ]] || { echo "make-certs: '$id' is not a sensor id" >&2; exit 2; }
done

mkdir -p "$out/sensors"
umask 077

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

if [[ ! -f "$out/ca.pem" ]]; then
  newkey "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days "$days" -subj "/O=Nightjar/CN=Nightjar network CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.pem"
  echo "make-certs: CA $out/ca.pem"
fi

# sign NAME CN SAN EKU: key + CSR + certificate signed by the CA
sign() {
  local base="$1" cn="$2" san="$3" eku="$4" ext
  newkey "$base.key"
  openssl req -new -key "$base.key" -subj "/O=Nightjar/CN=$cn" -out "$base.csr"
  ext="$(mktemp)"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=%s\n' "$eku" "$san" > "$ext"
  openssl x509 -req -in "$base.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" -CAcreateserial -days "$days" -sha256 \
    -extfile "$ext" -out "$base.pem" 2>/dev/null
  rm -f "$ext" "$base.csr"
}

if [[ ! -f "$out/aggregator.pem" ]]; then
  san="DNS:localhost,IP:127.0.0.1,IP:::1"
  for h in "${hosts[@]}"; do
    if [[ "$h" =~ ^[0-9.]+$ || "$h" == *:* ]]; then san+=",IP:$h"; else san+=",DNS:$h"; fi
  done
  sign "$out/aggregator" "${hosts[0]:-localhost}" "$san" "serverAuth"
  echo "make-certs: aggregator $out/aggregator.pem ($san)"
fi

for id in "${sensors[@]}"; do
  if [[ ! -f "$out/sensors/$id.pem" ]]; then
    sign "$out/sensors/$id" "$id" "DNS:$id" "clientAuth"
    echo "make-certs: sensor $out/sensors/$id.pem"
  fi
done
chmod 644 "$out"/*.pem "$out"/sensors/*.pem 2>/dev/null || true
