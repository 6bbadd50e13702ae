#!/bin/sh
# test_monitor.sh — the real `redis-cli monitor` against zmem-server: it connects, prints one
# line per command run by other clients ("<sec>.<usec> [<db> <ip:port>] "cmd" "arg"..."), with
# Redis's quoting of binary bytes, the commands of a MULTI/EXEC, the database SELECTed, AUTH
# and HELLO passwords redacted and admin commands left out; and it ends cleanly when stopped.
. tests/integration/lib.sh
require_all redis-cli
start_server || exit 1
CLI="redis-cli -p $PORT"

OUT=$(mktemp)
MON_PID=
cleanup() {
    [ -n "$MON_PID" ] && kill "$MON_PID" 2>/dev/null && wait "$MON_PID" 2>/dev/null
    rm -f "$OUT"
}
$CLI monitor >"$OUT" 2>&1 &
MON_PID=$!
# Wait until the monitor is registered (CLIENT LIST flag O) before generating traffic.
i=0
while [ $i -lt 250 ] && ! $CLI client list | grep -q 'flags=O'; do sleep 0.02; i=$((i + 1)); done
check "redis-cli monitor shows as flags=O cmd=monitor in CLIENT LIST" \
    sh -c "$CLI client list | grep -q 'flags=O .*cmd=monitor'"

$CLI set mon:k v >/dev/null
printf 'a\001\377\n' | $CLI -x set mon:bin >/dev/null
$CLI -n 3 set 'mon:a b' 'x"y' >/dev/null
$CLI auth secret >/dev/null 2>&1
$CLI hello 3 auth default pw setname cli >/dev/null 2>&1
printf 'MULTI\nINCR mon:n\nINCR mon:n\nEXEC\n' | $CLI >/dev/null
$CLI config get maxmemory >/dev/null
$CLI client list >/dev/null
$CLI set mon:last 1 >/dev/null
# The last command's line has arrived when the file names it.
i=0
while [ $i -lt 250 ] && ! grep -q '"mon:last"' "$OUT"; do sleep 0.02; i=$((i + 1)); done

LINE='^[0-9]+\.[0-9]{6} \[[0-9]+ 127\.0\.0\.1:[0-9]+\] '
check "redis-cli printed +OK first" sh -c "head -1 '$OUT' | grep -qx OK"
check "a SET line: timestamp, [db ip:port], quoted arguments" \
    grep -Eq "${LINE}\"set\" \"mon:k\" \"v\"\$" "$OUT"
check "binary bytes in Redis's repr: x01, xff and newline escaped" \
    grep -Fq '"set" "mon:bin" "a\x01\xff\n"' "$OUT"
check "SELECT moves the line to database 3, quotes escaped" \
    grep -Eq '^[0-9]+\.[0-9]{6} \[3 127\.0\.0\.1:[0-9]+\] "set" "mon:a b" "x\\"y"$' "$OUT"
check "AUTH's password is redacted" grep -Fq '"auth" "(redacted)"' "$OUT"
check "HELLO AUTH's username and password are redacted" \
    grep -Fq '"hello" "3" "auth" "(redacted)" "(redacted)" "setname" "cli"' "$OUT"
check "no password in clear" sh -c "! grep -Eq 'secret|\"pw\"' '$OUT'"
check "MULTI, the queued commands and EXEC, in order" \
    sh -c "grep -Eo '\"(MULTI|INCR|EXEC)\".*' '$OUT' | tr '\n' '|' |
           grep -qx '\"MULTI\"|\"INCR\" \"mon:n\"|\"INCR\" \"mon:n\"|\"EXEC\"|'"
check "admin commands (CONFIG, CLIENT LIST) are not shown" \
    sh -c "! grep -Eiq '\"config\"|\"client\" \"list\"' '$OUT'"
check "every line after OK has the monitor format" \
    sh -c "tail -n +2 '$OUT' | grep -Evq '${LINE}\"' && exit 1 || exit 0"

check "INFO counts the monitor among connected_clients" \
    sh -c "$CLI info clients | tr -d '\r' | grep -qx 'connected_clients:2'"
kill "$MON_PID" 2>/dev/null
wait "$MON_PID" 2>/dev/null
MON_PID=
i=0
while [ $i -lt 250 ] && $CLI client list | grep -q 'flags=O'; do sleep 0.02; i=$((i + 1)); done
check "a stopped monitor is gone from CLIENT LIST" sh -c "! $CLI client list | grep -q 'flags=O'"
check "the server still answers" sh -c "$CLI ping | grep -qx PONG"

summary
