    [ "$(basename "$b")" = attack ] && continue # needs a server: bench/attack.sh runs it
#!/bin/sh
# make bench: run every benchmark binary, then every benchmark script. Numbers, never pass/fail.
: "${BUILD:=build}"
for b in "$BUILD"/bench/*; do
    [ -x "$b" ] || continue
    [ "$(basename "$b")" = attack ] && continue # needs a server: bench/attack.sh starts them
    echo "== $(basename "$b")"
    "$b"
done
for s in bench/*.sh; do
    [ -f "$s" ] || continue
    [ "$s" = bench/run.sh ] && continue # this script: it would run itself forever
    [ "$s" = bench/lib.sh ] && continue # helpers the others source
    [ "$s" = bench/soak.sh ] && continue # ten minutes by default: make soak runs it
    echo "== $s"
    BUILD="$BUILD" sh "$s"
done
