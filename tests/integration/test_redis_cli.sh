#!/bin/sh
# test_redis_cli.sh — the real redis-cli 7.0 against the server core: one-shot commands and
# their exit status, -3 (HELLO 3), -n (SELECT), -a (AUTH with requirepass), and interactive
# mode fed through a pipe, which sends COMMAND DOCS at start and builds `help` from it.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

require_all redis-cli
TMP=$(mktemp -d)
cleanup() { rm -rf "$TMP"; }

start_server || exit 1
CLI="redis-cli -p $PORT"

# ---- One-shot mode.
check "one-shot PING" test "$($CLI ping)" = "PONG"
check "one-shot ECHO" test "$($CLI echo 'a b')" = "a b"
check "one-shot CONFIG GET" test "$($CLI config get maxclients | tr '\n' ' ')" = "maxclients 10000 "
$CLI nosuch arg >"$TMP/err"
check "one-shot error text" test "$(cat "$TMP/err")" = "ERR unknown command 'nosuch', with args beginning with: 'arg' "
check "one-shot exit status 0 after an error reply (redis-cli 7.0)" $CLI nosuch
check "one-shot CLIENT LIST printed raw, one line" test "$($CLI client list | wc -l)" -eq 1
check "one-shot TIME" test "$($CLI time | wc -l)" -eq 2

# ---- -3: HELLO 3 first; maps and nulls come back in RESP3.
check "-3 CLIENT INFO shows resp=3" sh -c "$CLI -3 client info | grep -q ' resp=3'"
check "-3 HELLO shows proto 3" sh -c "$CLI -3 hello 3 | grep -qx 'proto 3'"
check "-3 CONFIG GET as a map" test "$($CLI -3 config get hz | tr '\n' ' ')" = "hz 10 "
check "-3 nil" test "$($CLI -3 --no-raw client getname)" = "(nil)"

# ---- -n: SELECT before the command.
check "-n 1 selects db 1" sh -c "$CLI -n 1 client info | grep -q ' db=1 '"
$CLI -n 16 ping >"$TMP/out" 2>"$TMP/err"
check "-n 16 reports SELECT failure" grep -q "SELECT 16 failed: ERR DB index is out of range" "$TMP/err"
check "-n 16 still sends the command" test "$(cat "$TMP/out")" = "PONG"

# ---- Interactive mode through a pipe: COMMAND DOCS at start, then help from it.
$CLI config set slowlog-log-slower-than 0 >/dev/null
$CLI slowlog reset >/dev/null
printf 'ping\necho hello\nhelp GET\nhelp CONFIG GET\nclient getname\n' | $CLI >"$TMP/inter" 2>&1
check "interactive: replies" sh -c "head -n 2 '$TMP/inter' | tr '\n' ' ' | grep -qx 'PONG hello '"
check "interactive: help GET summary from COMMAND DOCS" grep -q "Return the string stored at a key, or nil" "$TMP/inter"
check "interactive: help GET group" grep -q "string" "$TMP/inter"
check "interactive: help CONFIG GET (subcommand docs)" grep -q "Read the options whose names match the patterns" "$TMP/inter"
check "interactive: sent COMMAND DOCS" sh -c "$CLI slowlog get -1 | grep -qx DOCS"
$CLI config set slowlog-log-slower-than 10000 >/dev/null
check "interactive: server still fine" test "$($CLI ping)" = "PONG"

stop_server

# ---- -a with requirepass.
start_server --requirepass 'pw 1' || exit 1
CLI="redis-cli -p $PORT"
check "no -a: NOAUTH" test "$($CLI ping)" = "NOAUTH Authentication required."
check "-a: authenticated" test "$($CLI -a 'pw 1' --no-auth-warning ping)" = "PONG"
$CLI -a wrong --no-auth-warning ping >"$TMP/out" 2>"$TMP/err"
check "-a wrong: AUTH failed message" grep -q "AUTH failed: WRONGPASS invalid username-password pair or user is disabled." "$TMP/err"
check "-a wrong: command still sent, NOAUTH" test "$(cat "$TMP/out")" = "NOAUTH Authentication required."
check "-a with -3 and -n" sh -c "$CLI -a 'pw 1' --no-auth-warning -3 -n 2 client info | grep -q ' db=2 .* resp=3'"
check "--user default --pass" test "$($CLI --user default --pass 'pw 1' --no-auth-warning ping)" = "PONG"
printf 'ping\nhelp ECHO\n' | $CLI -a 'pw 1' --no-auth-warning >"$TMP/inter" 2>&1
check "interactive with -a" sh -c "head -n 1 '$TMP/inter' | grep -qx PONG"
check "interactive with -a: help ECHO" grep -q "Reply with the given message" "$TMP/inter"

summary
