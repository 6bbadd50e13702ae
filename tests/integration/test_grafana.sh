#!/bin/sh
# test_grafana.sh — contrib/grafana/zmem.json against a running zmem: the file is a Grafana
# dashboard (JSON that jq parses, schemaVersion >= 36, the data source a DS_PROMETHEUS variable
# every panel uses, an instance variable), every redis_*/zmem_* name in its PromQL (panel
# expressions and variable queries) is a series zmem's /metrics serves (the missing ones named),
# promtool parses every expression, and a real Prometheus scraping zmem answers every panel
# query with data. Without jq, promtool or prometheus outside CI those checks are skipped and
# counted; under CI=true a missing tool fails.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

DASH=contrib/grafana/zmem.json
TMP=$(mktemp -d)
PROM_PID=
SKIPPED=0
cleanup() {
    if [ -n "$PROM_PID" ]; then
        kill "$PROM_PID" 2>/dev/null
        wait "$PROM_PID" 2>/dev/null
    fi
    stop_server
    rm -rf "$TMP"
}
trap cleanup EXIT
# A signal (a closed pipe included) ends the script through exit, so the EXIT trap still runs.
trap 'exit 1' HUP INT PIPE TERM
random_port() { echo $(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 )); }

# need TOOL: 0 when TOOL is here; else a failure under CI=true, a counted skip otherwise.
need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "${CI:-}" = true ]; then
        FAILED=$((FAILED + 1))
        echo "FAIL $1 is not installed (CI=true: .ci/deps installs it)"
    else
        SKIPPED=$((SKIPPED + 1))
        echo "SKIP checks that need $1: it is not installed (make deps installs it)"
    fi
    return 1
}

finish() {
    echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
    [ "$FAILED" -eq 0 ]
    exit
}

need jq || finish

# ---- The file is a Grafana dashboard.
check "zmem.json parses (jq)" jq -e . "$DASH"
check "schemaVersion >= 36" jq -e '.schemaVersion >= 36' "$DASH"
check "title, uid, time range" jq -e '(.title | length > 0) and (.uid | length > 0) and .time.from' "$DASH"
check "variable DS_PROMETHEUS: a prometheus data source" jq -e \
    '[.templating.list[] | select(.name == "DS_PROMETHEUS" and .type == "datasource"
      and .query == "prometheus")] | length == 1' "$DASH"
check "variable instance: label_values over redis_up, multi, from DS_PROMETHEUS" jq -e \
    '[.templating.list[] | select(.name == "instance" and .type == "query" and .multi
      and (.definition | test("label_values\\(redis_up, *instance\\)"))
      and .datasource.uid == "${DS_PROMETHEUS}")] | length == 1' "$DASH"
check "every panel and target uses \${DS_PROMETHEUS}" jq -e \
    '[.panels[] | select(.type != "row") | .datasource.uid, .targets[].datasource.uid]
     | all(. == "${DS_PROMETHEUS}")' "$DASH"
check "every panel filters on \$instance" jq -e \
    '[.panels[] | select(.type != "row") | .targets[].expr | test("instance=~\"\\$instance\"")]
     | all' "$DASH"
check "panel ids unique" jq -e '[.panels[].id] | length == (unique | length)' "$DASH"
check "panels inside the 24-column grid" jq -e \
    '[.panels[].gridPos | .x >= 0 and .w > 0 and .x + .w <= 24 and .h > 0] | all' "$DASH"
check "every target has a refId and an expr" jq -e \
    '[.panels[] | select(.type != "row") | .targets[] | (.refId | length > 0) and (.expr | length > 0)]
     | all' "$DASH"
for want in 'redis_memory_used_bytes' 'redis_memory_max_bytes' 'redis_memory_used_rss_bytes' \
    'redis_memory_used_peak_bytes' 'redis_mem_fragmentation_ratio' 'redis_allocator_frag_ratio' \
    'redis_memory_used_private_dirty_bytes' 'redis_connected_clients' 'redis_db_keys' \
    'redis_commands_processed_total' 'redis_keyspace_hits_total' 'redis_evicted_keys_total' \
    'redis_expired_keys_total' 'redis_lazyfree_pending_objects'; do
    check "a panel plots $want" jq -e --arg m "$want" \
        '[.panels[].targets[]?.expr | test("(^|[^a-z_])" + $m + "($|[^a-z_])")] | any' "$DASH"
done

# names FILE: every redis_*/zmem_* identifier in the dashboard's PromQL, one per line.
names() {
    jq -r '.. | objects | (.expr?, .definition?) | strings
           | scan("(?<![A-Za-z0-9_:])(?:redis|zmem)_[A-Za-z0-9_:]+")' "$1" | sort -u
}
# missing DASHBOARD SERIES: the names of DASHBOARD not in the SERIES list.
missing() {
    names "$1" | while IFS= read -r n; do grep -qx "$n" "$2" || echo "$n"; done
}

# ---- Every name is one zmem serves: scrape a server with a maxmemory and some data.
for _try in 1 2 3; do
    MPORT=$(random_port)
    start_server --metrics-port "$MPORT" --maxmemory 256mb >"$TMP/start" && break
done
[ -n "$SERVER_PID" ] || { cat "$TMP/start"; exit 1; }
trap cleanup EXIT
CLI="redis-cli -p $PORT"
$CLI set grafana:k v >/dev/null
$CLI set grafana:ttl v EX 300 >/dev/null
curl -s --max-time 5 "http://127.0.0.1:$MPORT/metrics" >"$TMP/metrics"
grep -v '^#' "$TMP/metrics" | sed 's/[{ ].*//' | sort -u >"$TMP/series"
names "$DASH" >"$TMP/names"
missing "$DASH" "$TMP/series" >"$TMP/missing"
check "scraped /metrics ($(wc -l <"$TMP/series") series)" grep -qx redis_up "$TMP/series"
check "the dashboard's PromQL names $(wc -l <"$TMP/names") series" test "$(wc -l <"$TMP/names")" -ge 20
check "every series the dashboard queries is served by /metrics" test ! -s "$TMP/missing"
[ -s "$TMP/missing" ] && { echo "  not served by zmem:"; sed 's/^/    /' "$TMP/missing"; }
# The comparison itself catches a name zmem does not serve.
jq '.panels[1].targets[0].expr += " + redis_no_such_series"' "$DASH" >"$TMP/bad.json"
missing "$TMP/bad.json" "$TMP/series" >"$TMP/missing.bad"
check "a dashboard naming redis_no_such_series is caught" grep -qx redis_no_such_series "$TMP/missing.bad"

# exprs FILE: each PromQL expression with Grafana's variables filled in, one per line.
exprs() {
    jq -r '.panels[] | select(.type != "row") | .targets[].expr' "$1" |
        sed -e 's/\$__rate_interval/5s/g' -e 's/\$instance/.+/g'
}

# ---- promtool parses every expression (as recording rules).
if need promtool; then
    {
        echo "groups:"
        echo "  - name: zmem_dashboard"
        echo "    rules:"
        exprs "$DASH" | awk '{ gsub(/\x27/, "\x27\x27"); printf "      - record: panel_%d\n        expr: \x27%s\x27\n", NR, $0 }'
    } >"$TMP/rules.yml"
    promtool check rules "$TMP/rules.yml" >"$TMP/promtool.out" 2>&1
    check "promtool: every expression parses ($(exprs "$DASH" | wc -l) of them)" \
        grep -q "SUCCESS: $(exprs "$DASH" | wc -l) rules found" "$TMP/promtool.out"
    grep -q SUCCESS "$TMP/promtool.out" || cat "$TMP/promtool.out"
    printf 'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: "rate(redis_up[5s]"\n' \
        >"$TMP/bad.yml"
    check "promtool: a broken expression is caught" sh -c "! promtool check rules '$TMP/bad.yml'"
fi

# ---- A real Prometheus scraping zmem every second answers every panel's query with data.
if need prometheus; then
    PPORT=$(random_port)
    cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: zmem
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
    : >"$TMP/up"
    for _attempt in 1 2 3; do
        rm -rf "$TMP/tsdb"
        prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
            --web.listen-address="127.0.0.1:$PPORT" >"$TMP/prometheus.log" 2>&1 &
        PROM_PID=$!
        i=0
        while [ $i -lt 150 ] && kill -0 "$PROM_PID" 2>/dev/null; do
            curl -s --max-time 2 "http://127.0.0.1:$PPORT/api/v1/query?query=up" >"$TMP/up" 2>/dev/null
            grep -q '"value":\[[0-9.]*,"1"\]' "$TMP/up" && break
            sleep 0.2
            i=$((i + 1))
        done
        kill -0 "$PROM_PID" 2>/dev/null && break
        wait "$PROM_PID" 2>/dev/null
        PROM_PID=
        PPORT=$(random_port)
    done
    check "prometheus: up == 1" grep -q '"value":\[[0-9.]*,"1"\]' "$TMP/up"
    # Traffic over 4 s of scrapes, so that every rate() (5 s window) has two samples: hits,
    # misses and sets.
    i=0
    while [ $i -lt 20 ]; do
        $CLI get grafana:k >/dev/null
        $CLI get grafana:none >/dev/null
        $CLI set "grafana:n:$i" v >/dev/null
        sleep 0.2
        i=$((i + 1))
    done
    n=0
    exprs "$DASH" >"$TMP/exprs"
    while IFS= read -r e; do
        n=$((n + 1))
        curl -s --max-time 5 -G "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$e" \
            >"$TMP/q$n.json"
        check "prometheus answers with data: $e" \
            jq -e '.status == "success" and (.data.result | length > 0)' "$TMP/q$n.json"
    done <"$TMP/exprs"
fi

finish
