#!/bin/sh
# valgrind-server.sh — stands in for zmem-server under `make valgrind`: the integration tests
# start whatever $ZMEM_SERVER names, so this runs the libc-malloc build (jemalloc hides heap
# blocks from memcheck) under memcheck with the same arguments. exec keeps the pid, so the
# harness still finds its server by INFO's process_id and stops it by that pid.
#
# ZMEM_VG_SERVER: the server binary (default build/libc/zmem-server).
# ZMEM_VG_LOGDIR: where each run writes vg-<pid>.log (default build/libc/valgrind);
# `make valgrind` scans them afterwards. Exit 99 when memcheck found errors, so a test that
# checks the exit status fails too. Leaks are reported at exit (the server frees everything
# on SIGTERM); only definite and indirect ones count as errors.
: "${ZMEM_VG_SERVER:=build/libc/zmem-server}"
: "${ZMEM_VG_LOGDIR:=build/libc/valgrind}"
dir=$(cd "$(dirname "$0")" && pwd)
exec valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
    --track-fds=no --num-callers=30 --suppressions="$dir/valgrind.supp" \
    --log-file="$ZMEM_VG_LOGDIR/vg-%p.log" "$ZMEM_VG_SERVER" "$@"
