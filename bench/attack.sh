#!/bin/sh
# attack.sh — issue 8's three attack rows (HTTP on the RESP port; 512 MB bulks and 1,048,576-
# argument multibulks announced and not sent; 1000 pipelined GETs of 1 MB left unread),
# re-measured with bench/attack against zmem and Debian's redis-server 7.0, alternating ROUNDS
# times, side by side: the median of each figure over the rounds (a text figure is shown as is
# when every round agrees, else each round's). Numbers and observations, never pass/fail.
# Redis 7.0 pre-sizes a query buffer to an announced bulk (used_memory +640 MB per connection,
# though little of it is touched), so it gets REDIS_BULK_CONNS (20) such connections, zmem
# BULK_CONNS (300); the rows say how many.
# Reproduce: make bench, or BUILD=build sh bench/attack.sh; ZMEM=<binary> measures another build.
: "${BUILD:=build}"
: "${ZMEM:=$BUILD/zmem-server}"
: "${ROUNDS:=2}"
: "${BULK_CONNS:=300}"
: "${REDIS_BULK_CONNS:=20}"
: "${MBULK_CONNS:=300}"
REDIS=/usr/bin/redis-server
ATTACK=$BUILD/bench/attack
[ -x "$ZMEM" ] || { echo "attack.sh: $ZMEM not built"; exit 0; }
[ -x "$ATTACK" ] || { echo "attack.sh: $ATTACK not built (make $ATTACK)"; exit 0; }
[ -x "$REDIS" ] || { echo "attack.sh: $REDIS not installed, nothing to compare with"; exit 0; }
command -v redis-cli >/dev/null || { echo "attack.sh: redis-cli not installed"; exit 0; }
TMP=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT
REDIS_ARGS="--maxmemory 0"
. "${0%/*}/lib.sh"

r=1
while [ $r -le "$ROUNDS" ]; do
    for server in zmem redis; do
        n=$BULK_CONNS
        [ "$server" = redis ] && n=$REDIS_BULK_CONNS
        : >"$TMP/$server.$r"
        for rows in xproto,get bulk,mbulk; do # a fresh server each: see bench/attack.c
            start "$server"
            "$ATTACK" 127.0.0.1 "$PORT" "$rows" "$n" "$MBULK_CONNS" >>"$TMP/$server.$r" 2>&1 ||
                echo "attack.sh: $rows against $server ended early in round $r" >&2
            kill -0 "$PID" 2>/dev/null || echo "attack.sh: $server died in round $r" >&2
            stop
        done
    done
    r=$((r + 1))
done

echo "issue 8's attack rows, bench/attack; median of $ROUNDS alternating rounds"
echo "(kb: KiB per connection unless named growth or after_close; ms: round trip)"
# Each file: "figure<TAB>value" lines. Figures in the order of zmem's first round.
awk -F'\t' -v rounds="$ROUNDS" '
    function num(v) { return v ~ /^[+-]?[0-9]+(\.[0-9]+)?$/ }
    function median(list,    n, a, i, j, t, ok) {
        n = split(list, a, SUBSEP)
        ok = 1
        for (i = 1; i <= n; i++) if (!num(a[i])) ok = 0
        if (!ok) {
            for (i = 2; i <= n; i++) if (a[i] != a[1]) { t = a[1]; for (j = 2; j <= n; j++) t = t " | " a[j]; return t }
            return a[1]
        }
        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return a[int((n + 1) / 2)]
    }
    {
        split(FILENAME, f, "/"); server = f[length(f)]; sub(/\.[0-9]+$/, "", server)
        if (server == "zmem" && !($1 in seen)) { seen[$1] = 1; order[++nk] = $1 }
        if ((server, $1) in v) v[server, $1] = v[server, $1] SUBSEP $2
        else v[server, $1] = $2
    }
    END {
        printf "%-34s %-26s %s\n", "figure", "zmem", "redis 7.0.15"
        for (i = 1; i <= nk; i++) {
            k = order[i]
            printf "%-34s %-26s %s\n", k, median(v["zmem", k]), (("redis", k) in v) ? median(v["redis", k]) : "(none)"
        }
    }' $(ls "$TMP"/zmem.* "$TMP"/redis.*)
