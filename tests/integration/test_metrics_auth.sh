#!/bin/sh
# test_metrics_auth.sh — the metrics listener behind a password: curl for every way in and out
# (401 with WWW-Authenticate, Basic as user default, Bearer), requirepass alone, metrics-password
# over it, CONFIG SET followed at once and refused when it would leave a non-loopback listener
# open, non-loopback binds (allowed only with a password; connections here stay on 127.0.0.1),
# TLS with a throw-away self-signed certificate (curl --cacert), and a real Prometheus scraping
# over TLS with basic_auth and a Bearer credential.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

TMP=$(mktemp -d)
PROM_PID=
FILE_PID=
IDLE_PIDS=
cleanup() {
    [ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
    [ -n "$FILE_PID" ] && kill "$FILE_PID" 2>/dev/null && wait "$FILE_PID" 2>/dev/null
    for p in $IDLE_PIDS; do kill "$p" 2>/dev/null; done
    stop_server
    rm -rf "$TMP"
}
trap cleanup EXIT
random_port() { echo $(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 )); }

# start ARGS...: a server with a metrics port of its own (another one if that was taken); lib.sh's
# trap is replaced by ours, which also stops Prometheus and removes TMP.
start() {
    for _try in 1 2 3; do
        MPORT=$(random_port)
        start_server --metrics-port "$MPORT" "$@" >"$TMP/start" && break
    done
    trap cleanup EXIT
    [ -n "$SERVER_PID" ] || { cat "$TMP/start"; exit 1; }
    URL="http://127.0.0.1:$MPORT"
}

# run_refused ARGS...: a server expected to refuse to start (port 0: no RESP port); 5 s, times
# ZMEM_TEST_SLOW under make valgrind, where loading a certificate and key is far slower.
run_refused() {
    timeout $((5 * ${ZMEM_TEST_SLOW:-1})) "$ZMEM_SERVER" --port 0 "$@" >"$TMP/refused" 2>&1
}

# status URL [curl options...]: the HTTP status code only (000 when the connection failed).
status() {
    u=$1; shift
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$u"
}

# ---- requirepass alone guards the listener (loopback bind).
start --requirepass 'rp 1'
CLI="redis-cli -p $PORT --no-auth-warning -a"
check "requirepass: no Authorization: 401" test "$(status "$URL/metrics")" = 401
curl -s -D "$TMP/hdr" -o "$TMP/body" --max-time 5 "$URL/metrics"
tr -d '\r' <"$TMP/hdr" >"$TMP/hdr.lf"
check "requirepass: 401 says WWW-Authenticate: Basic realm=\"zmem\"" \
    grep -qx 'WWW-Authenticate: Basic realm="zmem"' "$TMP/hdr.lf"
check "requirepass: 401 body has no metrics" sh -c "! grep -q redis_ '$TMP/body'"
check "requirepass: Basic default:rp 1: 200" test "$(status "$URL/metrics" -u 'default:rp 1')" = 200
check "requirepass: Basic body is the metrics" \
    sh -c "curl -s --max-time 5 -u 'default:rp 1' '$URL/metrics' | grep -qx 'redis_up 1'"
check "requirepass: Bearer rp 1: 200" \
    test "$(status "$URL/metrics" -H 'Authorization: Bearer rp 1')" = 200
check "requirepass: wrong password: 401" test "$(status "$URL/metrics" -u 'default:rp 2')" = 401
check "requirepass: password prefix: 401" test "$(status "$URL/metrics" -u 'default:rp ')" = 401
check "requirepass: wrong user: 401" test "$(status "$URL/metrics" -u 'admin:rp 1')" = 401
check "requirepass: wrong Bearer: 401" \
    test "$(status "$URL/metrics" -H 'Authorization: Bearer rp 2')" = 401
check "requirepass: malformed Basic: 401" \
    test "$(status "$URL/metrics" -H 'Authorization: Basic %%%notbase64')" = 401
check "requirepass: scheme only: 401" test "$(status "$URL/metrics" -H 'Authorization: Basic')" = 401
check "requirepass: unknown scheme: 401" \
    test "$(status "$URL/metrics" -H 'Authorization: Digest rp 1')" = 401
check "requirepass: two Authorization headers: 401" \
    test "$(status "$URL/metrics" -H 'Authorization: Bearer rp 1' -H 'Authorization: Bearer rp 1')" = 401
check "requirepass: /health needs it too: 401" test "$(status "$URL/health")" = 401
check "requirepass: /health with it: 200" test "$(status "$URL/health" -u 'default:rp 1')" = 200
check "requirepass: HEAD without it: 401" test "$(status "$URL/metrics" -I)" = 401
check "requirepass: unknown path without it: 401" test "$(status "$URL/nope")" = 401
check "requirepass: unknown path with it: 404" test "$(status "$URL/nope" -u 'default:rp 1')" = 404
check "requirepass: POST with it: 405" test "$(status "$URL/metrics" -X POST -u 'default:rp 1')" = 405
check "requirepass: Host check still on (loopback bind): 403" \
    test "$(status "$URL/metrics" -u 'default:rp 1' -H 'Host: evil.example')" = 403
# A keep-alive scrape (as Prometheus does) answers at once: its ~18 KB body leaves in two writes,
# and Nagle held the second for the client's delayed ACK (40 ms) until TCP_NODELAY.
for _n in 1 2 3 4 5 6 7; do echo "url = \"$URL/metrics\""; echo "output = /dev/null"; done >"$TMP/urls"
ka=$(curl -s --max-time 10 -u 'default:rp 1' -w '%{time_total}\n' -K "$TMP/urls" | sed 1d | sort -n | sed -n 3p)
check "keep-alive scrapes: median ${ka}s, not held 40 ms by Nagle" \
    awk -v t="$ka" 'BEGIN { exit !(t != "" && t < 0.030) }'
# The listener reads the password in force on every request.
$CLI 'rp 1' config set requirepass rp2 >/dev/null
check "CONFIG SET requirepass: old password now 401" \
    test "$(status "$URL/metrics" -u 'default:rp 1')" = 401
check "CONFIG SET requirepass: new password 200" test "$(status "$URL/metrics" -u default:rp2)" = 200
$CLI rp2 config set metrics-password mp >/dev/null
check "CONFIG SET metrics-password: it wins over requirepass" \
    sh -c "[ $(status "$URL/metrics" -u default:mp) = 200 ] && [ $(status "$URL/metrics" -u default:rp2) = 401 ]"
$CLI rp2 config set metrics-password '' requirepass '' >/dev/null
check "CONFIG SET both empty on a loopback listener: open again, 200" \
    test "$(status "$URL/metrics")" = 200
check "RESP still serves" test "$(redis-cli -p "$PORT" ping)" = PONG
stop_server

# ---- metrics-password from the command line and a non-loopback bind (reached on 127.0.0.1).
start --metrics-bind 0.0.0.0 --metrics-password 'mp:1' --requirepass rp
CLI="redis-cli -p $PORT --no-auth-warning -a rp"
check "bind 0.0.0.0 with a password: starts" grep -q "Serving Prometheus metrics on http://0.0.0.0:$MPORT" "$SERVER_LOG"
check "bind 0.0.0.0: no Authorization: 401" test "$(status "$URL/metrics")" = 401
check "bind 0.0.0.0: Basic default:mp:1 (colon in the password): 200" \
    test "$(status "$URL/metrics" -u 'default:mp:1')" = 200
check "bind 0.0.0.0: requirepass is not the metrics password: 401" \
    test "$(status "$URL/metrics" -u default:rp)" = 401
check "bind 0.0.0.0: any Host name with the password: 200" \
    test "$(status "$URL/metrics" -u 'default:mp:1' -H 'Host: metrics.example:9121')" = 200
check "CONFIG GET metrics-password shows it (as requirepass does)" \
    test "$($CLI config get metrics-password | tail -n 1)" = 'mp:1'
$CLI config set requirepass '' >"$TMP/set" 2>&1
check "CONFIG SET requirepass '': fine, metrics-password stays" grep -qx OK "$TMP/set"
$CLI config set metrics-password '' >"$TMP/set" 2>&1
check "CONFIG SET metrics-password '': refused, the listener would be open to the network" \
    grep -q "metrics listener is bound to 0.0.0.0, not loopback, and would be left without a password" "$TMP/set"
check "... and the password still guards it" test "$(status "$URL/metrics")" = 401
$CLI config set requirepass x metrics-password '' >"$TMP/set" 2>&1
check "CONFIG SET requirepass x metrics-password '': fine (requirepass takes over)" grep -qx OK "$TMP/set"
check "... requirepass now guards the listener" test "$(status "$URL/metrics" -u default:x)" = 200
redis-cli -p "$PORT" --no-auth-warning -a x config set metrics-password '' requirepass '' >"$TMP/set" 2>&1
check "CONFIG SET of both to '' in one call: refused" grep -q "would be left without a password" "$TMP/set"
check "... and nothing changed" test "$(status "$URL/metrics" -u default:x)" = 200
stop_server

# ---- The config file, and :: (IPv6 any) with a password.
# lib.sh's start_server puts --port first, and a config file must be argv[1]: started here.
printf 'metrics-password "file pw"\n' >"$TMP/zmem.conf"
for _try in 1 2 3; do
    MPORT=$(random_port)
    "$ZMEM_SERVER" "$TMP/zmem.conf" --port 0 --metrics-port "$MPORT" --metrics-bind :: \
        >"$TMP/file.log" 2>&1 &
    FILE_PID=$!
    i=0
    while [ $i -lt 100 ] && ! grep -q 'Serving Prometheus' "$TMP/file.log"; do
        kill -0 "$FILE_PID" 2>/dev/null || break
        sleep 0.05
        i=$((i + 1))
    done
    kill -0 "$FILE_PID" 2>/dev/null && break
    wait "$FILE_PID" 2>/dev/null
done
check "config file metrics-password, bind ::: 401 without it" \
    test "$(status "http://[::1]:$MPORT/metrics")" = 401
check "config file metrics-password, bind ::: 200 with it" \
    test "$(status "http://[::1]:$MPORT/metrics" -u 'default:file pw')" = 200
kill "$FILE_PID" 2>/dev/null
wait "$FILE_PID" 2>/dev/null
FILE_PID=

# ---- Without a password a non-loopback bind still refuses to start, and says why.
run_refused --metrics-port "$(random_port)" --metrics-bind 0.0.0.0
check "bind 0.0.0.0 without a password: exit 1" test $? = 1
check "bind 0.0.0.0 without a password: says why" \
    grep -q 'Refusing to serve /metrics on 0.0.0.0: not a loopback address, and no password is set' "$TMP/refused"
run_refused --metrics-port "$(random_port)" --metrics-bind :: --requirepass ''
check "bind :: with an empty requirepass: exit 1" test $? = 1

# ---- TLS: a throw-away self-signed certificate for localhost and 127.0.0.1.
HAVE_TLS=
if command -v openssl >/dev/null 2>&1 &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
        -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1' \
        -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >"$TMP/openssl.log" 2>&1 &&
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMP/other.pem" \
        >>"$TMP/openssl.log" 2>&1; then
    HAVE_TLS=1
else
    echo "skip TLS checks: the openssl CLI is missing or failed"; cat "$TMP/openssl.log" 2>/dev/null
fi
TLS_ARGS="--metrics-tls-cert-file $TMP/cert.pem --metrics-tls-key-file $TMP/key.pem"

if [ -n "$HAVE_TLS" ]; then
    # shellcheck disable=SC2086
    start $TLS_ARGS --metrics-password tpw
    URL="https://127.0.0.1:$MPORT"
    check "TLS: log says https" grep -q "Serving Prometheus metrics on https://127.0.0.1:$MPORT" "$SERVER_LOG"
    check "TLS: Basic with --cacert: 200" test "$(status "$URL/metrics" --cacert "$TMP/cert.pem" -u default:tpw)" = 200
    check "TLS: body is the metrics" \
        sh -c "curl -s --max-time 5 --cacert '$TMP/cert.pem' -u default:tpw '$URL/metrics' | grep -qx 'redis_up 1'"
    check "TLS: Bearer: 200" \
        test "$(status "$URL/health" --cacert "$TMP/cert.pem" -H 'Authorization: Bearer tpw')" = 200
    check "TLS: localhost in the certificate: 200" \
        test "$(status "https://localhost:$MPORT/health" --cacert "$TMP/cert.pem" -u default:tpw)" = 200
    check "TLS: no Authorization: 401" test "$(status "$URL/metrics" --cacert "$TMP/cert.pem")" = 401
    check "TLS: wrong password: 401" test "$(status "$URL/metrics" --cacert "$TMP/cert.pem" -u default:x)" = 401
    check "TLS: an untrusted certificate fails the client" test "$(status "$URL/metrics" -u default:tpw)" = 000
    check "TLS: plain HTTP on the TLS port gets no answer" \
        test "$(status "http://127.0.0.1:$MPORT/metrics" -u default:tpw)" = 000
    check "TLS: two requests, one connection (keep-alive)" sh -c "curl -s --max-time 5 \
        --cacert '$TMP/cert.pem' -u default:tpw -o /dev/null -o /dev/null -w '%{num_connects}' \
        '$URL/health' '$URL/metrics' | grep -qx 10"
    # The connection cap and the request deadline hold with TLS: 16 silent connections, half
    # before the handshake (raw TCP), half after it, take every slot; a scrape waits in the
    # accept queue until the 5 s deadline closes them, then is served.
    IDLE_PIDS=
    used0=$(redis-cli -p "$PORT" info memory | tr -d '\r' | sed -n 's/^used_memory://p')
    for _n in 1 2 3 4 5 6 7 8; do
        curl -s --max-time 15 "telnet://127.0.0.1:$MPORT" </dev/null >/dev/null 2>&1 &
        IDLE_PIDS="$IDLE_PIDS $!"
        openssl s_client -connect "127.0.0.1:$MPORT" -ign_eof </dev/null >/dev/null 2>&1 &
        IDLE_PIDS="$IDLE_PIDS $!"
    done
    sleep 1
    # Idle TLS connections give their record buffers back (SSL_MODE_RELEASE_BUFFERS): ~18 KB
    # each after the handshake rather than ~58 KB.
    used1=$(redis-cli -p "$PORT" info memory | tr -d '\r' | sed -n 's/^used_memory://p')
    check "TLS: 16 idle connections cost $((used1 - used0)) bytes (< 320000)" \
        test $((used1 - used0)) -lt 320000
    t0=$(date +%s)
    code=$(status "$URL/metrics" --max-time 15 --cacert "$TMP/cert.pem" -u default:tpw)
    waited=$(($(date +%s) - t0))
    check "TLS: 16 silent connections fill the cap; a scrape waits ($waited s) and is served" \
        sh -c "[ '$code' = 200 ] && [ '$waited' -ge 2 ]"
    # Each connection's deadline runs from its own accept, and on a loaded machine the clients
    # start up to a second apart and notice the close late: wait up to 8 s for them to go.
    i=0
    while :; do
        left=0
        for p in $IDLE_PIDS; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
        [ "$left" = 0 ] || [ $i -ge $((40 * ZMEM_TEST_SLOW)) ] && break
        sleep 0.2
        i=$((i + 1))
    done
    check "TLS: the deadline closed all 16 silent connections ($left left)" test "$left" = 0
    for p in $IDLE_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    IDLE_PIDS=
    # OpenSSL allocates through zmalloc: its context shows in used_memory (plain: ~16 KB).
    used=$(redis-cli -p "$PORT" info memory | tr -d '\r' | sed -n 's/^used_memory://p')
    check "TLS: OpenSSL's memory is counted ($used bytes in use)" test "$used" -gt 100000
    check "RESP still serves" test "$(redis-cli -p "$PORT" ping)" = PONG
    # Stopped here rather than by stop_server, which removes the log before it can be read.
    kill "$SERVER_PID" && wait "$SERVER_PID"
    cp "$SERVER_LOG" "$TMP/tls-exit.log"
    stop_server
    check "TLS: used_memory at exit is 0" grep -q 'used_memory at exit: 0 bytes' "$TMP/tls-exit.log"

    # TLS without a password is fine on loopback (and open, as plain HTTP is).
    # shellcheck disable=SC2086
    start $TLS_ARGS
    check "TLS without a password on loopback: 200" \
        test "$(status "https://127.0.0.1:$MPORT/metrics" --cacert "$TMP/cert.pem")" = 200
    stop_server

    # shellcheck disable=SC2086
    run_refused --metrics-port "$(random_port)" --metrics-tls-cert-file "$TMP/cert.pem"
    check "TLS: a certificate without a key: exit 1" test $? = 1
    check "TLS: a certificate without a key: says why" \
        grep -q 'needs both metrics-tls-cert-file and metrics-tls-key-file' "$TMP/refused"
    run_refused --metrics-port "$(random_port)" --metrics-tls-cert-file "$TMP/nope.pem" \
        --metrics-tls-key-file "$TMP/key.pem"
    check "TLS: a missing certificate file: exit 1" test $? = 1
    check "TLS: a missing certificate file: says why" \
        grep -q "Could not load metrics-tls-cert-file '$TMP/nope.pem': No such file or directory" "$TMP/refused"
    run_refused --metrics-port "$(random_port)" --metrics-tls-cert-file "$TMP/cert.pem" \
        --metrics-tls-key-file "$TMP/other.pem"
    check "TLS: a key that does not match: exit 1" test $? = 1
    check "TLS: a key that does not match: says why" \
        grep -q "Could not load metrics-tls-key-file '$TMP/other.pem': .*key values mismatch" "$TMP/refused"
fi

# ---- A real Prometheus scraping with basic_auth and with a Bearer credential.
# prom_up JOB [VALUE]: wait (up to 30 s: Prometheus starts slowly on a loaded machine) until it
# says up == VALUE (1) for job JOB; its last answer is in $TMP/up.
prom_up() {
    i=0
    while [ $i -lt 150 ] && kill -0 "$PROM_PID" 2>/dev/null; do
        curl -s --max-time 2 "http://127.0.0.1:$PPORT/api/v1/query?query=up%7Bjob%3D%22$1%22%7D" \
            >"$TMP/up" 2>/dev/null
        grep -q "\"value\":\\[[0-9.]*,\"${2:-1}\"\\]" "$TMP/up" && return 0
        sleep 0.2
        i=$((i + 1))
    done
    echo "prometheus said:"; cat "$TMP/up"; echo; tail -n 5 "$TMP/prometheus.log"
    return 1
}

# start_prometheus: Prometheus on $TMP/prometheus.yml, up to 3 ports (it exits at once when
# another process holds its web port).
start_prometheus() {
    for _attempt in 1 2 3; do
        PPORT=$(random_port)
        rm -rf "$TMP/tsdb"
        prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
            --web.listen-address="127.0.0.1:$PPORT" >"$TMP/prometheus.log" 2>&1 &
        PROM_PID=$!
        i=0
        while [ $i -lt 150 ] && kill -0 "$PROM_PID" 2>/dev/null; do
            curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$PPORT/-/ready" && return 0
            sleep 0.2
            i=$((i + 1))
        done
        wait "$PROM_PID" 2>/dev/null
        PROM_PID=
        echo "prometheus exited (port $PPORT taken?); another port"
    done
    return 1
}

stop_prometheus() {
    kill "$PROM_PID" 2>/dev/null
    wait "$PROM_PID" 2>/dev/null
    PROM_PID=
}

if ! command -v prometheus >/dev/null 2>&1; then
    echo "skip prometheus checks: prometheus is not installed"
elif [ -z "$HAVE_TLS" ]; then
    echo "skip prometheus checks: no test certificate"
else
    # Bound to every address, as for a remote Prometheus; it scrapes 127.0.0.1 all the same.
    # shellcheck disable=SC2086
    start --metrics-bind 0.0.0.0 --metrics-password 'prom pw' $TLS_ARGS
    cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: basic
    scheme: https
    tls_config:
      ca_file: $TMP/cert.pem
    basic_auth:
      username: default
      password: 'prom pw'
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
  - job_name: bearer
    scheme: https
    tls_config:
      insecure_skip_verify: true
    authorization:
      type: Bearer
      credentials: 'prom pw'
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
  - job_name: noauth
    scheme: https
    tls_config:
      ca_file: $TMP/cert.pem
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
    if start_prometheus; then
        check "prometheus basic_auth + tls_config ca_file: up == 1" prom_up basic
        check "prometheus bearer + tls_config insecure_skip_verify: up == 1" prom_up bearer
        curl -s --max-time 2 "http://127.0.0.1:$PPORT/api/v1/query?query=redis_memory_used_bytes%7Bjob%3D%22basic%22%7D" >"$TMP/mem"
        check "prometheus basic_auth: redis_memory_used_bytes stored" \
            grep -q '"value":\[[0-9.]*,"[1-9][0-9]*"\]' "$TMP/mem"
        check "prometheus without credentials: up == 0" prom_up noauth 0
    else
        check "prometheus starts" false
    fi
    stop_prometheus
    stop_server
fi

summary
