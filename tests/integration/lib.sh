# lib.sh — for shell integration tests: start a zmem-server on a free loopback port, stop it by
# pid, and count checks. Source it; call start_server [args...]; the trap stops the server.
: "${ZMEM_SERVER:=build/zmem-server}"
PASSED=0
FAILED=0
SERVER_PID=
PORT=

start_server() {
    for _attempt in 1 2 3 4 5; do
        PORT=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
        SERVER_LOG=$(mktemp)
        "$ZMEM_SERVER" --port "$PORT" --bind 127.0.0.1 "$@" >"$SERVER_LOG" 2>&1 &
        SERVER_PID=$!
        i=0
        while [ $i -lt 250 ]; do
            if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
            # NOAUTH also means up and serving (--requirepass).
            case "$(redis-cli -p "$PORT" ping 2>/dev/null)" in
            PONG | NOAUTH*) ready=1 ;;
            *) ready= ;;
            esac
            if [ -n "$ready" ]; then
                trap stop_server EXIT
                return 0
            fi
            sleep 0.02
            i=$((i + 1))
        done
        kill -9 "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    done
    echo "could not start $ZMEM_SERVER"; cat "$SERVER_LOG"
    return 1
}

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill "$SERVER_PID" 2>/dev/null
    i=0
    while kill -0 "$SERVER_PID" 2>/dev/null && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
    kill -9 "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
    rm -f "$SERVER_LOG"
}

# check NAME CONDITION-COMMAND...: runs the command, counts and prints the result.
check() {
    name=$1; shift
    if "$@" >/dev/null 2>&1; then
        PASSED=$((PASSED + 1)); echo "ok   $name"
    else
        FAILED=$((FAILED + 1)); echo "FAIL $name"
    fi
}

# summary: prints "N passed, N failed" and returns non-zero on failures.
summary() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
