#!/bin/sh
# metrics_scrape.sh — the cost of one /metrics scrape, plain, with a password (Basic) and with
# TLS plus the password, on one zmem with an empty keyspace:
#   new conn   one curl per scrape (a scraper that does not keep connections, or a first scrape):
#              the median of curl's time_total, so curl's own start-up is not in it
#   keep-alive one curl fetching KA_SCRAPES URLs over one connection, as Prometheus does:
#              median time_total per request
#   server CPU the server's user+system CPU (from /proc/PID/stat, 10 ms ticks: hence many
#              scrapes) over all the scrapes of a run, divided by their number
# Numbers, never pass/fail. Reproduce: make bench, or BUILD=build sh bench/metrics_scrape.sh
: "${BUILD:=build}"
: "${SCRAPES:=200}"
: "${KA_SCRAPES:=2000}"
ZMEM="$BUILD/zmem-server"
[ -x "$ZMEM" ] || { echo "metrics_scrape.sh: $ZMEM not built"; exit 0; }
command -v curl >/dev/null || { echo "metrics_scrape.sh: curl not installed"; exit 0; }
TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT
TICK=$(getconf CLK_TCK)

# zmem_start ARGS...: zmem with a metrics port and ARGS (start and stop: bench/lib.sh); sets
# PORT, MPORT and PID.
. "${0%/*}/lib.sh"
zmem_start() {
    MPORT=$(free_port)
    start zmem --metrics-port "$MPORT" "$@"
}

# Server CPU time so far, in clock ticks (utime + stime, fields 14 and 15).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }

# Median of one number per line, in ms with 3 decimals (input in seconds).
median_ms() { sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", 1000 * v[int((NR + 1) / 2)] }'; }

# run NAME URL [curl options...]: both ways of scraping, one line of numbers.
run() {
    name=$1; url=$2; shift 2
    curl -s -o /dev/null "$@" "$url" # warm: first allocations, TLS session setup
    c0=$(cpu_ticks)
    n=0
    while [ $n -lt "$SCRAPES" ]; do
        curl -s -o /dev/null -w '%{time_total}\n' "$@" "$url"
        n=$((n + 1))
    done >"$TMP/new"
    c1=$(cpu_ticks)
    n=0
    while [ $n -lt "$KA_SCRAPES" ]; do
        echo "url = \"$url\""
        echo "output = /dev/null"
        n=$((n + 1))
    done >"$TMP/urls"
    curl -s -w '%{time_total}\n' "$@" -K "$TMP/urls" >"$TMP/ka"
    c2=$(cpu_ticks)
    printf '%-12s new conn %s ms (server CPU %s ms)   keep-alive %s ms (server CPU %s ms)\n' \
        "$name" "$(median_ms <"$TMP/new")" \
        "$(awk -v t="$((c1 - c0))" -v k="$TICK" -v n="$SCRAPES" 'BEGIN { printf "%.3f", 1000 * t / k / n }')" \
        "$(median_ms <"$TMP/ka")" \
        "$(awk -v t="$((c2 - c1))" -v k="$TICK" -v n="$KA_SCRAPES" 'BEGIN { printf "%.3f", 1000 * t / k / n }')"
}

echo "one /metrics scrape: $SCRAPES new connections, $KA_SCRAPES keep-alive; medians (server CPU: mean per scrape)"
zmem_start
run plain "http://127.0.0.1:$MPORT/metrics"
stop
zmem_start --metrics-password bench
run auth "http://127.0.0.1:$MPORT/metrics" -u default:bench
stop
if command -v openssl >/dev/null &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
        -addext 'subjectAltName=IP:127.0.0.1' -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
        >/dev/null 2>&1; then
    zmem_start --metrics-password bench --metrics-tls-cert-file "$TMP/cert.pem" \
        --metrics-tls-key-file "$TMP/key.pem"
    run tls+auth "https://127.0.0.1:$MPORT/metrics" -u default:bench --cacert "$TMP/cert.pem"
    stop
else
    echo "tls+auth     skipped: no openssl CLI"
fi
