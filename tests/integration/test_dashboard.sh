#!/bin/sh
# test_dashboard.sh — the dashboard (GET / on --metrics-port) in a real browser: Debian's
# chromium, headless, on loopback. curl first checks the routes (/, /info, /doctor: statuses,
# types, the page's security policy, nothing to fetch from elsewhere). Then chromium loads the
# page, runs it for a few seconds of virtual time and dumps its DOM: the page must be live, with
# no script error and no console message, three charts drawn, and every chart must carry exactly
# the samples MEMORY HISTORY returns for the span it plotted (count, sum, last values). Last, a
# 1280x900 screenshot, kept as $BUILD/dashboard.png. Without chromium the browser part is
# skipped and counted, unless CI=true, where that is a failure.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
: "${BUILD:=build}"

TMP=$(mktemp -d)
cleanup() {
    stop_server
    rm -rf "$TMP"
}
random_port() { echo $(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 )); }
SKIPPED=0
skip() {
    SKIPPED=$((SKIPPED + 1))
    echo "SKIP $1"
}
finish() {
    [ "$SKIPPED" -gt 0 ] && echo "$SKIPPED skipped"
    summary
    exit
}

for _try in 1 2 3; do
    MPORT=$(random_port)
    start_server --metrics-port "$MPORT" >"$TMP/start" && break
done
trap cleanup EXIT
[ -n "$SERVER_PID" ] || { cat "$TMP/start"; exit 1; }
CLI="redis-cli -p $PORT"
URL="http://127.0.0.1:$MPORT"

# Some keys, so that the keys line is not flat at 0.
i=0; while [ $i -lt 500 ]; do echo "SET key:$i value:$i"; i=$((i + 1)); done | $CLI >/dev/null

# ---- The routes, through curl.
if command -v curl >/dev/null; then
    code=$(curl -s -D "$TMP/hdr" -o "$TMP/page.html" -w '%{http_code}' --max-time 5 "$URL/")
    tr -d '\r' <"$TMP/hdr" >"$TMP/hdr.lf"
    check "GET /: 200" test "$code" = 200
    check "GET /: text/html" grep -qi '^content-type: text/html; charset=utf-8$' "$TMP/hdr.lf"
    check "GET /: security policy allows this origin only" \
        grep -qi "^content-security-policy: default-src 'none';.* connect-src 'self';" "$TMP/hdr.lf"
    check "GET /: a whole HTML document" grep -q '^</html>$' "$TMP/page.html"
    check "GET /: uPlot and the page's script are inlined" \
        sh -c "grep -q 'var uPlot=' '$TMP/page.html' && grep -q 'async function refresh' '$TMP/page.html'"
    check "GET /: no script or stylesheet to fetch" \
        sh -c "! grep -Eqi '<script[^>]* src=|<link[^>]* href=\"[^d]' '$TMP/page.html'"
    len=$(curl -s -I --max-time 5 "$URL/" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Ll]ength: //p')
    check "HEAD /: the page's Content-Length" test "$len" = "$(wc -c <"$TMP/page.html")"
    check "POST /: 405" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/")" = 405
    check "GET /index.html: 404" test "$(curl -s -o /dev/null -w '%{http_code}' "$URL/index.html")" = 404

    code=$(curl -s -D "$TMP/hdr" -o "$TMP/info" -w '%{http_code}' --max-time 5 "$URL/info")
    check "GET /info: 200 text/plain" sh -c "test $code = 200 && grep -qi '^content-type: text/plain' '$TMP/hdr'"
    # Section by section as INFO renders it; the figures move, so names are compared.
    tr -d '\r' <"$TMP/info" | sed 's/:.*//' >"$TMP/info.names"
    $CLI info | tr -d '\r' | sed 's/:.*//' >"$TMP/cli.names"
    check "GET /info: INFO's default sections and fields" cmp -s "$TMP/info.names" "$TMP/cli.names"
    check "GET /info: CRLF lines as INFO" grep -q "$(printf '^used_memory:[0-9]*\r$')" "$TMP/info"
    check "GET /doctor: MEMORY DOCTOR's text" \
        test "$(curl -s --max-time 5 "$URL/doctor")" = "$($CLI memory doctor)"
    check "POST /doctor: 405" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/doctor")" = 405
else
    skip "route checks: curl is not installed"
fi

# ---- The page in chromium.
CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ]; then
    if [ "$CI" = true ]; then
        FAILED=$((FAILED + 1))
        echo "FAIL chromium is not installed (CI=true: apt-get install chromium)"
    else
        skip "browser checks: chromium is not installed (apt-get install chromium)"
    fi
    finish
fi

# chromium [args...]: headless on a profile of its own, nothing but loopback traffic; its log
# (console messages included) goes to $TMP/chromium.log.
chromium_run() {
    profile=$(mktemp -d)
    timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update --disable-sync \
        --disable-extensions --user-data-dir="$profile" --enable-logging=stderr --v=0 \
        "$@" 2>"$TMP/chromium.log"
    rc=$?
    rm -rf "$profile"
    return $rc
}

# A few seconds of history first: the charts need more than one point.
i=0
while [ $i -lt 100 ]; do
    n=$($CLI memory history 2>/dev/null | grep -c '^timestamp_ms$')
    [ "${n:-0}" -ge 3 ] && break
    sleep 0.1
    i=$((i + 1))
done
check "MEMORY HISTORY has 3 samples within 10 s" test "${n:-0}" -ge 3

# Four refreshes of virtual time, then the DOM as the page left it.
chromium_run --window-size=1280,900 --virtual-time-budget=4000 --dump-dom "$URL/" >"$TMP/dom.html"
check "chromium: --dump-dom exits 0" test $? = 0
# COUNT 3600 (the default ring): every sample since the server started, whatever the default.
$CLI memory history count 3600 >"$TMP/history"

body=$(grep -o '<body[^>]*>' "$TMP/dom.html")
# attr TAG NAME: the value of attribute NAME in the tag text TAG.
attr() { printf '%s' "$1" | sed -n "s/.* $2=\"\([^\"]*\)\".*/\1/p"; }
check "page: live (every refresh answered)" test "$(attr "$body" data-state)" = live
check "page: no failed refresh" test "$(attr "$body" data-fetch-errors)" = 0
check "page: no script error" test "$(attr "$body" data-js-errors)" = 0
check "page: error list empty" grep -q '<ul id="errors" hidden=""></ul>' "$TMP/dom.html"
if grep -q ':CONSOLE' "$TMP/chromium.log"; then
    echo "console said:"
    grep ':CONSOLE' "$TMP/chromium.log"
fi
check "page: no console message" sh -c "! grep -q ':CONSOLE' '$TMP/chromium.log'"
version=$($CLI info server | tr -d '\r' | sed -n 's/^zmem_version://p')
check "page: title names version and port" \
    grep -q "<title>zmem $version · 127.0.0.1:$PORT</title>" "$TMP/dom.html"
check "page: three charts drawn" test "$(grep -o '<canvas' "$TMP/dom.html" | wc -l)" -ge 3
check "page: current figures" grep -q '<div class="name">Used memory</div>' "$TMP/dom.html"
check "page: doctor text" grep -q "<pre id=\"doctor\">$($CLI memory doctor | head -n 1 | cut -c1-40)" \
    "$TMP/dom.html"
check "page: INFO memory text" grep -q 'used_memory_peak_perc:' "$TMP/dom.html"

# same_as_history CHART-TAG: the chart's data- attributes against MEMORY HISTORY ($TMP/history,
# redis-cli's flat lines: field, value, field, value... sample after sample). The samples whose
# timestamp_ms lies in [data-first-ts, data-last-ts] must be data-points many, sum to data-sum
# in the first field, and the last must hold data-last in every field.
same_as_history() {
    awk -v fields="$(attr "$1" data-fields)" -v first="$(attr "$1" data-first-ts)" \
        -v last="$(attr "$1" data-last-ts)" -v points="$(attr "$1" data-points)" \
        -v lastvals="$(attr "$1" data-last)" -v want_sum="$(attr "$1" data-sum)" '
        function near(a, b) { d = a - b; if (d < 0) d = -d; m = (a < 0 ? -a : a);
                              return d <= 1e-9 * (m > 1 ? m : 1) }
        { line[NR] = $0; if ($0 == "timestamp_ms") n++ }
        END {
            if (n == 0 || NR % n != 0 || points == "" || points < 2) {
                print "no samples to compare (history " n ", page " points ")"; exit 1 }
            per = NR / n; nf = split(fields, F, ","); split(lastvals, V, ",")
            for (r = 0; r < n; r++) {
                delete s
                for (i = 1; i < per; i += 2) s[line[r * per + i]] = line[r * per + i + 1]
                ts = s["timestamp_ms"] + 0
                if (ts < first + 0 || ts > last + 0) continue
                count++; sum += s[F[1]]
                if (ts != last + 0) continue
                seen = 1
                for (j = 1; j <= nf; j++)
                    if (!(F[j] in s) || !near(s[F[j]] + 0, V[j] + 0)) {
                        print F[j] ": history " s[F[j]] ", page " V[j]; bad = 1 }
            }
            if (count != points) { print "points: history " count ", page " points; bad = 1 }
            if (!near(sum, want_sum + 0)) { print "sum of " F[1] ": history " sum ", page " want_sum; bad = 1 }
            if (!seen) { print "the last sample plotted is not in the history"; bad = 1 }
            exit bad
        }' "$TMP/history"
}
for chart in chart-memory chart-ratios chart-counts; do
    tag=$(grep -o "<div class=\"chart\" id=\"$chart\"[^>]*>" "$TMP/dom.html")
    check "$chart: element exists" test -n "$tag"
    same_as_history "$tag" || true
    check "$chart: plots what MEMORY HISTORY returns" same_as_history "$tag"
done

# The screenshot: a PNG of the page as a person sees it.
rm -f "$BUILD/dashboard.png"
chromium_run --window-size=1280,900 --virtual-time-budget=3000 --hide-scrollbars \
    --screenshot="$BUILD/dashboard.png" "$URL/" >/dev/null
check "screenshot: chromium exits 0" test $? = 0
check "screenshot: a PNG" sh -c "head -c 8 '$BUILD/dashboard.png' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"
check "screenshot: not blank" test "$(wc -c <"$BUILD/dashboard.png")" -gt 20000
echo "screenshot: $BUILD/dashboard.png"

stop_server
finish
