#!/bin/sh
# Integration tests: every tests/integration/test_*.c binary (each starts its own servers through
# harness.h) and every tests/integration/test_*.sh script (through lib.sh). Fails if any fails.
#
# Each test runs in a process group of its own (setsid), so whatever it started can be found
# by that group's id once it ends. The harnesses stop their servers even when the test dies
# (PR_SET_PDEATHSIG in harness.h, the exit trap in lib.sh); a process still in the group
# afterwards is killed here, by pid, and fails the test. Ctrl-C stops the running test's group.
: "${BUILD:=build}"
# ZMEM_SERVER may name another program that runs the server (make valgrind's wrapper).
: "${ZMEM_SERVER:=$BUILD/zmem-server}"
export ZMEM_SERVER
# The allocator the server was built with, for the checks that depend on it (harness.h, lib.sh).
: "${ZMEM_MALLOC:=jemalloc}"
export ZMEM_MALLOC
status=0
passed=0
failed=0
TEST_PID=

# The pids of the live (not zombie) processes in process group $1.
group_pids() {
    ps -e -o pid= -o pgid= -o stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1 }'
}

# Stop what is left in the test's group: SIGTERM, up to 2 s, then SIGKILL. 1 if anything was.
stop_leftovers() {
    left=$(group_pids "$TEST_PID")
    [ -n "$left" ] || return 0
    echo "run.sh: $1 left processes running:"
    for p in $left; do ps -o pid=,args= -p "$p"; done
    kill -TERM $left 2>/dev/null
    i=0
    while [ -n "$(group_pids "$TEST_PID")" ] && [ $i -lt 100 ]; do sleep 0.02; i=$((i + 1)); done
    left=$(group_pids "$TEST_PID")
    [ -n "$left" ] && kill -KILL $left 2>/dev/null
    return 1
}

# run NAME COMMAND...: the command in its own process group; 0 when it passed and left nothing.
# With ZMEM_TEST_ONLY set (space-separated test names, e.g. "test_core test_limits.sh"), only
# those run: make valgrind-ci uses it for the part of the suite that fits CI's time.
run() {
    name=$1; shift
    if [ -n "${ZMEM_TEST_ONLY:-}" ]; then
        case " $ZMEM_TEST_ONLY " in
        *" $(basename "$name") "*) ;;
        *) return 0 ;;
        esac
    fi
    echo "== $name"
    t0=$(date +%s)
    setsid "$@" &
    TEST_PID=$!
    wait "$TEST_PID"
    rc=$?
    stop_leftovers "$name" || rc=1
    TEST_PID=
    echo "-- $name: $(( $(date +%s) - t0 )) s"
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
    else
        echo "FAILED: $name (exit $rc)"
        failed=$((failed + 1))
        status=1
    fi
}

interrupted() {
    if [ -n "$TEST_PID" ]; then
        kill -TERM $(group_pids "$TEST_PID") 2>/dev/null
        stop_leftovers "$name" >/dev/null
    fi
    exit 130
}
trap interrupted INT TERM HUP

for t in "$BUILD"/itests/test_*; do
    [ -x "$t" ] || continue
    run "$t" "$t"
done
for s in tests/integration/test_*.sh; do
    [ -f "$s" ] || continue
    run "$s" sh "$s"
done
echo "integration: $passed passed, $failed failed"
if [ -n "${ZMEM_TEST_ONLY:-}" ] && [ $((passed + failed)) -ne $(echo $ZMEM_TEST_ONLY | wc -w) ]; then
    echo "run.sh: ZMEM_TEST_ONLY names a test that does not exist: $ZMEM_TEST_ONLY"
    status=1
fi
exit $status
