#!/bin/sh
# test_libzmalloc.sh — libzmalloc as a user gets it: `make install PREFIX=<tmp>` for each
# allocator, then a program written only against the seed API (seed_api.c: the seeds'
# signatures, zmalloc_get_private_dirty() and both zmalloc_get_fragmentation_ratio forms
# included) compiled with `pkg-config --cflags --libs zmalloc` under -std=c99 -pedantic -Werror,
# run, and its accounting checks counted here. Also: the pid form of zmalloc_get_private_dirty
# still compiles and agrees with the no-argument form.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CC=${CC:-cc}
# A clean make of its own: not the sanitizer, build folder or variables of a calling `make test`.
unset MAKEFLAGS MFLAGS MAKELEVEL BUILD SANITIZER

# count_lines LABEL FILE: adds a program's "ok NAME" / "FAIL NAME" lines to the counters.
count_lines() {
    while IFS= read -r line; do
        case "$line" in
        "ok "*) PASSED=$((PASSED + 1)); echo "ok   $1: ${line#ok   }" ;;
        "FAIL "*) FAILED=$((FAILED + 1)); echo "FAIL $1: ${line#FAIL }" ;;
        esac
    done <"$2"
}

cat >"$TMP/pid_form.c" <<'EOF'
#include <zmalloc.h>
#include <stdio.h>
#include <unistd.h>
int
main(void)
{
    size_t self = zmalloc_get_private_dirty(-1);
    size_t by_pid = zmalloc_get_private_dirty((long)getpid());
    size_t seed = zmalloc_get_private_dirty();
    size_t (*fn)(long) = zmalloc_get_private_dirty;
    printf("%zu %zu %zu %zu\n", self, by_pid, seed, fn(-1));
    return 0;
}
EOF

cat >"$TMP/cxx.cpp" <<'EOF'
#include <zmalloc.h>
int
main()
{
    size_t base = zmalloc_used_memory();
    int cat = zmalloc_category_register("cxx");
    int prev = zmalloc_category_set(cat);
    char *p = static_cast<char *>(zmalloc(100));
    void (*release)(void *) = zfree;
    p[99] = 1;
    release(p);
    zmalloc_category_set(prev);
    return zmalloc_used_memory() == base ? 0 : 1;
}
EOF

for m in jemalloc tcmalloc libc; do
    prefix="$TMP/$m"
    make --no-print-directory install PREFIX="$prefix" BUILD="$TMP/build-$m" MALLOC="$m" \
        >"$TMP/install-$m.log" 2>&1
    check "$m: make install PREFIX=<tmp>" test -f "$prefix/lib/libzmalloc.a" -a \
        -f "$prefix/include/zmalloc.h" -a -f "$prefix/lib/pkgconfig/zmalloc.pc"
    PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
    export PKG_CONFIG_PATH
    flags=$(pkg-config --cflags --libs zmalloc) || flags=
    check "$m: pkg-config --cflags --libs zmalloc ($flags)" \
        sh -c "echo '$flags' | grep -q -- '-I$prefix/include' && echo '$flags' | grep -q -- '-lzmalloc'"
    case $m in
    jemalloc) want=-ljemalloc ;;
    tcmalloc) want=-ltcmalloc_minimal ;;
    libc) want= ;;
    esac
    [ -n "$want" ] && check "$m: pkg-config names $want" sh -c "echo '$flags' | grep -q -- '$want'"

    # shellcheck disable=SC2086
    $CC -std=c99 -pedantic -Wall -Wextra -Werror -o "$TMP/seed-$m" tests/integration/seed_api.c \
        $flags >"$TMP/cc-$m.log" 2>&1
    check "$m: the seed-API program compiles (-std=c99 -pedantic -Werror)" test -x "$TMP/seed-$m"
    [ -x "$TMP/seed-$m" ] || cat "$TMP/cc-$m.log" "$TMP/install-$m.log"
    if [ -x "$TMP/seed-$m" ]; then
        "$TMP/seed-$m" >"$TMP/seed-$m.out" 2>&1
        rc=$?
        count_lines "$m" "$TMP/seed-$m.out"
        check "$m: the seed-API program exits 0 (all its checks held)" test "$rc" = 0
    fi

    # shellcheck disable=SC2086
    $CC -std=c99 -pedantic -Wall -Wextra -Werror -o "$TMP/pid-$m" "$TMP/pid_form.c" $flags \
        >"$TMP/ccpid-$m.log" 2>&1
    check "$m: zmalloc_get_private_dirty(pid) still compiles" test -x "$TMP/pid-$m"
    [ -x "$TMP/pid-$m" ] || cat "$TMP/ccpid-$m.log"

    # From C++: the header gives C linkage, and its inline forms compile as C++ (g++ comes with
    # build-essential, which make deps installs).
    # shellcheck disable=SC2086
    g++ -Wall -Wextra -Werror -o "$TMP/cxx-$m" "$TMP/cxx.cpp" $flags >"$TMP/cxx-$m.log" 2>&1
    check "$m: a C++ program compiles and links against zmalloc.h" test -x "$TMP/cxx-$m"
    [ -x "$TMP/cxx-$m" ] || cat "$TMP/cxx-$m.log"
    check "$m: the C++ program's count comes back to the byte" "$TMP/cxx-$m"
    # Four reads a moment apart of an idle process: each > 0, and within 1 MiB of each other.
    out=$("$TMP/pid-$m" 2>/dev/null)
    check "$m: private dirty by pid, by -1 and with no argument agree ($out)" \
        sh -c "echo '$out' | awk '{ lo = \$1; hi = \$1; for (i = 2; i <= 4; i++) {
            if (\$i < lo) lo = \$i; if (\$i > hi) hi = \$i }
            exit !(NF == 4 && lo > 0 && hi - lo <= 1048576) }'"
done

summary
