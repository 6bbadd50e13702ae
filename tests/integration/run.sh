#!/bin/sh
# Integration tests: every tests/integration/test_*.c binary (each starts its own servers through
# harness.h) and every tests/integration/test_*.sh script (through lib.sh). Fails if any fails.
: "${BUILD:=build}"
ZMEM_SERVER="$BUILD/zmem-server"
export ZMEM_SERVER
status=0
for t in "$BUILD"/itests/test_*; do
    [ -x "$t" ] || continue
    echo "== $t"
    "$t" || { echo "FAILED: $t"; status=1; }
done
for s in tests/integration/test_*.sh; do
    [ -f "$s" ] || continue
    echo "== $s"
    sh "$s" || { echo "FAILED: $s"; status=1; }
done
exit $status
