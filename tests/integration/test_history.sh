#!/bin/sh
# test_history.sh — GET /history on the metrics listener, through curl and jq: status, JSON
# content type, {"interval_ms":1000,"samples":[...]} with MEMORY HISTORY's field names and the
# same samples, ?count=n, bad counts, HEAD and POST; and the /metrics ratios printed as the
# shortest text of the double they are (allocator_frag_ratio recomputed from the same scrape).
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

if ! command -v jq >/dev/null || ! command -v curl >/dev/null; then
    echo "skip /history checks: curl or jq is not installed (.ci/deps installs both)"
    echo "0 passed, 0 failed"
    exit 0
fi

TMP=$(mktemp -d)
cleanup() {
    stop_server
    rm -rf "$TMP"
}
random_port() { echo $(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 )); }

for _try in 1 2 3; do
    MPORT=$(random_port)
    start_server --metrics-port "$MPORT" --memory-history-len 5 >"$TMP/start" && break
done
trap cleanup EXIT
[ -n "$SERVER_PID" ] || { cat "$TMP/start"; exit 1; }
CLI="redis-cli -p $PORT"
URL="http://127.0.0.1:$MPORT"

$CLI set h:1 a >/dev/null
$CLI set h:2 b >/dev/null
sleep 2.3

# ---- GET /history: 200, JSON, the envelope and the fields in MEMORY HISTORY's order.
code=$(curl -s -D "$TMP/hdr" -o "$TMP/h.json" -w '%{http_code}' --max-time 5 "$URL/history")
$CLI memory history >"$TMP/resp"
tr -d '\r' <"$TMP/hdr" >"$TMP/hdr.lf"
check "GET /history: 200" test "$code" = 200
check "GET /history: Content-Type application/json" \
    grep -qix 'Content-Type: application/json' "$TMP/hdr.lf"
check "GET /history: valid JSON" jq -e . "$TMP/h.json"
check "GET /history: interval_ms 1000" jq -e '.interval_ms == 1000' "$TMP/h.json"
check "GET /history: 1..5 samples" jq -e '(.samples | length) >= 1 and (.samples | length) <= 5' \
    "$TMP/h.json"
jq -r '.samples[0] | keys_unsorted[]' "$TMP/h.json" >"$TMP/json_names"
# redis-cli prints RESP2's flat field/value arrays one item a line: names are the odd lines
# of the first sample.
head -n 36 "$TMP/resp" | awk 'NR % 2 == 1' >"$TMP/resp_names"
check "GET /history: the same 18 field names as MEMORY HISTORY, in order" \
    sh -c "test \$(wc -l <'$TMP/json_names') -eq 18 && cmp -s '$TMP/json_names' '$TMP/resp_names'"
check "GET /history: every sample has all 18 fields" \
    jq -e '[.samples[] | keys | length] | all(. == 18)' "$TMP/h.json"
check "GET /history: oldest first, about 1000 ms apart" \
    jq -e '[.samples | range(1; length) as $i | .[$i].timestamp_ms - .[$i - 1].timestamp_ms]
           | all(. >= 800 and . <= 1300)' "$TMP/h.json"
check "GET /history: keys 2, integers as integers, ratios as numbers" \
    jq -e '.samples[-1] | .keys == 2 and (.used_memory | floor) == .used_memory
           and (.mem_fragmentation_ratio | type) == "number"' "$TMP/h.json"
# The samples MEMORY HISTORY returned are in the JSON (a newer one may follow).
jq -r '.samples[].timestamp_ms' "$TMP/h.json" >"$TMP/json_ts"
awk 'prev == "timestamp_ms" { print } { prev = $0 }' "$TMP/resp" >"$TMP/resp_ts"
check "GET /history: the samples MEMORY HISTORY returns" \
    sh -c "head -n \$(wc -l <'$TMP/json_ts') '$TMP/resp_ts' | cmp -s - '$TMP/json_ts' ||
           tail -n +2 '$TMP/resp_ts' | cmp -s - '$TMP/json_ts' ||
           head -n \$(wc -l <'$TMP/resp_ts') '$TMP/json_ts' | cmp -s - '$TMP/resp_ts'"

# ---- ?count=n, bad counts, HEAD, POST.
curl -s --max-time 5 "$URL/history?count=1" >"$TMP/h1.json"
check "GET /history?count=1: one sample" jq -e '.samples | length == 1' "$TMP/h1.json"
check "GET /history?count=1: the newest" \
    sh -c "test \$(jq '.samples[0].timestamp_ms' '$TMP/h1.json') -ge \
                \$(jq '.samples[-1].timestamp_ms' '$TMP/h.json')"
curl -s --max-time 5 "$URL/history?count=100" >"$TMP/h100.json"
check "GET /history?count=100: all of them (<= 5)" jq -e '.samples | length <= 5' "$TMP/h100.json"
st() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
check "GET /history?count=0: 400" test "$(st "$URL/history?count=0")" = 400
check "GET /history?count=abc: 400" test "$(st "$URL/history?count=abc")" = 400
check "HEAD /history: 200" test "$(st -I "$URL/history")" = 200
check "POST /history: 405" test "$(st -X POST "$URL/history")" = 405
check "GET /metrics still 200" test "$(st "$URL/metrics")" = 200

# ---- History off: an empty list.
$CLI config set memory-history-len 0 >/dev/null
curl -s --max-time 5 "$URL/history" >"$TMP/h0.json"
check "memory-history-len 0: no samples" jq -e '.interval_ms == 1000 and .samples == []' \
    "$TMP/h0.json"

# ---- /metrics: a ratio is the shortest text of the double it is. allocator_frag_ratio is
# allocator_active / allocator_allocated of one sampler sample, all three on the same page;
# awk divides in the same IEEE doubles and finds the fewest %.Ng digits that read back.
curl -s --max-time 5 "$URL/metrics" >"$TMP/metrics"
check "/metrics: allocator_frag_ratio is active/allocated, shortest round-trip form" \
    awk '
        $1 == "redis_allocator_active_bytes" { a = $2 }
        $1 == "redis_allocator_allocated_bytes" { b = $2 }
        $1 == "redis_allocator_frag_ratio" { r = $2 }
        END {
            if (b == 0) exit 1
            x = a / b
            for (p = 1; p <= 17; p++) { s = sprintf("%." p "g", x); if (s + 0 == x) break }
            print r, s
            exit !(r == s)
        }' "$TMP/metrics"
check "/metrics: every ratio is the shortest text of its value (no float noise)" \
    awk '
        $1 ~ /^redis_[a-z_]*_ratio$/ {
            n++; x = $2 + 0
            for (p = 1; p <= 17; p++) { s = sprintf("%." p "g", x); if (s + 0 == x) break }
            if (s != $2) { print "not shortest:", $0, "vs", s; bad = 1 }
        }
        END { exit bad || n < 3 }' "$TMP/metrics"
grep -E '^redis_[a-z_]*ratio ' "$TMP/metrics"

summary
