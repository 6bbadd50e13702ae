#!/bin/sh
# defrag.sh — active defragmentation on issue 11's load: 300,000 values of 150 bytes and
# 100,000 of 300 bytes, then 3 of every 4 of the first kind deleted. Reports, for one zmem run
# with --active-defrag-ignore-bytes 1mb --active-defrag-threshold-lower 5:
#   allocator_frag_ratio and RSS before and after (RSS read 15 s after the pass, once jemalloc's
#   decay has given the emptied pages back), time from CONFIG SET activedefrag yes until the
#   ratio is <= 1.10 (INFO polled every 100 ms), server CPU seconds over that time
#   (/proc/<pid>/stat utime+stime), and GET p50/p99 from redis-benchmark (-c 10, -n 40000,
#   GET on existing 300-byte keys) idle and while the pass runs.
# Numbers, never pass/fail. Reproduce: make bench, or BUILD=build sh bench/defrag.sh
: "${BUILD:=build}"
ZMEM="$BUILD/zmem-server"
[ -x "$ZMEM" ] || { echo "defrag.sh: $ZMEM not built"; exit 0; }
command -v redis-cli >/dev/null && command -v redis-benchmark >/dev/null ||
    { echo "defrag.sh: redis-cli/redis-benchmark not installed"; exit 0; }
TMP=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT

start() {
    PORT=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 12000 ))
    "$ZMEM" --port "$PORT" --bind 127.0.0.1 --active-defrag-ignore-bytes 1mb \
        --active-defrag-threshold-lower 5 >"$TMP/zmem.log" 2>&1 &
    PID=$!
    for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null; PID=""; }

field() { redis-cli -p "$PORT" info "$1" | tr -d '\r' | awk -F: -v k="$2" '$1 == k { print $2 }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
# p50 and p99 (ms) of GET on random existing b:<n> keys.
get_latency() {
    redis-benchmark -p "$PORT" -c 10 -n 40000 -r 100000 --csv GET "b:__rand_int__" 2>/dev/null |
        tr -d '"' | awk -F, 'NR == 2 { print "p50 " $5 " ms, p99 " $7 " ms" }'
}
# Wait until allocator_frag_ratio <= 1.10 (at most 120 s); sets r.
converge() {
    while :; do
        r=$(field memory allocator_frag_ratio)
        awk -v r="$r" 'BEGIN { exit !(r <= 1.10) }' && break
        [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 120000 ] && { echo "not converged in 120 s"; break; }
        sleep 0.1
    done
}

# redis-benchmark's __rand_int__ is 12 digits, zero-padded: the b: keys are named that way.
awk 'BEGIN {
    v150 = sprintf("%150s", ""); gsub(/ /, "x", v150);
    v300 = sprintf("%300s", ""); gsub(/ /, "y", v300);
    for (i = 0; i < 300000; i++) { k = "a:" i; printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$150\r\n%s\r\n", length(k), k, v150 }
    for (i = 0; i < 100000; i++) { k = sprintf("b:%012d", i); printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$300\r\n%s\r\n", length(k), k, v300 }
    for (i = 0; i < 300000; i++) if (i % 4) { k = "a:" i; printf "*2\r\n$3\r\nDEL\r\n$%d\r\n%s\r\n", length(k), k }
}' > "$TMP/load.resp"

start
grep -q jemalloc "$TMP/zmem.log" || { echo "defrag.sh: needs the jemalloc build"; exit 0; }
redis-cli -p "$PORT" --pipe < "$TMP/load.resp" > /dev/null
sleep 2
echo "keys: $(redis-cli -p "$PORT" dbsize), used_memory $(field memory used_memory)"
echo "before: allocator_frag_ratio $(field memory allocator_frag_ratio), rss $(field memory used_memory_rss)"
c0=$(cpu_ticks)
t0=$(date +%s%N)
redis-cli -p "$PORT" config set activedefrag yes > /dev/null
converge
t1=$(date +%s%N)
c1=$(cpu_ticks)
hz=$(getconf CLK_TCK)
echo "converged: ratio $r in $(( (t1 - t0) / 1000000 )) ms, server CPU $(awk -v a="$c0" -v b="$c1" -v h="$hz" 'BEGIN { printf "%.2f", (b - a) / h }') s"
echo "defrag: hits $(field stats active_defrag_hits), misses $(field stats active_defrag_misses), key_hits $(field stats active_defrag_key_hits), key_misses $(field stats active_defrag_key_misses)"
sleep 15
echo "after: allocator_frag_ratio $(field memory allocator_frag_ratio), rss $(field memory used_memory_rss), used_memory $(field memory used_memory)"
stop

start
redis-cli -p "$PORT" --pipe < "$TMP/load.resp" > /dev/null
sleep 2
echo "GET idle:                $(get_latency)"
t0=$(date +%s%N)
redis-cli -p "$PORT" config set activedefrag yes > /dev/null
get_latency > "$TMP/busy.txt"
t1=$(date +%s%N)
echo "GET while defragmenting: $(cat "$TMP/busy.txt") (benchmark took $(( (t1 - t0) / 1000000 )) ms; pass running at its end: $(field memory active_defrag_running)%)"
converge
stop
