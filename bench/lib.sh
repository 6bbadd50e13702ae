# lib.sh — shell helpers the benchmark scripts share; sourced, not run (". bench/lib.sh").
# The sourcing script sets ZMEM (the zmem-server binary), REDIS (redis-server) and TMP (a
# scratch directory for the servers' logs), and may set REDIS_ARGS (more redis-server
# arguments), START_LOG (the log file, default $TMP/NAME.log) and START_FAIL (the exit status
# when a server cannot be started, default 0: benchmarks never fail). start sets PORT and PID,
# and adds PID to PIDS for the script's exit trap.

# A loopback port nothing answers on, in 20000-31999: below Linux's ephemeral range (32768 and
# up), so a port picked here is not taken meanwhile by an outgoing connection.
free_port() {
    while :; do
        p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 12000))
        redis-cli -p "$p" ping >/dev/null 2>&1 || { echo "$p"; return; }
    done
}

# start zmem|redis [ARGS...]: the server on a free port, with ARGS, and no persistence for
# redis; another port if that one was taken by the time the server bound. Gives up (exit
# $START_FAIL) after five tries.
start() {
    name=$1
    shift
    log=${START_LOG:-$TMP/$name.log}
    for _attempt in 1 2 3 4 5; do
        PORT=$(free_port)
        if [ "$name" = zmem ]; then
            "$ZMEM" --port "$PORT" --bind 127.0.0.1 "$@" >"$log" 2>&1 &
        else
            # shellcheck disable=SC2086 # REDIS_ARGS is a word list
            "$REDIS" --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no ${REDIS_ARGS:-} \
                "$@" >"$log" 2>&1 &
        fi
        PID=$!
        PIDS="${PIDS:-} $PID"
        i=0
        while kill -0 "$PID" 2>/dev/null && [ $i -lt 250 ]; do
            redis-cli -p "$PORT" ping >/dev/null 2>&1 && return 0
            sleep 0.02
            i=$((i + 1))
        done
        kill "$PID" 2>/dev/null
        wait "$PID" 2>/dev/null
    done
    echo "${0##*/}: $name did not start"
    cat "$log"
    exit "${START_FAIL:-0}"
}

# stop: the server start last started (SIGTERM, then reap it).
stop() {
    kill "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=""
}

# The median of the numbers on standard input, one per line.
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
