#!/usr/bin/env bash
# triage watch's own footprint: CPU time and peak RSS over an idle period
# (60 s, or 10 s with --quick as the test suite runs it), and the latency
# from a threshold crossing to the bundle on disk, measured from outside
# by a poller reading memory.usage_in_bytes every 5 ms.
#
#   tests/bench-watch.sh [--quick]     (root, cgroup v1 memory, Debian's go)
#
# The idle target is tests/go/grow-oom held at its gate; for the latency it
# grows ~20 MiB/s in a 384 MiB cgroup, with thresholds at 50% (a full
# collection, with its 2 s CPU profile) and 70% (above --danger 70: cheap).
set -u
IDLE=60
[ "${1:-}" = --quick ] && IDLE=10
: "${TRIAGE:=$(dirname "$0")/../build/triage}" "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}" "${BUILDDIR:=$SRCDIR/build}"
command -v go >/dev/null || { echo "skip: no go"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root for cgroups"; exit 77; }
CG=/sys/fs/cgroup/memory
[ -w "$CG" ] || { echo "skip: no writable cgroup v1 memory hierarchy"; exit 77; }

W=$(mktemp -d /tmp/triage-bench-watch.XXXXXX)
PIDS=() CGS=()
cleanup() {
	local p c
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	for c in "${CGS[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$c" 2>/dev/null && break; sleep 0.2; done
	done
	rm -rf "$W"
}
trap cleanup EXIT
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0
export GOCACHE=${GOCACHE:-$BUILDDIR/go-cache}
(cd "$SRCDIR/tests/go/grow-oom" && go build -o "$W/grow-oom" .) || { echo "FAIL: go build"; exit 1; }
LIMIT=$((384 << 20))
status=0

start_service() { # NAME GATE -> SPID, cgroup in SCG
	SCG=$CG/triage-bench-watch-$$-$1
	mkdir "$SCG" && echo "$LIMIT" > "$SCG/memory.limit_in_bytes" || return 1
	[ -f "$SCG/memory.memsw.limit_in_bytes" ] && echo "$LIMIT" > "$SCG/memory.memsw.limit_in_bytes"
	CGS+=("$SCG")
	sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$SCG" "$W/grow-oom" -gate "$2" -exit-after 300s \
		> "$W/$1.out" 2>&1 &
	SPID=$!; PIDS+=("$SPID")
	for _ in $(seq 100); do grep -q listening "$W/$1.out" && return 0; sleep 0.1; done
	return 1
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# CPU time in ns from the scheduler (finer than the 10 ms ticks), 0 without schedstat
cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat" 2>/dev/null || echo 0; }

# 1. idle: a healthy service, nothing crossing
start_service idle "$W/never" || { echo "FAIL: service did not start"; exit 1; }
"$TRIAGE" watch -q -d "$W/idle" "$SPID" &
WPID=$!; PIDS+=("$WPID")
for _ in $(seq 100); do [ -s "$W/idle/events.jsonl" ] && break; sleep 0.1; done
t0=$(ticks "$WPID"); n0=$(cpu_ns "$WPID")
sleep "$IDLE"
t1=$(ticks "$WPID"); n1=$(cpu_ns "$WPID")
priv=$(awk '/^Private_(Clean|Dirty):/ { s += $2 } END { print s " kB" }' "/proc/$WPID/smaps_rollup")
hz=$(getconf CLK_TCK)
hwm=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$WPID/status")
rss=$(sed -n 's/^VmRSS:[[:space:]]*//p' "/proc/$WPID/status")
cpu_ms=$(( (t1 - t0) * 1000 / hz ))
echo "idle ${IDLE} s: watch CPU ${cpu_ms} ms in ${hz} Hz ticks, $(( (n1 - n0) / 1000 )) us on the scheduler's clock; RSS ${rss} (private ${priv}, the rest shared libraries), peak RSS ${hwm}"
kill -TERM "$WPID"; wait "$WPID"
# a tick is 10 ms: more than 1% of the idle time would mean it polls
[ "$cpu_ms" -le $(( IDLE * 10 )) ] || { echo "FAIL: ${cpu_ms} ms of CPU while idle"; status=1; }
[ "${hwm%% *}" -le 65536 ] || { echo "FAIL: peak RSS ${hwm}"; status=1; }
kill -KILL "$SPID"; wait "$SPID" 2>/dev/null

# 2. latency: threshold crossing to the bundle on disk
start_service climb "$W/gate" || { echo "FAIL: service did not start"; exit 1; }
"$TRIAGE" watch -q -d "$W/climb" --thresholds 50,70 --danger 70 "$SPID" &
WPID=$!; PIDS+=("$WPID")
for _ in $(seq 100); do [ -s "$W/climb/events.jsonl" ] && break; sleep 0.1; done
python3 - "$SCG" "$W/climb" "$LIMIT" "$W/gate" <<'PY' || status=1
import os, sys, time
cg, d, limit, gate = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
levels = {50: None, 70: None}
seen = {50: None, 70: None}
trig = {50: None, 70: None}
open(gate, "w").close()
end = time.time() + 120
while time.time() < end and None in seen.values():
    u = int(open(cg + "/memory.usage_in_bytes").read())
    st = open(cg + "/memory.stat").read().split()
    inactive = int(st[st.index("total_inactive_file") + 1])
    now = time.time()
    for l in levels:
        if levels[l] is None and (u - inactive) * 100 >= l * limit:
            levels[l] = now
    names = os.listdir(d)
    for l in seen:
        if seen[l] is None and any(n.endswith("threshold%d.tgz" % l) and not n.startswith(".") for n in names):
            seen[l] = now
    ev = open(d + "/events.jsonl").read()
    for l in trig:
        if trig[l] is None and '"event":"collect","trigger":"threshold%d"' % l in ev:
            trig[l] = now
    time.sleep(0.005)
if None in seen.values() or None in levels.values():
    print("FAIL: crossings %s, bundles %s" % (levels, seen)); sys.exit(1)
for l, kind in ((50, "full, 2 s CPU profile"), (70, "cheap, above --danger")):
    print("threshold %d%%: crossing -> trigger logged %4.0f ms, -> bundle on disk %5.0f ms (%s)" % (
        l, (trig[l] - levels[l]) * 1000, (seen[l] - levels[l]) * 1000, kind))
PY
kill -TERM "$WPID"; wait "$WPID"
exit $status
