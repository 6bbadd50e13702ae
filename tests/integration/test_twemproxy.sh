#!/bin/sh
# test_twemproxy.sh — contrib/twemproxy as shipped, on free loopback ports: three zmem instances,
# nutcracker (twemproxy) running contrib/twemproxy/nutcracker.yml in front of them, and a
# Prometheus running contrib/twemproxy/prometheus.yml (both with the ports rewritten). 1000 keys
# are written and read back through the proxy; each shard must hold at least a fifth, the shards'
# DBSIZE must add up to 1000, each shard's used_memory must rise with its keys; hash-tagged pairs
# share a shard; redis-benchmark runs through the proxy without an error, and nutcracker counts
# no server error; Prometheus scrapes all three shards. Every process started here is stopped by
# pid on exit. Without nutcracker (or another tool) outside CI the test is skipped and counted;
# under CI=true a missing tool fails.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

NC_CONF=contrib/twemproxy/nutcracker.yml
PROM_CONF=contrib/twemproxy/prometheus.yml
KEYS=1000
TMP=$(mktemp -d)
PIDS=
LOGS=
SKIPPED=0
cleanup() {
    for p in $PIDS; do
        kill "$p" 2>/dev/null
    done
    for p in $PIDS; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 250 ]; do sleep 0.02; i=$((i + 1)); done
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    PIDS=
    # shellcheck disable=SC2086
    rm -rf "$TMP" $LOGS
}
trap cleanup EXIT
# A signal (a closed pipe included) ends the script through exit, so the EXIT trap still runs.
trap 'exit 1' HUP INT PIPE TERM
random_port() { echo $(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 )); }

finish() {
    echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
    [ "$FAILED" -eq 0 ]
    exit
}
# need TOOL...: 0 when every TOOL is here; else a failure under CI=true, a counted skip otherwise.
need() {
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 && continue
        if [ "${CI:-}" = true ]; then
            FAILED=$((FAILED + 1))
            echo "FAIL $t is not installed (CI=true: .ci/deps installs it)"
        else
            SKIPPED=$((SKIPPED + 1))
            echo "SKIP twemproxy checks: $t is not installed (make deps installs it)"
        fi
        return 1
    done
}
# used_memory PORT: INFO memory's used_memory of the instance on PORT.
used_memory() {
    redis-cli -p "$1" info memory | tr -d '\r' | sed -n 's/^used_memory://p'
}

need nutcracker redis-benchmark curl || finish

# ---- Three zmem instances, each with its metrics listener (lib.sh's start_server, one by one;
# each pid is kept here and SERVER_PID cleared, so that cleanup stops all of them).
for n in 1 2 3; do
    for _try in 1 2 3; do
        mport=$(random_port)
        start_server --metrics-port "$mport" >"$TMP/start$n" && break
    done
    trap cleanup EXIT
    [ -n "$SERVER_PID" ] || { cat "$TMP/start$n"; exit 1; }
    PIDS="$PIDS $SERVER_PID"
    LOGS="$LOGS $SERVER_LOG"
    SERVER_PID=
    eval "PORT$n=$PORT MPORT$n=$mport"
done
SHARDS="$PORT1 $PORT2 $PORT3"
check "three zmem instances up ($SHARDS)" test "$(for p in $SHARDS; do redis-cli -p "$p" ping; done |
    grep -c PONG)" = 3

# ---- nutcracker with the shipped file: the pool's listen port and the three servers rewritten
# (127.0.0.1:700N becomes the Nth instance), stats every 500 ms on a port of its own.
PROXY=
for _try in 1 2 3; do
    pport=$(random_port)
    sport=$(random_port)
    sed -e "s/127\.0\.0\.1:22121/127.0.0.1:$pport/" -e "s/127\.0\.0\.1:7001:/127.0.0.1:$PORT1:/" \
        -e "s/127\.0\.0\.1:7002:/127.0.0.1:$PORT2:/" -e "s/127\.0\.0\.1:7003:/127.0.0.1:$PORT3:/" \
        "$NC_CONF" >"$TMP/nutcracker.yml"
    nutcracker -c "$TMP/nutcracker.yml" -s "$sport" -a 127.0.0.1 -i 500 -o "$TMP/nutcracker.log" &
    nc_pid=$!
    i=0
    while [ $i -lt 250 ] && kill -0 "$nc_pid" 2>/dev/null; do
        [ "$(redis-cli -p "$pport" ping 2>/dev/null)" = PONG ] && break
        sleep 0.02
        i=$((i + 1))
    done
    if [ "$(redis-cli -p "$pport" ping 2>/dev/null)" = PONG ]; then
        PIDS="$PIDS $nc_pid"
        PROXY=$pport
        break
    fi
    kill "$nc_pid" 2>/dev/null
    wait "$nc_pid" 2>/dev/null
    echo "nutcracker did not serve on $pport (port taken?); another port"
done
check "nutcracker -t accepts contrib/twemproxy/nutcracker.yml" nutcracker -t -c "$NC_CONF"
check "nutcracker serves the pool (PING through the proxy)" test -n "$PROXY"
[ -n "$PROXY" ] || { tail -n 20 "$TMP/nutcracker.log"; finish; }
check "every shard is in the rewritten file" \
    test "$(grep -cE "127\.0\.0\.1:($PORT1|$PORT2|$PORT3):1 zmem-[123]$" "$TMP/nutcracker.yml")" = 3

# ---- Prometheus with the shipped prometheus.yml (scrape every second, the shards' ports).
PROM=
if need prometheus jq; then
    for _try in 1 2 3; do
        wport=$(random_port)
        sed -e 's/scrape_interval: 15s/scrape_interval: 1s/' -e 's/scrape_timeout: 5s/scrape_timeout: 1s/' \
            -e "s/127\.0\.0\.1:9121/127.0.0.1:$MPORT1/" -e "s/127\.0\.0\.1:9122/127.0.0.1:$MPORT2/" \
            -e "s/127\.0\.0\.1:9123/127.0.0.1:$MPORT3/" "$PROM_CONF" >"$TMP/prometheus.yml"
        rm -rf "$TMP/tsdb"
        prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
            --web.listen-address="127.0.0.1:$wport" >"$TMP/prometheus.log" 2>&1 &
        prom_pid=$!
        i=0
        while [ $i -lt 100 ] && kill -0 "$prom_pid" 2>/dev/null; do
            curl -sf --max-time 2 "http://127.0.0.1:$wport/-/ready" >/dev/null 2>&1 && break
            sleep 0.1
            i=$((i + 1))
        done
        if kill -0 "$prom_pid" 2>/dev/null; then
            PIDS="$PIDS $prom_pid"
            PROM=$wport
            break
        fi
        wait "$prom_pid" 2>/dev/null
        echo "prometheus exited (port $wport taken?); another port"
    done
    check "promtool accepts contrib/twemproxy/prometheus.yml" promtool check config "$PROM_CONF"
    check "prometheus runs the shipped prometheus.yml" test -n "$PROM"
fi

# ---- 1000 keys written and read back through the proxy.
for p in $SHARDS; do
    echo "$p $(used_memory "$p")"
done >"$TMP/used0"
i=0
while [ $i -lt $KEYS ]; do
    echo "SET twem:key:$i value-$i"
    i=$((i + 1))
done >"$TMP/sets"
sed 's/^SET \([^ ]*\) \(.*\)$/GET \1/' "$TMP/sets" >"$TMP/gets"
sed 's/^SET [^ ]* //' "$TMP/sets" >"$TMP/want"
redis-cli -p "$PROXY" <"$TMP/sets" >"$TMP/set.out" 2>&1
check "$KEYS SETs through the proxy: $KEYS OK" test "$(grep -cx OK "$TMP/set.out")" = $KEYS
redis-cli -p "$PROXY" <"$TMP/gets" >"$TMP/got" 2>&1
check "$KEYS GETs through the proxy: every value back" cmp -s "$TMP/want" "$TMP/got"

total=0
for p in $SHARDS; do
    n=$(redis-cli -p "$p" dbsize)
    total=$((total + n))
    check "shard $p holds some of the keys (DBSIZE $n)" test "$n" -gt 0
    # The shipped hash (murmur) splits these keys 348/356/296; fnv1a_64 would leave one 170.
    check "shard $p holds at least a fifth of them (the hash spreads keys)" test "$n" -ge $((KEYS / 5))
    used1=$(used_memory "$p")
    used0=$(sed -n "s/^$p //p" "$TMP/used0")
    # A key here is 12-14 bytes and its value 7-9, so each costs well over 32 bytes with its
    # hash table entry and object headers (about 70 measured).
    check "shard $p: used_memory rose by > 32 bytes per key ($used0 -> $used1, $n keys)" \
        test "$used1" -ge $((used0 + 32 * n))
done
check "the shards' DBSIZE add up to $KEYS ($total)" test "$total" = $KEYS
# A key is on the shard ketama picked, once: each shard answers for its own keys only.
k0=$(for p in $SHARDS; do redis-cli -p "$p" exists twem:key:0; done | tr -d '\n')
check "twem:key:0 is on exactly one shard ($k0)" sh -c "echo '$k0' | grep -qx '[01]*' &&
    test \$(echo '$k0' | tr -cd 1 | wc -c) = 1"

# Hash tags: "{user:N}:name" and "{user:N}:cart" hash on "user:N", so each pair shares a shard.
i=0
while [ $i -lt 30 ]; do
    echo "SET {twem:user:$i}:name n$i"
    echo "SET {twem:user:$i}:cart c$i"
    i=$((i + 1))
done | redis-cli -p "$PROXY" >/dev/null
for p in $SHARDS; do
    i=0
    while [ $i -lt 30 ]; do
        echo "EXISTS {twem:user:$i}:name {twem:user:$i}:cart"
        i=$((i + 1))
    done | redis-cli -p "$p" >"$TMP/tags.$p"
done
cat "$TMP"/tags.* >"$TMP/tags"
# Per shard and pair: 0 (elsewhere) or 2 (both here), never 1; 30 pairs found whole.
check "hash tags: each {user} pair on one shard" \
    sh -c "! grep -vx '[02]' '$TMP/tags' && test \$(grep -cx 2 '$TMP/tags') = 30"
check "hash tags: the pairs still spread over more than one shard" test "$(for p in $SHARDS; do
    grep -qx 2 "$TMP/tags.$p" && echo "$p"; done | wc -l)" -ge 2
for p in $SHARDS; do
    i=0
    while [ $i -lt 30 ]; do
        echo "DEL {twem:user:$i}:name {twem:user:$i}:cart"
        i=$((i + 1))
    done | redis-cli -p "$p" >/dev/null
done

# ---- redis-benchmark through the proxy. It asks for CONFIG first, which twemproxy does not
# forward; it warns and goes on. Anything else that looks like an error fails.
redis-benchmark -h 127.0.0.1 -p "$PROXY" -t set,get -n 10000 -q >"$TMP/bench.raw" 2>&1
rc=$?
tr '\r' '\n' <"$TMP/bench.raw" | grep -v '^ *$' >"$TMP/bench"
check "redis-benchmark through the proxy: exit 0" test "$rc" = 0
check "redis-benchmark: SET requests per second" grep -Eq '^ *SET: [0-9.]+ requests per second' "$TMP/bench"
check "redis-benchmark: GET requests per second" grep -Eq '^ *GET: [0-9.]+ requests per second' "$TMP/bench"
check "redis-benchmark: no error" sh -c "! grep -v 'Could not fetch server CONFIG' '$TMP/bench' |
    grep -iqE 'error|ERR|refused|reset|timeout'"
grep -v 'rps=' "$TMP/bench" | sed 's/^/  /'

# nutcracker's own counters (stats every 500 ms): each shard served requests, none failed.
sleep 1
curl -s --max-time 3 "telnet://127.0.0.1:$sport" </dev/null >"$TMP/stats.json" 2>/dev/null
if need jq; then
    check "nutcracker stats: a JSON document" jq -e '.zmem' "$TMP/stats.json"
    for s in zmem-1 zmem-2 zmem-3; do
        check "nutcracker stats: $s served requests, no server error or timeout" jq -e --arg s "$s" \
            '.zmem[$s] | .requests > 0 and .server_err == 0 and .server_timedout == 0
             and .server_eof == 0' "$TMP/stats.json"
    done
    check "nutcracker stats: no forward error, nothing ejected" jq -e \
        '.zmem.forward_error == 0 and .zmem.server_ejects == 0' "$TMP/stats.json"
fi

# ---- Prometheus scraped all three shards: up, the shard labels, and the keys of the pool.
if [ -n "$PROM" ]; then
    q() { curl -s --max-time 3 -G "http://127.0.0.1:$PROM/api/v1/query" --data-urlencode "query=$1"; }
    i=0
    while [ $i -lt 100 ]; do
        q "sum(redis_db_keys{job=\"zmem\",db=\"db0\"})" >"$TMP/pkeys"
        q "count(up{job=\"zmem\"} == 1)" >"$TMP/pup"
        jq -e '.data.result[0].value[1] == "3"' "$TMP/pup" >/dev/null 2>&1 &&
            jq -e '.data.result[0].value[1] | tonumber >= 1000' "$TMP/pkeys" >/dev/null 2>&1 && break
        sleep 0.2
        i=$((i + 1))
    done
    check "prometheus: the three shards are up" jq -e '.data.result[0].value[1] == "3"' "$TMP/pup"
    q "redis_up{job=\"zmem\"}" >"$TMP/pshards"
    check "prometheus: shard labels zmem-1, zmem-2, zmem-3" \
        test "$(jq -r '[.data.result[].metric.shard] | sort | join(",")' "$TMP/pshards")" = \
        "zmem-1,zmem-2,zmem-3"
    # 1000 keys, plus the one redis-benchmark wrote (once a scrape after it has landed).
    check "prometheus: the pool's keys summed over the shards ($(jq -r '.data.result[0].value[1]' \
        "$TMP/pkeys"))" jq -e '(.data.result[0].value[1] | tonumber) as $n | $n >= 1000 and $n <= 1001' "$TMP/pkeys"
fi

finish
