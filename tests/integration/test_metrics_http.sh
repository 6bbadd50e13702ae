#!/bin/sh
# test_metrics_http.sh — the Prometheus endpoint (--metrics-port) through real clients: curl for
# routes, statuses and headers, promtool on the body, its numbers against INFO, a Prometheus
# server scraping it, and the start-up refusals (non-loopback metrics-bind, port taken).
# Byte-level cases (connection cap, deadlines, memory at exit) are in test_metrics_http.c.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
require_all redis-cli curl

TMP=$(mktemp -d)
PROM_PID=
cleanup() { # lib.sh's exit trap calls it, then stops the server
    [ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
    rm -rf "$TMP"
}

# A metrics port of its own; another one if that was taken.
started=
for _try in 1 2 3; do
    MPORT=$(random_port)
    start_server --metrics-port "$MPORT" >"$TMP/start" && { started=1; break; }
done
[ -n "$started" ] || { cat "$TMP/start"; exit 1; }
CLI="redis-cli -p $PORT"
URL="http://127.0.0.1:$MPORT"

# status URL [curl options...]: the HTTP status code only (000 when the connection failed).
status() {
    u=$1; shift
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$u"
}

$CLI set secret:key:1 v1 >/dev/null
$CLI set secret:key:2 v2 >/dev/null

# ---- GET /metrics: 200, the exposition content type, a body promtool accepts.
code=$(curl -s -D "$TMP/hdr" -o "$TMP/metrics" -w '%{http_code}' --max-time 5 "$URL/metrics")
used=$($CLI info memory | tr -d '\r' | sed -n 's/^used_memory://p')
tr -d '\r' <"$TMP/hdr" >"$TMP/hdr.lf"
check "GET /metrics: 200" test "$code" = 200
check "GET /metrics: Content-Type text/plain; version=0.0.4; charset=utf-8" \
    grep -qix 'Content-Type: text/plain; version=0.0.4; charset=utf-8' "$TMP/hdr.lf"
requires promtool
check "GET /metrics: promtool check metrics" sh -c "promtool check metrics <'$TMP/metrics'"
end_requires
check "GET /metrics: redis_up 1" grep -qx 'redis_up 1' "$TMP/metrics"
check "GET /metrics: HELP and TYPE of redis_up" \
    sh -c "grep -q '^# HELP redis_up ' '$TMP/metrics' && grep -qx '# TYPE redis_up gauge' '$TMP/metrics'"
check "GET /metrics: redis_db_keys{db=\"db0\"} 2" grep -qx 'redis_db_keys{db="db0"} 2' "$TMP/metrics"
check "GET /metrics: instance_info names the RESP port" \
    grep -q "^redis_instance_info{.*tcp_port=\"$PORT\"" "$TMP/metrics"
check "GET /metrics: commands_total{cmd=\"set\"} 2" \
    grep -qx 'redis_commands_total{cmd="set"} 2' "$TMP/metrics"
prom_used=$(sed -n 's/^redis_memory_used_bytes //p' "$TMP/metrics")
# One scrape and one INFO a moment apart, over different connections: 2% plus 16 KiB.
check "GET /metrics: redis_memory_used_bytes ~ INFO used_memory ($prom_used vs $used)" \
    awk -v a="$prom_used" -v b="$used" \
    'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && d <= b * 0.02 + 16384) }'
check "GET /metrics: no key names in the output" sh -c "! grep -q 'secret' '$TMP/metrics'"

# ---- HEAD, /health, query strings, other paths and methods.
curl -s -I --max-time 5 "$URL/metrics" | tr -d '\r' >"$TMP/head"
check "HEAD /metrics: 200" grep -q '^HTTP/1.1 200' "$TMP/head"
check "HEAD /metrics: Content-Length of the body" grep -Eq '^Content-Length: [0-9]{4,}$' "$TMP/head"
check "HEAD /metrics: no body" \
    test "$(curl -s -I --max-time 5 -w '%{size_download}' -o /dev/null "$URL/metrics")" = 0
check "GET /health: ok" test "$(curl -s --max-time 5 "$URL/health")" = ok
check "GET /metrics?target=...: query ignored" sh -c \
    "curl -s --max-time 5 '$URL/metrics?target=10.0.0.1:6379&name[]=x' | grep -qx 'redis_up 1'"
check "GET /nope: 404" test "$(status "$URL/nope")" = 404
check "GET /: 200 (the dashboard, test_dashboard.sh)" test "$(status "$URL/")" = 200
check "GET /metrics/: 404" test "$(status "$URL/metrics/")" = 404
check "POST /metrics: 405" test "$(status "$URL/metrics" -X POST)" = 405
check "POST /metrics -d x: 405" test "$(status "$URL/metrics" -d x)" = 405
check "PUT /health: 405" test "$(status "$URL/health" -X PUT)" = 405
check "POST /metrics: Allow: GET, HEAD" sh -c \
    "curl -s -D - -o /dev/null -X POST --max-time 5 '$URL/metrics' | tr -d '\r' | grep -qx 'Allow: GET, HEAD'"

# ---- DNS rebinding: the Host must name this machine.
check "Host: evil.example: 403" test "$(status "$URL/metrics" -H 'Host: evil.example')" = 403
check "Host: evil.example:$MPORT: 403" test "$(status "$URL/metrics" -H "Host: evil.example:$MPORT")" = 403
check "Host: localhost.evil.example: 403" \
    test "$(status "$URL/metrics" -H 'Host: localhost.evil.example')" = 403
check "absolute target on another host: 403" \
    test "$(status "$URL/metrics" --request-target 'http://evil.example/metrics')" = 403
check "Host: localhost:$MPORT: 200" test "$(status "$URL/metrics" -H "Host: localhost:$MPORT")" = 200
check "Host: [::1]: 200" test "$(status "$URL/health" -H 'Host: [::1]')" = 200

# ---- Limits: more than 8 KiB of headers is refused (4xx) or the connection closed.
big=$(head -c 9000 /dev/zero | tr '\0' a)
code=$(status "$URL/metrics" -H "X-Big: $big")
check "9000-byte header: refused ($code)" \
    sh -c "[ '$code' = 000 ] || [ '$code' -ge 400 -a '$code' -lt 500 ]"
head -c 5000 /dev/zero | tr '\0' a >"$TMP/body"
check "5000-byte body: 413" test "$(status "$URL/metrics" --data-binary "@$TMP/body")" = 413
check "RESP still serves" test "$($CLI ping)" = PONG

# ---- A real Prometheus (2.x, Debian's) scraping every second; up == 1 within 30 s (its start
# takes a few seconds on a loaded machine).
if requires prometheus; then
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
    # Up to 3 ports: Prometheus exits at once when another process holds its web port.
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
        echo "prometheus exited (port $PPORT taken?); another port"
        PPORT=$(random_port)
    done
    grep -q '"job":"zmem".*"value":\[[0-9.]*,"1"\]' "$TMP/up" ||
        { echo "prometheus said:"; cat "$TMP/up"; echo; tail -n 5 "$TMP/prometheus.log"; }
    curl -s --max-time 2 "http://127.0.0.1:$PPORT/api/v1/query?query=redis_memory_used_bytes" >"$TMP/mem"
    kill "$PROM_PID" 2>/dev/null
    wait "$PROM_PID" 2>/dev/null
    PROM_PID=
fi
check "prometheus: up == 1" grep -q '"job":"zmem".*"value":\[[0-9.]*,"1"\]' "$TMP/up"
check "prometheus: redis_memory_used_bytes stored" grep -q '"value":\[[0-9.]*,"[1-9][0-9]*"\]' "$TMP/mem"
end_requires

# ---- Start-up refusals, each with its own message and exit status 1 (port 0: no RESP port).
run_refused() {
    timeout 5 "$ZMEM_SERVER" --port 0 "$@" >"$TMP/refused" 2>&1
}
run_refused --metrics-port "$(random_port)" --metrics-bind 0.0.0.0
check "metrics-bind 0.0.0.0: exit 1" test $? = 1
check "metrics-bind 0.0.0.0: says why" \
    grep -q 'Refusing to serve /metrics on 0.0.0.0: not a loopback address' "$TMP/refused"
run_refused --metrics-port "$(random_port)" --metrics-bind ::
check "metrics-bind ::: exit 1" test $? = 1
run_refused --metrics-port "$(random_port)" --metrics-bind localhost
check "metrics-bind localhost (a name): exit 1" test $? = 1
run_refused --metrics-port "$MPORT"
check "metrics port taken: exit 1" test $? = 1
check "metrics port taken: says why" grep -q \
    "Could not create the /metrics listening socket 127.0.0.1:$MPORT: Address already in use" "$TMP/refused"
check "--help: metrics-bind says loopback only" \
    sh -c "'$ZMEM_SERVER' --help | grep -q 'metrics-bind.*loopback only'"
check "CONFIG GET metrics-bind" test "$($CLI config get metrics-bind | tail -n 1)" = 127.0.0.1

summary
