#!/bin/sh
# test_redis_cli_docs.sh — the real redis-cli 7.0 reading COMMAND DOCS, COMMAND INFO and COMMAND
# GETKEYS from zmem: what it prints must be what the same redis-cli prints for a live
# redis-server 7.0.15 (summaries and complexity texts aside, which are zmem's own words).
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

require_all redis-cli redis-server
TMP=$(mktemp -d)
RPID=
cleanup() {
    if [ -n "$RPID" ]; then
        kill "$RPID" 2>/dev/null
        wait "$RPID" 2>/dev/null
    fi
    rm -rf "$TMP"
}

start_server || exit 1
ZCLI="redis-cli -p $PORT"

# A redis-server of our own, stopped by pid in cleanup.
for _try in 1 2 3 4 5; do
    RPORT=$(random_port)
    redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
        >"$TMP/redis.log" 2>&1 &
    RPID=$!
    i=0
    while [ $i -lt 250 ] && kill -0 "$RPID" 2>/dev/null; do
        [ "$(redis-cli -p "$RPORT" ping 2>/dev/null)" = PONG ] && break
        sleep 0.02
        i=$((i + 1))
    done
    [ "$(redis-cli -p "$RPORT" ping 2>/dev/null)" = PONG ] && break
    kill "$RPID" 2>/dev/null
    wait "$RPID" 2>/dev/null
    RPID=
done
check "redis-server started" test -n "$RPID"
RCLI="redis-cli -p $RPORT"

# The value after "summary" and "complexity" blanked: those texts are zmem's own.
own_words() { awk 'skip { sub(/".*"$/, "\"-\""); skip = 0 } /"(summary|complexity)"$/ { skip = 1 } { print }'; }

# ---- COMMAND DOCS, as redis-cli --no-raw prints it.
# GET's complexity is the same fact in both, so only its summary (zmem's own sentence) is blanked.
own_summary() { awk 'skip { sub(/".*"$/, "\"-\""); skip = 0 } /"summary"$/ { skip = 1 } { print }'; }
$ZCLI --no-raw COMMAND DOCS get | own_summary >"$TMP/z"
$RCLI --no-raw COMMAND DOCS get | own_summary >"$TMP/r"
check "COMMAND DOCS get: same output as redis-server but the summary" cmp -s "$TMP/z" "$TMP/r"
check "COMMAND DOCS get: key argument with its key spec" grep -q '"key_spec_index"' "$TMP/z"
for c in mget incr hget zscore memory\|usage sort lmpop zunionstore bitfield; do
    $ZCLI --no-raw COMMAND DOCS "$c" | own_words >"$TMP/z"
    $RCLI --no-raw COMMAND DOCS "$c" | own_words >"$TMP/r"
    check "COMMAND DOCS $c: same arguments, since and group as redis-server" cmp -s "$TMP/z" "$TMP/r"
done

# ---- COMMAND INFO: flags, key positions, categories, tips and key specs.
for c in get mset zunionstore lmpop georadius config\|get blpop; do
    $ZCLI --no-raw COMMAND INFO "$c" >"$TMP/z"
    $RCLI --no-raw COMMAND INFO "$c" >"$TMP/r"
    check "COMMAND INFO $c: same output as redis-server" cmp -s "$TMP/z" "$TMP/r"
done

# ---- COMMAND GETKEYS / GETKEYSANDFLAGS.
for args in "sort k by w_* get # store d" "zunionstore d 2 a b" "georadius k 1 2 3 m store s" \
    "set k v get" "eval s 2 a b x"; do
    # shellcheck disable=SC2086
    check "COMMAND GETKEYSANDFLAGS $args: same as redis-server" \
        test "$($ZCLI COMMAND GETKEYSANDFLAGS $args)" = "$($RCLI COMMAND GETKEYSANDFLAGS $args)"
done

# ---- Interactive: redis-cli builds `help` from COMMAND DOCS (usage line, since, group); all
# but the summary line must be what it prints for redis-server.
for c in ZUNIONSTORE SET GEORADIUS "CLIENT KILL" "CONFIG GET" SORT; do
    printf 'help %s\n' "$c" | $ZCLI 2>&1 | grep -v summary >"$TMP/z"
    printf 'help %s\n' "$c" | $RCLI 2>&1 | grep -v summary >"$TMP/r"
    check "interactive: help $c as for redis-server" cmp -s "$TMP/z" "$TMP/r"
done
printf 'help ZUNIONSTORE\n' | $ZCLI >"$TMP/inter" 2>&1
check "interactive: help shows the arguments" grep -q "destination numkeys key \[key ...\]" "$TMP/inter"

stop_server
summary
