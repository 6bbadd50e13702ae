# lib.sh — for shell integration tests: start a zmem-server on a free loopback port, stop it by
# pid on any exit, and count checks. Source it, then call start_server [args...].
#
# Cleanup: lib.sh owns the EXIT trap (and turns INT/TERM/HUP into an exit), so the server is
# stopped by pid however the script ends. A script with more to clean up defines cleanup();
# it runs first. Do not set another EXIT trap.
#
# Optional tools: require_all TOOL... for a script that needs them throughout, or
# requires TOOL... before the checks that need them, end_requires after. With
# a tool missing those checks are not run: each is printed as SKIP and counted, or, under
# CI=true (CI installs every tool), printed as FAIL and counted as failed.
: "${ZMEM_SERVER:=build/zmem-server}"
# ZMEM_TEST_SLOW=N (make valgrind sets it) multiplies the start and stop waits by N.
: "${ZMEM_TEST_SLOW:=1}"
PASSED=0
FAILED=0
SKIPPED=0
MISSING=
SKIP_WHY=
SERVER_PID=
SERVER_LOG=
PORT=

lib_exit() {
    status=$?
    command -v cleanup >/dev/null 2>&1 && cleanup
    stop_server
    exit $status
}
trap lib_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# start_server [args...]: a server on a free port, ready when the server answering there is
# ours (INFO server's process_id): another may hold the port while ours fails to bind it.
# random_port: a port from 20000 up to the kernel's ephemeral range (where outgoing connections
# take their local ports), or in 20000..59999 if that range starts too low.
random_port() {
    _low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
    [ "${_low:-0}" -gt 21000 ] 2>/dev/null || _low=60000
    echo $(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % (_low - 20000) ))
}

start_server() {
    _auth=
    _prev=
    for _arg in "$@"; do
        [ "$_prev" = --requirepass ] && _auth=$_arg
        _prev=$_arg
    done
    for _attempt in 1 2 3 4 5; do
        PORT=$(random_port)
        [ -n "$SERVER_LOG" ] && rm -f "$SERVER_LOG"
        SERVER_LOG=$(mktemp)
        "$ZMEM_SERVER" --port "$PORT" --bind 127.0.0.1 "$@" >"$SERVER_LOG" 2>&1 &
        SERVER_PID=$!
        i=0
        while [ $i -lt $((250 * ZMEM_TEST_SLOW)) ]; do
            if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
            if [ -n "$_auth" ]; then
                _id=$(redis-cli -p "$PORT" -a "$_auth" --no-auth-warning info server 2>/dev/null)
            else
                _id=$(redis-cli -p "$PORT" info server 2>/dev/null)
            fi
            printf '%s\n' "$_id" | tr -d '\r' | grep -qx "process_id:$SERVER_PID" && return 0
            sleep 0.02
            i=$((i + 1))
        done
        kill -9 "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
        SERVER_PID=
    done
    echo "could not start $ZMEM_SERVER; its log:"
    cat "$SERVER_LOG"
    return 1
}

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill "$SERVER_PID" 2>/dev/null
    i=0
    while kill -0 "$SERVER_PID" 2>/dev/null && [ $i -lt $((500 * ZMEM_TEST_SLOW)) ]; do sleep 0.02; i=$((i + 1)); done
    kill -9 "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
    rm -f "$SERVER_LOG"
    SERVER_LOG=
}

# requires TOOL...: the checks up to end_requires need these tools (see the top). Returns 0
# when all are installed, so it can guard the set-up of those checks too.
requires() {
    MISSING=
    for _tool in "$@"; do
        command -v "$_tool" >/dev/null 2>&1 || MISSING="$MISSING $_tool"
    done
    [ -z "$MISSING" ]
}

end_requires() {
    MISSING=
}

# require_all TOOL...: the whole script needs these tools. When one is missing the script
# ends here, counting itself as one skipped check (one failed under CI=true).
require_all() {
    requires "$@" && return 0
    check "every check of $(basename "$0")" false
    summary
    exit $?
}

# only_if REASON CONDITION-COMMAND...: the checks up to end_only apply to some builds only
# (e.g. jemalloc's sizes). When the condition fails they are printed as SKIP with the reason
# and counted, CI or not: a build choice, not a missing tool.
only_if() {
    SKIP_WHY=$1; shift
    if "$@"; then SKIP_WHY=; fi
}

end_only() {
    SKIP_WHY=
}

# check NAME CONDITION-COMMAND...: runs the command, counts and prints the result.
check() {
    name=$1; shift
    if [ -n "$MISSING" ]; then
        if [ "${CI:-}" = true ]; then
            FAILED=$((FAILED + 1)); echo "FAIL $name: missing$MISSING (CI=true installs every tool)"
        else
            SKIPPED=$((SKIPPED + 1)); echo "SKIP $name: missing$MISSING"
        fi
        return 0
    fi
    if [ -n "$SKIP_WHY" ]; then
        SKIPPED=$((SKIPPED + 1)); echo "SKIP $name: $SKIP_WHY"
        return 0
    fi
    if "$@" >/dev/null 2>&1; then
        PASSED=$((PASSED + 1)); echo "ok   $name"
    else
        FAILED=$((FAILED + 1)); echo "FAIL $name"
    fi
}

# summary: prints "N passed, N failed, N skipped" and returns non-zero on failures.
summary() {
    echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
    [ "$FAILED" -eq 0 ]
}
