#!/bin/sh
# check-deps — the dependency rules of the tree, checked on the sources themselves.
#
#   sh tests/check-deps.sh ROOT RULE...     check ROOT against the rules; exit 1 on a violation
#   sh tests/check-deps.sh --headers ROOT FOLDER...   check that each X.h declares what X.c defines
#   sh tests/check-deps.sh --self-test      show that a violation is caught and a clean tree passes
#
# A RULE is "FOLDER:USES", USES a space-separated list of folders whose headers FOLDER's files may
# include (the folder itself always may), plus the word "libevent" where <event2/...> is allowed.
# FOLDER may also name a single file (server/main.c). The Makefile owns the rules and passes them;
# its per-folder include paths make most violations fail to compile, and this check also catches
# what a path cannot: a header reached through a name that exists in two places, a relative
# include, libevent in a room that must not see it, and raw malloc/free outside zmalloc/.
set -u

# All "name.h" includes of one file, one per line.
includes() {
    sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1"
}

# The code of a file without comments or string literals (for the raw-allocation scan).
code_only() {
    # -fpreprocessed strips comments without expanding anything; strings are then blanked.
    cc -fpreprocessed -dD -E -P -x c "$1" 2>/dev/null | sed 's/"\([^"\\]\|\\.\)*"/""/g'
}

check() {
    root=$1
    shift
    bad=0
    for rule in "$@"; do
        folder=${rule%%:*}
        uses=${rule#*:}
        if [ -d "$root/$folder" ]; then
            files=$(ls "$root/$folder"/*.c "$root/$folder"/*.h 2>/dev/null)
            own="$folder"
        else
            files="$root/$folder"
            own=$(dirname "$folder")
        fi
        for f in $files; do
            [ -f "$f" ] || continue
            rel=${f#"$root"/}
            if grep -n '#include[[:space:]]*"\.\./' "$f" >/dev/null; then
                echo "check-deps: $rel: relative include (use the folder's include path)"
                bad=1
            fi
            for h in $(includes "$f"); do
                found=""
                for d in $own $uses; do
                    [ "$d" = libevent ] && continue
                    [ -f "$root/$d/$h" ] && found=$d
                done
                if [ -z "$found" ]; then
                    where=$(cd "$root" && ls */"$h" */*/"$h" 2>/dev/null | head -1)
                    echo "check-deps: $rel includes \"$h\"${where:+ ($where)}: $folder may use only: ${uses:-itself}"
                    bad=1
                fi
            done
            case " $uses " in
            *" libevent "*) ;;
            *)
                if grep -n '#include[[:space:]]*<event2/' "$f" >/dev/null; then
                    echo "check-deps: $rel includes libevent: $folder may not"
                    bad=1
                fi
                ;;
            esac
            case "$folder" in
            zmalloc*) ;;
            *)
                if code_only "$f" |
                    grep -nE '(^|[^_[:alnum:]>.])(malloc|calloc|realloc|free|strdup|strndup|posix_memalign|aligned_alloc)[[:space:]]*\(' \
                        >/dev/null; then
                    echo "check-deps: $rel calls the C allocator directly: use zmalloc.h"
                    bad=1
                fi
                ;;
            esac
        done
    done
    return $bad
}

# Functions a header declares (prototypes, not static inline bodies) and a .c defines (K&R:
# the name starts its line; static ones have "static" on the line before).
declared() {
    grep -hoE '^[A-Za-z_][A-Za-z0-9_ ]*[ *]+[a-z_][a-z0-9_]*\(' "$1" |
        grep -vE '^(static|typedef|return|extern) ' | sed -E 's/.*[ *]([a-z_0-9]+)\($/\1/' | sort -u
}
defined() {
    awk '/^[a-z_][a-z0-9_]*\(/ && prev !~ /static/ { sub(/\(.*/, ""); print } { prev = $0 }' "$1" |
        sort -u
}

# One header per module: in each FOLDER, X.h declares what X.c defines, and X.c defines
# nothing (not static) that X.h does not declare. A header without a .c (a table, inline
# helpers) and a .c without a header (a command file, main.c) are left alone.
check_headers() {
    root=$1
    shift
    bad=0
    for folder in "$@"; do
        for h in "$root/$folder"/*.h; do
            c=${h%.h}.c
            [ -f "$h" ] && [ -f "$c" ] || continue
            for f in $(declared "$h"); do
                defined "$c" | grep -qx "$f" && continue
                echo "check-deps: ${h#"$root"/} declares $f, which ${c#"$root"/} does not define"
                bad=1
            done
            for f in $(defined "$c"); do
                declared "$h" | grep -qx "$f" && continue
                echo "check-deps: ${c#"$root"/} defines $f, which ${h#"$root"/} does not declare"
                bad=1
            done
        done
    done
    return $bad
}

self_test() {
    t=$(mktemp -d)
    trap 'rm -rf "$t"' EXIT
    mkdir -p "$t/low" "$t/high"
    printf '#include "low.h"\nint x;\n' >"$t/high/high.c"
    printf 'int low(void);\n' >"$t/low/low.h"
    printf '#include "low.h"\nint low(void) { return 0; }\n' >"$t/low/low.c"
    printf 'int high(void);\n' >"$t/high/high.h"
    check "$t" "low:" "high:low" >/dev/null || { echo "check-deps self-test: a clean tree failed"; exit 1; }
    printf '#include "high.h"\n' >>"$t/low/low.c"
    out=$(check "$t" "low:" "high:low")
    case "$out" in
    *'low/low.c includes "high.h"'*) ;;
    *) echo "check-deps self-test: an upward include was not caught"; exit 1 ;;
    esac
    printf '#include "low.h"\n#include <stdlib.h>\nvoid f(void) { free(0); }\n' >"$t/low/low.c"
    out=$(check "$t" "low:" "high:low")
    case "$out" in
    *"low/low.c calls the C allocator"*) ;;
    *) echo "check-deps self-test: a raw free() was not caught"; exit 1 ;;
    esac
    printf '#include "low.h"\n#include <event2/event.h>\n' >"$t/low/low.c"
    out=$(check "$t" "low:" "high:low")
    case "$out" in
    *"low/low.c includes libevent"*) ;;
    *) echo "check-deps self-test: libevent in a forbidden folder was not caught"; exit 1 ;;
    esac
    printf 'int low(void);\nint other(void);\n' >"$t/low/low.h"
    printf '#include "low.h"\nint\nlow(void)\n{\n    return 0;\n}\n' >"$t/low/low.c"
    out=$(check_headers "$t" low)
    case "$out" in
    *"low/low.h declares other, which low/low.c does not define"*) ;;
    *) echo "check-deps self-test: a header declaring another file's function was not caught"; exit 1 ;;
    esac
    printf 'int low(void);\n' >"$t/low/low.h"
    check_headers "$t" low >/dev/null || { echo "check-deps self-test: a matching header failed"; exit 1; }
    echo "check-deps self-test: ok (an upward include, a raw free(), libevent and a header declaring another file's function are caught)"
}

if [ "${1:-}" = --self-test ]; then
    self_test
    exit 0
fi
if [ "${1:-}" = --headers ]; then
    shift
    root=$1
    shift
    check_headers "$root" "$@" && echo "check-deps: headers ok"
    exit
fi
root=$1
shift
if check "$root" "$@"; then
    echo "check-deps: ok"
else
    exit 1
fi
