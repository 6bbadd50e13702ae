#!/bin/sh
# memory.sh — zmem against Debian's redis-server 7.0, same machine, same run, alternating:
#   1. used_memory per small string key: 300k unique keys, 16-byte values, loaded with
#      redis-cli --pipe; INFO used_memory read 2 s after the load
#   2. used_memory per idle client: 1500 connections, one PING each, read after 0.5 s and 4.5 s
#      (Redis trims an idle client's query buffer after 2 s)
#   3. INFO memory requests per second: redis-benchmark -n 100000 -c 50 -q INFO memory
# Numbers, never pass/fail. Reproduce: make bench, or BUILD=build sh bench/memory.sh
: "${BUILD:=build}"
ZMEM="$BUILD/zmem-server"
REDIS=/usr/bin/redis-server
KEYS=300000
CLIENTS=1500
[ -x "$ZMEM" ] || { echo "memory.sh: $ZMEM not built"; exit 0; }
[ -x "$REDIS" ] || { echo "memory.sh: $REDIS not installed"; exit 0; }
TMP=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
. "${0%/*}/lib.sh"
ulimit -n 4096 2>/dev/null

used() {
    redis-cli -p "$PORT" info memory | tr -d '\r' | sed -n 's/^used_memory://p'
}

# The load file: SET key:<12 digits> <16 bytes>, as redis-benchmark -t set -d 16 -r names keys.
awk -v n="$KEYS" 'BEGIN {
    for (i = 0; i < n; i++) {
        k = sprintf("key:%012d", i)
        printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\nxxxxxxxxxxxxxxxx\r\n", length(k), k
    }
}' >"$TMP/load.resp"

echo "-- 1. used_memory per key: $KEYS SETs, 16-byte values (redis-cli --pipe)"
for server in zmem redis zmem redis; do
    start "$server"
    before=$(used)
    redis-cli -p "$PORT" --pipe <"$TMP/load.resp" >"$TMP/pipe.out" 2>&1
    sleep 2
    after=$(used)
    keys=$(redis-cli -p "$PORT" dbsize)
    case "$keys" in
    '' | 0 | *[!0-9]*) echo "$server: load failed: $(tail -n 1 "$TMP/pipe.out")" ;;
    *) echo "$server: keys=$keys used_memory $before -> $after: $(( (after - before) / keys )) bytes/key" ;;
    esac
    stop
done

echo "-- 2. used_memory per idle client: $CLIENTS connections, one PING each"
for server in zmem redis; do
    start "$server"
    echo "$server: $(python3 bench/memory_clients.py "$PORT" "$CLIENTS" 0.5 4.5 | tr '\n' ' ')"
    stop
done

echo "-- 3. INFO memory: redis-benchmark -n 100000 -c 50 -q INFO memory"
for server in zmem redis zmem redis; do
    start "$server"
    printf '%s: ' "$server"
    redis-benchmark -p "$PORT" -n 100000 -c 50 -q INFO memory 2>/dev/null | tr '\r' '\n' | tail -n 1
    stop
done
