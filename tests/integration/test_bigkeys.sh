#!/bin/sh
# test_bigkeys.sh — the real redis-cli's keyspace modes against a populated zmem-server:
# --bigkeys (DBSIZE, SCAN, TYPE, STRLEN/LLEN/HLEN/SCARD/ZCARD), --memkeys (MEMORY USAGE per key, compared
# with the sizes zmem's layout gives under jemalloc) and --scan [--pattern].
. tests/integration/lib.sh
require_all redis-cli
start_server || exit 1
CLI="redis-cli -p $PORT"

# Known keys: a 100-byte raw string, a 5-byte embedded one, an integer, a 5-element list, a
# 3-field hash, a 200-field hash (hashtable), an intset and a listpack set, a listpack and a
# 150-member skiplist sorted set, and 1000 small strings so SCAN takes many steps.
$CLI set sbig "$(printf '%0100d' 0)" >/dev/null
$CLI set s hello >/dev/null
$CLI set n 12345 >/dev/null
$CLI rpush lbig aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee >/dev/null
$CLI hset hbig f1 v1 f2 v2 f3 v3 >/dev/null
i=0; while [ $i -lt 200 ]; do echo "HSET htab f$i v$i"; i=$((i + 1)); done | $CLI >/dev/null
$CLI sadd iset 1 2 3 >/dev/null
$CLI sadd sset aa bb cc dd >/dev/null
$CLI zadd zsmall 1 a 2.5 b >/dev/null
i=0; while [ $i -lt 150 ]; do echo "ZADD zbig $i m$i"; i=$((i + 1)); done | $CLI >/dev/null
i=0; while [ $i -lt 1000 ]; do echo "SET key:$i x"; i=$((i + 1)); done | $CLI >/dev/null

OUT=$(mktemp)
$CLI --bigkeys >"$OUT" 2>&1; rc=$?
check "bigkeys exits 0" [ $rc -eq 0 ]
check "bigkeys sampled every key" grep -q "Sampled 1010 keys in the keyspace" "$OUT"
check "bigkeys biggest string" grep -q "Biggest string found '\"sbig\"' has 100 bytes" "$OUT"
check "bigkeys biggest list" grep -q "Biggest   list found '\"lbig\"' has 5 items" "$OUT"
check "bigkeys biggest hash" grep -q "Biggest   hash found '\"htab\"' has 200 fields" "$OUT"
check "bigkeys string totals" grep -q "1003 strings with 1110 bytes" "$OUT"
check "bigkeys hash totals" grep -q "2 hashs with 203 fields" "$OUT"
check "bigkeys biggest set" grep -q "Biggest    set found '\"sset\"' has 4 members" "$OUT"
check "bigkeys biggest zset" grep -q "Biggest   zset found '\"zbig\"' has 150 members" "$OUT"
check "bigkeys set totals" grep -q "2 sets with 7 members" "$OUT"
check "bigkeys zset totals" grep -q "2 zsets with 152 members" "$OUT"
check "bigkeys no warnings" sh -c "! grep -q Warning '$OUT'"

# mem_allocator is in INFO memory; it must name the allocator this build links (run.sh passes
# ZMEM_MALLOC, the Makefile's MALLOC). The sizes below are jemalloc's: under another allocator
# they are skipped, loudly and counted.
: "${ZMEM_MALLOC:=jemalloc}"
check "INFO memory: mem_allocator is $ZMEM_MALLOC" \
    sh -c "$CLI info memory | tr -d '\\r' | grep -q '^mem_allocator:$ZMEM_MALLOC'"

# MEMORY USAGE under jemalloc (16-byte quantum): entry = 16-byte header + value slot + key.
#   sbig: entry 16+8+4 -> 32, raw buffer 8+100 -> 112            = 144
#   lbig: entry 32, pack 8 + 5*(1+10+1) = 68 -> 80                = 112
#   hbig: entry 32, pack 8 + 6*(1+2+1) = 32 -> 32                 = 64
#   s:    entry 16+4+1+5 = 26 -> 32;  n: entry 16+8+1 = 25 -> 32
#   iset: entry 16+8+4 -> 32, intset 8 + 3*2 = 14 -> 16          = 48
#   sset: entry 32, pack 8 + 4*(1+2+1) = 24 -> 32                 = 64
#   zsmall: entry 32, pack 8 + "a" 3, 1 (1 byte) 3, "b" 3, 2.5 (8 bytes) 10 = 27 -> 32 = 64
only_if "the sizes are jemalloc's, this build uses $ZMEM_MALLOC" [ "$ZMEM_MALLOC" = jemalloc ]
check "memory usage raw string" [ "$($CLI memory usage sbig)" = 144 ]
check "memory usage list" [ "$($CLI memory usage lbig)" = 112 ]
check "memory usage small hash" [ "$($CLI memory usage hbig)" = 64 ]
check "memory usage embstr" [ "$($CLI memory usage s)" = 32 ]
check "memory usage int" [ "$($CLI memory usage n)" = 32 ]
check "memory usage intset" [ "$($CLI memory usage iset)" = 48 ]
check "memory usage small set" [ "$($CLI memory usage sset)" = 64 ]
check "memory usage small zset" [ "$($CLI memory usage zsmall)" = 64 ]
$CLI --memkeys >"$OUT" 2>&1; rc=$?
check "memkeys exits 0" [ $rc -eq 0 ]
check "memkeys biggest string" grep -q "Biggest string found '\"sbig\"' has 144 bytes" "$OUT"
check "memkeys biggest list" grep -q "Biggest   list found '\"lbig\"' has 112 bytes" "$OUT"
check "memkeys biggest hash" grep -q "Biggest   hash found '\"htab\"' has" "$OUT"
check "memkeys biggest set" grep -q "Biggest    set found '\"sset\"' has 64 bytes" "$OUT"
check "memkeys biggest zset" grep -q "Biggest   zset found '\"zbig\"' has" "$OUT"
check "memkeys set totals" grep -q "2 sets with 112 bytes" "$OUT"
# 1000 x "key:N" = x (entry 16+4+key+1 <= 32) + sbig 144 + s 32 + n 32
check "memkeys string totals" grep -q "1003 strings with 32208 bytes" "$OUT"
check "memkeys no warnings" sh -c "! grep -q Warning '$OUT'"
$CLI --memkeys-samples 10 >"$OUT" 2>&1
check "memkeys-samples exits 0" [ $? -eq 0 ]
end_only

check "scan lists every key" [ "$($CLI --scan | sort -u | wc -l)" -eq 1010 ]
check "scan pattern" [ "$($CLI --scan --pattern 'key:1*' | wc -l)" -eq 111 ]
check "scan pattern h*" [ "$($CLI --scan --pattern 'h*' | sort | tr '\n' ' ')" = "hbig htab " ]

rm -f "$OUT"
summary
