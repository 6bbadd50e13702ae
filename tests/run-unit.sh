#!/bin/sh
# Run every unit-test binary given; fail if any fails. cmocka prints its own summary per binary.
status=0
for t in "$@"; do
    echo "== $t"
    "$t" || { echo "FAILED: $t"; status=1; }
done
exit $status
