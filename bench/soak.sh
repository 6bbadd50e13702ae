#!/bin/sh
# soak.sh — a long mixed load against zmem-server; numbers over time, not a test of replies.
#   * LOAD_WORKERS redis-benchmark loops, each round a random mix of commands, value size
#     (-d 16..4096), keyspace (-r), pipeline (-P) and client count, killed after a random
#     3..25 s so its connections drop mid-pipeline (random disconnects)
#   * an abrupt-close loop (perl): connections that send part of a command (a bulk header and a
#     few bytes of its payload, half a multibulk header) or a whole pipeline, then close unread
#   * a slow reader (perl): SETs a 100 KB value, pipelines 300 GETs of it (30 MB of replies),
#     reads 16 KB every 10 ms for up to 15 s (less if the key was flushed and the replies are
#     short), then closes with the rest unread
#   * FLUSHALL ASYNC every FLUSH_EVERY seconds
#   * the server runs with --maxmemory 256mb --maxmemory-policy allkeys-lru, and with
#     --memory-history-len 64: the memory history ring (GET /history) is then made at its full
#     size at the first sample, where by default it doubles for an hour up to 512 KiB and would
#     blur the start/end comparison
# Every SAMPLE seconds the server must answer PING within 1 s, then INFO is written as a row of
# $BUILD/soak/soak.csv. At the end: a table, used_memory and RSS at start and end, and
# used_memory after the load has stopped and a FLUSHALL, against the startup figure.
# Exit 1 if the server died or missed a PING; otherwise 0 (the figures are never pass/fail).
# Reproduce: make soak, or SOAK_SECONDS=600 BUILD=build sh bench/soak.sh (default 600 s).
# shellcheck disable=SC2046 # set -- $(info ...) splits the INFO fields on purpose
: "${BUILD:=build}"
: "${SOAK_SECONDS:=600}"
: "${SAMPLE:=10}"
: "${FLUSH_EVERY:=20}"
: "${LOAD_WORKERS:=3}"
ZMEM="$BUILD/zmem-server"
OUT="$BUILD/soak"
CSV="$OUT/soak.csv"
[ -x "$ZMEM" ] || { echo "soak.sh: $ZMEM not built"; exit 1; }
for tool in redis-benchmark redis-cli perl timeout; do
    command -v "$tool" >/dev/null 2>&1 || { echo "soak.sh: $tool not installed"; exit 1; }
done
mkdir -p "$OUT"
TMP=$(mktemp -d)
SERVER_PID=""
LOAD_PIDS=""
stop_load() {
    for p in $LOAD_PIDS; do kill "$p" 2>/dev/null; done
    for p in $LOAD_PIDS; do wait "$p" 2>/dev/null; done
    LOAD_PIDS=""
}
trap 'stop_load; [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM HUP

rand() { # rand N: a number in 0..N-1
    echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 ))
}
pick() { # pick WORD...: one of the words
    shift "$(rand $#)"
    echo "$1"
}

# free_port and start, from the helpers the benchmarks share.
. "${0%/*}/lib.sh"

START_LOG="$OUT/server.log" START_FAIL=1 start zmem --maxmemory 256mb \
    --maxmemory-policy allkeys-lru --memory-history-len 64
SERVER_PID=$PID

# info FIELD...: those INFO fields of one reply, space separated, in the order asked.
info() {
    timeout 5 redis-cli -p "$PORT" info 2>/dev/null | tr -d '\r' | awk -F: -v want="$*" '
        { v[$1] = $2 }
        END { n = split(want, w, " "); for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? " " : ""), (w[i] in v ? v[w[i]] : "?"); print "" }'
}
alive() { # the server is running and answers PING within 1 s
    kill -0 "$SERVER_PID" 2>/dev/null &&
        [ "$(timeout 1 redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ]
}

# Each load loop runs its child in the background and waits for it, so that the TERM sent by
# stop_load interrupts the wait at once and the trap stops that child by its pid.
bench_loop() {
    trap 'kill "$cur" 2>/dev/null; exit 0' TERM
    cur=""
    while :; do
        tests=$(pick set,get,incr lpush,rpush,lpop,rpop,lrange_100 sadd,spop hset,set,get \
            zadd,zpopmin mset,get set,get,lpush,lrange_100,sadd,hset,zadd,incr)
        d=$(pick 16 64 256 1024 4096)
        r=$(pick 1000 100000 1000000)
        P=$(pick 1 4 16)
        c=$(pick 5 20 50)
        secs=$(( 3 + $(rand 23) ))
        timeout -s KILL "$secs" redis-benchmark -p "$PORT" -q -n 10000000 -c "$c" -P "$P" \
            -d "$d" -r "$r" -t "$tests" >/dev/null 2>&1 &
        cur=$!
        wait "$cur"
        echo "$tests -d $d -r $r -P $P -c $c ${secs}s" >>"$TMP/rounds.$1"
    done
}

# Connections closed mid-command: a SET whose 100000-byte bulk got only a few bytes, half a
# multibulk header, or a pipeline of commands closed before any reply is read.
cat >"$TMP/abrupt.pl" <<'EOF'
use strict; use IO::Socket::INET; use Time::HiRes qw(sleep);
my ($port, $count) = @ARGV; my $n = 0;
$SIG{TERM} = sub { if (open(my $f, '>', $count)) { print $f "$n\n"; close $f } exit 0 };
my @parts = ("*3\r\n\$3\r\nSET\r\n\$9\r\nabrupt:%d\r\n\$100000\r\nabcdefgh",
             "*3\r\n\$3\r\nSET\r\n\$9\r\nabrupt:%d\r\n\$1",
             "*2\r\n\$3\r\nGE",
             ("*3\r\n\$5\r\nLPUSH\r\n\$9\r\nabrupt:%d\r\n\$4\r\nitem\r\n" x 200)
                 . "*3\r\n\$6\r\nLRANGE\r\n\$9\r\nabrupt:1\r\n\$1\r\n0\r\n\$2\r\n-1\r\n");
while (1) {
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Proto => 'tcp') or do { sleep 0.1; next };
    my $p = $parts[$n % @parts]; my $k = $n % 10;
    $p =~ s/%d/$k/g;
    syswrite($s, $p); close($s); $n++;
    sleep 0.02;
}
EOF
abrupt_loop() {
    trap 'kill "$cur" 2>/dev/null; exit 0' TERM
    perl "$TMP/abrupt.pl" "$PORT" "$TMP/abrupt.count" &
    cur=$!
    wait "$cur"
}

# The slow reader: 30 MB of GET replies asked for at once and read at about 1.6 MB/s.
cat >"$TMP/slow.pl" <<'EOF'
use strict; use IO::Socket::INET; use Time::HiRes qw(sleep time);
my ($port, $count) = @ARGV; my $n = 0; $SIG{TERM} = sub { exit 0 };
my $val = 'v' x 100000;
while (1) {
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Proto => 'tcp') or do { sleep 0.1; next };
    my $out = "*3\r\n\$3\r\nSET\r\n\$8\r\nslow:big\r\n\$" . length($val) . "\r\n$val\r\n"
        . ("*2\r\n\$3\r\nGET\r\n\$8\r\nslow:big\r\n" x 300);
    while (length $out) { my $w = syswrite($s, $out); last unless defined $w; substr($out, 0, $w) = '' }
    my ($got, $buf, $end, $want) = (0, '', time + 15, 5 + 301 * 5);
    while (time < $end) {
        my $rin = ''; vec($rin, fileno($s), 1) = 1;
        my $ready = select(my $rout = $rin, undef, undef, 1);
        last if $ready < 0 || ($ready == 0 && $got > 0 && $got >= $want);
        next unless $ready;
        my $r = sysread($s, $buf, 16384); last unless $r; $got += $r; sleep 0.01;
    }
    close($s); $n++;
    if (open(my $f, '>>', $count)) { print $f "$got\n"; close $f }
}
EOF
slow_loop() {
    trap 'kill "$cur" 2>/dev/null; exit 0' TERM
    perl "$TMP/slow.pl" "$PORT" "$TMP/slow.count" &
    cur=$!
    wait "$cur"
}

flush_loop() {
    trap 'kill "$cur" 2>/dev/null; exit 0' TERM
    while :; do
        sleep "$FLUSH_EVERY" &
        cur=$!
        wait "$cur"
        timeout 5 redis-cli -p "$PORT" flushall async >/dev/null 2>&1 &&
            echo x >>"$TMP/flushes"
    done
}

sleep 3 # the history ring is made at the first one-second sample; see also the end
set -- $(info used_memory used_memory_rss)
START_USED=$1
START_RSS=$2
timeout 5 redis-cli -p "$PORT" memory stats >"$OUT/memory-stats.start" 2>&1
echo "soak.sh: zmem-server pid $SERVER_PID on 127.0.0.1:$PORT for $SOAK_SECONDS s" \
    "($LOAD_WORKERS redis-benchmark loops, abrupt closes, a slow reader, FLUSHALL ASYNC every" \
    "$FLUSH_EVERY s); used_memory $START_USED, rss $START_RSS"

w=1
while [ $w -le "$LOAD_WORKERS" ]; do
    bench_loop "$w" 2>/dev/null &
    LOAD_PIDS="$LOAD_PIDS $!"
    w=$((w + 1))
done
abrupt_loop &
LOAD_PIDS="$LOAD_PIDS $!"
slow_loop &
LOAD_PIDS="$LOAD_PIDS $!"
flush_loop &
LOAD_PIDS="$LOAD_PIDS $!"

echo "t_s,ops_per_sec_instant,ops_per_sec,used_memory,used_memory_rss,connected_clients,evicted_keys,lazyfree_pending_objects" >"$CSV"
T0=$(date +%s)
prev_t=$T0
prev_cmds=0
FAILED=""
while :; do
    now=$(date +%s)
    [ $((now - T0)) -ge "$SOAK_SECONDS" ] && break
    next=$(( prev_t + SAMPLE ))
    [ "$next" -gt $((T0 + SOAK_SECONDS)) ] && next=$((T0 + SOAK_SECONDS))
    while [ "$(date +%s)" -lt "$next" ]; do sleep 1; done
    now=$(date +%s)
    if ! alive; then
        FAILED="at $((now - T0)) s the server $(kill -0 "$SERVER_PID" 2>/dev/null && echo 'did not answer PING within 1 s' || echo 'had died')"
        break
    fi
    set -- $(info instantaneous_ops_per_sec total_commands_processed used_memory used_memory_rss \
        connected_clients evicted_keys lazyfree_pending_objects)
    case "$*" in
    '' | *'?'*)
        FAILED="at $((now - T0)) s INFO did not answer within 5 s"
        break
        ;;
    esac
    dt=$((now - prev_t))
    [ "$dt" -gt 0 ] || dt=1
    echo "$((now - T0)),$1,$(( ($2 - prev_cmds) / dt )),$3,$4,$5,$6,$7" >>"$CSV"
    prev_t=$now
    prev_cmds=$2
    END_USED=$3
    END_RSS=$4
done
stop_load

echo
echo "      t    ops/s(delta)  ops/s(inst)   used_memory           rss  clients    evicted  lazyfree"
awk -F, 'NR > 1 { printf "%7s %15s %12s %13s %13s %8s %10s %9s\n", $1, $3, $2, $4, $5, $6, $7, $8 }' "$CSV"
awk -F, 'NR > 1 { print $3 }' "$CSV" | sort -n >"$TMP/ops"
n=$(wc -l <"$TMP/ops")
if [ "$n" -gt 0 ]; then
    echo "ops/s per ${SAMPLE} s sample: min $(head -n 1 "$TMP/ops"), median" \
        "$(sed -n "$(( (n + 1) / 2 ))p" "$TMP/ops"), max $(tail -n 1 "$TMP/ops") ($n samples)"
fi
rounds=$(cat "$TMP"/rounds.* 2>/dev/null | wc -l)
slow=$(awk '{ n++; b += $1 } END { printf "%d (%.1f MB read)", n, b / 1e6 }' "$TMP/slow.count" 2>/dev/null)
echo "redis-benchmark rounds killed mid-way: $rounds; abrupt closes: $(cat "$TMP/abrupt.count" 2>/dev/null || echo 0);" \
    "slow-reader connections: ${slow:-0}; FLUSHALL ASYNC: $(wc -l <"$TMP/flushes" 2>/dev/null || echo 0)"
echo "used_memory start $START_USED, end ${END_USED:-?}; rss start $START_RSS, end ${END_RSS:-?}"
echo "csv: $CSV"

if [ -n "$FAILED" ]; then
    echo "soak.sh: FAIL: $FAILED"
    exit 1
fi

# Quiet: no load connection left, lazy frees done; then FLUSHALL and compare with the start.
i=0
while [ $i -lt 100 ]; do
    set -- $(info connected_clients lazyfree_pending_objects)
    [ "$1" = 1 ] && [ "$2" = 0 ] && break
    sleep 0.1
    i=$((i + 1))
done
# Every figure is read by INFO after 3 s without a command, as the startup one was: the shared
# reply buffer is freed by the cron only once it has been idle for 2 s (IDLE_TRIM_MS, net.c).
timeout 5 redis-cli -p "$PORT" flushall >/dev/null 2>&1
sleep 3
if ! alive; then
    echo "soak.sh: FAIL: the server stopped answering after the load"
    exit 1
fi
sleep 3
set -- $(info used_memory used_memory_rss connected_clients)
echo "after the load and FLUSHALL: used_memory $1 ($(( $1 - START_USED )) bytes above startup)," \
    "rss $2, clients $3"
# The slow log keeps up to slowlog-max-len commands that took over 10 ms, arguments and all:
# bounded, but not part of the startup figure.
slowlog=$(timeout 5 redis-cli -p "$PORT" slowlog len 2>/dev/null)
timeout 5 redis-cli -p "$PORT" slowlog reset >/dev/null 2>&1
timeout 5 redis-cli -p "$PORT" memory stats >"$OUT/memory-stats.end" 2>&1
sleep 3
set -- $(info used_memory)
diff=$(( $1 - START_USED ))
echo "after SLOWLOG RESET (${slowlog:-?} entries): used_memory $1 (startup $START_USED, $diff bytes" \
    "above)"
if [ "$diff" -gt 8192 ] || [ "$diff" -lt -8192 ]; then
    echo "soak.sh: NOTE: used_memory did not return to within 8 KiB of the startup figure" \
        "(MEMORY STATS at start and end: $OUT/memory-stats.start, $OUT/memory-stats.end)"
fi
exit 0
