#!/bin/sh
# get_large.sh — GET of 1 KB, 100 KB and 1 MB values: zmem against Debian's redis-server 7.0,
# same machine, same run, alternating zmem / redis ROUNDS times per size; the median of
# redis-benchmark's requests per second for each, and their ratio; and the median of
# used_memory_peak during the GETs minus used_memory before them (what the replies held). Large
# values are where sending by reference (no copy of the value per GET) shows. Numbers, never
# pass/fail.
# Reproduce: make bench, or BUILD=build sh bench/get_large.sh; ZMEM=<binary> compares another
# build (an older commit's, say).
: "${BUILD:=build}"
: "${ZMEM:=$BUILD/zmem-server}"
: "${ROUNDS:=3}"
: "${CLIENTS:=10}"
REDIS=/usr/bin/redis-server
[ -x "$ZMEM" ] || { echo "get_large.sh: $ZMEM not built"; exit 0; }
[ -x "$REDIS" ] || { echo "get_large.sh: $REDIS not installed"; exit 0; }
command -v redis-benchmark >/dev/null || { echo "get_large.sh: redis-benchmark not installed"; exit 0; }
TMP=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT
. "${0%/*}/lib.sh"

info() { redis-cli -p "$PORT" info memory | tr -d '\r' | sed -n "s/^$1://p"; }

# "<GET requests per second> <peak bytes over the run>" for a value of $1 bytes, $2 requests
# (redis-benchmark's own key). The peak is read on a fresh server, after the SET that stored
# the value has left nothing but the value behind.
rps() {
    redis-benchmark -p "$PORT" -t set -d "$1" -n 10 -c 1 -q >/dev/null 2>&1
    sleep 0.2
    base=$(info used_memory)
    redis-cli -p "$PORT" config resetstat >/dev/null 2>&1 # resets used_memory_peak too
    r=$(redis-benchmark -p "$PORT" -t get -d "$1" -n "$2" -c "$CLIENTS" --csv 2>/dev/null |
        awk -F'"' '$2 == "GET" { print int($4) }')
    echo "$r $(( $(info used_memory_peak) - base ))"
}

echo "GET, redis-benchmark -c $CLIENTS, median of $ROUNDS alternating rounds: requests/s, and"
echo "used_memory_peak during the GETs above used_memory before them (KB)"
printf '%-8s %10s %10s %6s %12s %12s\n' size zmem redis ratio "zmem peak+" "redis peak+"
for spec in 1000:100000 100000:20000 1000000:3000; do
    size=${spec%%:*}
    n=${spec##*:}
    : >"$TMP/zmem"
    : >"$TMP/redis"
    r=0
    while [ $r -lt "$ROUNDS" ]; do
        for server in zmem redis; do
            start "$server"
            rps "$size" "$n" >>"$TMP/$server"
            stop
        done
        r=$((r + 1))
    done
    z=$(cut -d' ' -f1 <"$TMP/zmem" | median)
    d=$(cut -d' ' -f1 <"$TMP/redis" | median)
    zp=$(cut -d' ' -f2 <"$TMP/zmem" | median)
    dp=$(cut -d' ' -f2 <"$TMP/redis" | median)
    printf '%-8s %10s %10s %6s %12s %12s\n' "$size" "$z" "$d" \
        "$(awk -v a="$z" -v b="$d" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')" \
        "$((zp / 1024))" "$((dp / 1024))"
done
