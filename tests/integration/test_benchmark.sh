#!/bin/sh
# test_benchmark.sh — the real redis-benchmark's data-command tests run against zmem-server
# without an error reply (any error makes it print "Error from server" and exit 1): chosen
# tests, the whole default suite, and random keys and members with pipelining.
. tests/integration/lib.sh
require_all redis-benchmark redis-cli
start_server || exit 1
OUT=$(mktemp)

redis-benchmark -p "$PORT" -t set,get,incr,lpush,rpush,lpop,rpop,hset,lrange,mset \
    -n 2000 -q >"$OUT" 2>&1; rc=$?
check "benchmark suite exits 0" [ $rc -eq 0 ]
check "benchmark suite: no server error" sh -c "! grep -q 'Error from server' '$OUT'"
tr '\r' '\n' <"$OUT" >"$OUT.n" # -q rewrites its progress line with CRs
for t in SET GET INCR LPUSH RPUSH LPOP RPOP HSET LRANGE_100 LRANGE_600 MSET; do
    check "benchmark reports $t" grep -q "^ *$t.*requests per second" "$OUT.n"
done

# The whole default suite (no -t): also SADD/SPOP and ZADD/ZPOPMIN (docs/redis-compat.md,
# "redis-benchmark").
redis-benchmark -p "$PORT" -n 2000 -q >"$OUT" 2>&1; rc=$?
check "default suite exits 0" [ $rc -eq 0 ]
check "default suite: no server error" sh -c "! grep -q 'Error from server' '$OUT'"
tr '\r' '\n' <"$OUT" >"$OUT.n"
for t in PING_INLINE PING_MBULK SET GET INCR LPUSH RPUSH LPOP RPOP SADD HSET SPOP ZADD ZPOPMIN \
    LRANGE_100 LRANGE_300 LRANGE_500 LRANGE_600 MSET; do
    check "default suite reports $t" grep -q "^ *$t.*requests per second" "$OUT.n"
done

# Random keys, bigger values, pipelining.
redis-benchmark -p "$PORT" -t set,get,lpush,lpop,hset -n 2000 -r 1000 -d 100 -P 16 -q \
    >"$OUT" 2>&1; rc=$?
check "pipelined random-key run exits 0" [ $rc -eq 0 ]
check "pipelined run: no server error" sh -c "! grep -q 'Error from server' '$OUT'"
check "random keys landed" [ "$(redis-cli -p "$PORT" dbsize)" -gt 500 ]

# Random members: myset and myzset grow past their packed encodings.
redis-benchmark -p "$PORT" -t sadd,zadd -n 2000 -r 1000 -P 16 -q >"$OUT" 2>&1; rc=$?
check "random-member run exits 0" [ $rc -eq 0 ]
check "random-member run: no server error" sh -c "! grep -q 'Error from server' '$OUT'"
check "random members landed in myset" [ "$(redis-cli -p "$PORT" scard myset)" -gt 500 ]
check "random members landed in myzset" [ "$(redis-cli -p "$PORT" zcard myzset)" -gt 500 ]
check "myset is a hashtable" [ "$(redis-cli -p "$PORT" object encoding myset)" = hashtable ]
check "myzset is a skiplist" [ "$(redis-cli -p "$PORT" object encoding myzset)" = skiplist ]

rm -f "$OUT" "$OUT.n"
summary
