#!/bin/sh
# test_tools.sh — the real tools against zmem's metrics: redis-cli (INFO memory, -3 INFO,
# MEMORY DOCTOR / USAGE, --stat, --memkeys) and prometheus-redis-exporter scraping the server.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
require_all redis-cli

TMP=$(mktemp -d)
EXPORTER_PID=
cleanup() { # lib.sh's exit trap calls it, then stops the server
    [ -n "$EXPORTER_PID" ] && kill "$EXPORTER_PID" 2>/dev/null && wait "$EXPORTER_PID" 2>/dev/null
    rm -rf "$TMP"
}
start_server || exit 1
CLI="redis-cli -p $PORT"

# ---- redis-cli one-shot: INFO memory is printed raw, fields in place.
$CLI info memory >"$TMP/info"
check "redis-cli info memory: header" test "$(head -n 1 "$TMP/info" | tr -d '\r')" = "# Memory"
check "redis-cli info memory: used_memory" grep -Eq '^used_memory:[0-9]+' "$TMP/info"
check "redis-cli info memory: mem_allocator" grep -Eq '^mem_allocator:[a-z]' "$TMP/info"
check "redis-cli info memory: CRLF lines" sh -c "head -n 2 '$TMP/info' | od -c | grep -q '\\\\r  \\\\n'"

# -3: HELLO 3 first, then the verbatim reply printed without its "txt:" prefix.
$CLI -3 info memory >"$TMP/info3"
check "redis-cli -3 info memory: raw text" test "$(head -n 1 "$TMP/info3" | tr -d '\r')" = "# Memory"
check "redis-cli -3 info memory: no txt: prefix" sh -c "! grep -q 'txt:' '$TMP/info3'"
check "redis-cli -3 info memory: same fields" \
    test "$(cut -d: -f1 "$TMP/info3" | tr '\n' ' ')" = "$(cut -d: -f1 "$TMP/info" | tr '\n' ' ')"

# MEMORY DOCTOR is printed raw; a fresh instance is "too small to judge".
check "redis-cli memory doctor" sh -c "$CLI memory doctor | grep -q '^Hi Sam, this instance holds too little data'"

# MEMORY USAGE of a key / of a missing key.
$CLI set tools:k hello >/dev/null
check "redis-cli memory usage: integer" sh -c "$CLI memory usage tools:k | grep -Eq '^[1-9][0-9]*$'"
check "redis-cli memory usage: nil" test -z "$($CLI memory usage tools:none)"

# --memkeys sends MEMORY USAGE for every key it scans.
$CLI --memkeys >"$TMP/memkeys" 2>&1
check "redis-cli --memkeys" grep -q 'Sampled 1 keys in the keyspace' "$TMP/memkeys"
check "redis-cli --memkeys: sizes from MEMORY USAGE" sh -c "! grep -q 'Warning' '$TMP/memkeys'"

# --stat: INFO every 0.2 s; the columns come from INFO by substring search.
stdbuf -oL timeout 1.3 $CLI --stat -i 0.2 >"$TMP/stat" 2>&1
check "redis-cli --stat: header" grep -q '^keys  *mem  *clients  *blocked  *requests  *connections' "$TMP/stat"
# e.g. "1          46.19K   1       0       12 (+0)          5"
check "redis-cli --stat: data rows" \
    sh -c "grep -Ec '^1 +[0-9.]+[BKMG] +1 +0 +[0-9]+ \(\+[0-9]+\) +[0-9]+' '$TMP/stat' | grep -q '^[2-9]'"

# ---- prometheus-redis-exporter 1.45: one scrape, its numbers against INFO.
if requires prometheus-redis-exporter curl; then
    for _try in 1 2 3 4 5; do
        EPORT=$(random_port)
        prometheus-redis-exporter --redis.addr="redis://127.0.0.1:$PORT" \
            --web.listen-address="127.0.0.1:$EPORT" >"$TMP/exporter.log" 2>&1 &
        EXPORTER_PID=$!
        i=0
        while [ $i -lt 100 ] && kill -0 "$EXPORTER_PID" 2>/dev/null; do
            curl -sf "http://127.0.0.1:$EPORT/metrics" >"$TMP/metrics" 2>/dev/null && break
            sleep 0.05
            i=$((i + 1))
        done
        # Ours, not another exporter that holds the port while ours fails to bind it.
        [ -s "$TMP/metrics" ] && kill -0 "$EXPORTER_PID" 2>/dev/null && break
        rm -f "$TMP/metrics"
        kill "$EXPORTER_PID" 2>/dev/null; wait "$EXPORTER_PID" 2>/dev/null; EXPORTER_PID=
    done
    used=$($CLI info memory | tr -d '\r' | sed -n 's/^used_memory://p')
    exp_used=$(sed -n 's/^redis_memory_used_bytes //p' "$TMP/metrics")
fi
check "exporter: redis_up 1" grep -q '^redis_up 1$' "$TMP/metrics"
check "exporter: no scrape error" grep -q '^redis_exporter_last_scrape_error{err=""} 0$' "$TMP/metrics"
check "exporter: redis_version label" grep -q 'redis_instance_info{.*redis_version="7.0.15"' "$TMP/metrics"
# Two different moments and connections: allow 5% plus 64 KiB of client buffers.
check "exporter: memory_used_bytes ~ INFO used_memory ($exp_used vs $used)" \
    awk -v a="$exp_used" -v b="$used" \
    'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && d <= b * 0.05 + 65536) }'
check "exporter: db_keys" grep -q '^redis_db_keys{db="db0"} 1$' "$TMP/metrics"
check "exporter: connected_clients" grep -Eq '^redis_connected_clients [1-9]' "$TMP/metrics"
check "exporter: memory_max_bytes" grep -q '^redis_memory_max_bytes 0$' "$TMP/metrics"
check "exporter: mem_fragmentation_ratio" grep -Eq '^redis_mem_fragmentation_ratio [0-9]' "$TMP/metrics"
check "exporter: commands_total" grep -q '^redis_commands_total{cmd="info"}' "$TMP/metrics"
end_requires

summary
