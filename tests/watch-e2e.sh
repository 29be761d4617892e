#!/usr/bin/env bash
# triage watch end to end, on this machine's cgroup v1 memory hierarchy:
# a real Go service (tests/go/grow-oom) grows ~20 MiB/s in its own cgroup
# with a 384 MiB limit until the kernel OOM-kills it, and watch must have
# bundles from the climb and a record of the kill. Then the same with a
# supervisor that restarts the service in the cgroup: watch follows the new
# PID and records the second kill. Then a clean stop by SIGTERM in the middle
# of a collection, and the v2 paths on a fixture laid out like the kernel's
# (this machine's cgroup2 has no memory controller).
#
# The growth of the service is the only clock: the test never sleeps for a
# threshold, it waits for the kernel's kill and then checks the order of the
# events watch wrote. Every process started is killed by PID and every
# cgroup removed on exit.
set -u
: "${TRIAGE:?}" "${SRCDIR:?}" "${BUILDDIR:?}"
command -v go >/dev/null || { echo "skip: no go"; exit 77; }
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root for cgroups"; exit 77; }
CG=/sys/fs/cgroup/memory
[ -w "$CG" ] || { echo "skip: no writable cgroup v1 memory hierarchy"; exit 77; }

W=$(mktemp -d /tmp/triage-watch-e2e.XXXXXX)
PIDS=() CGS=()
cleanup() {
	local p c
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	[ -f "$W/sup.pids" ] && for p in $(cat "$W/sup.pids"); do kill -KILL "$p" 2>/dev/null; done
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

status=0
fail() { echo "FAIL: $*"; status=1; }
ok() { echo "ok   $*"; }
LIMIT=$((384 << 20))

# make_cg NAME: a memory cgroup with a 384 MiB limit, swap included, in $cg.
# Not called as $(make_cg): CGS must grow in this shell for the cleanup.
make_cg() {
	cg=$CG/triage-watch-e2e-$$-$1
	mkdir "$cg" || return 1
	CGS+=("$cg")
	echo "$LIMIT" > "$cg/memory.limit_in_bytes" || return 1
	# with swap the service would page out instead of being killed
	[ -f "$cg/memory.memsw.limit_in_bytes" ] && { echo "$LIMIT" > "$cg/memory.memsw.limit_in_bytes" || return 1; }
	return 0
}

# wait_for FILE PATTERN SECONDS
wait_for() {
	local i
	for i in $(seq $(($3 * 10))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# events.jsonl checks, by the order of its lines
check_events() { python3 - "$@" <<'PY'
import json, sys
path, mode = sys.argv[1], sys.argv[2]
ev = [json.loads(l) for l in open(path)]
def out(*a): print(*a)
kills = [i for i, e in enumerate(ev) if e["event"] == "kill"]
if mode == "one":
    pid = int(sys.argv[3])
    if len(kills) != 1: out("FAIL: %d kill records" % len(kills)); sys.exit(1)
    k = ev[kills[0]]
    bad = []
    if k["cause"] != "oom-kill": bad.append("cause %s" % k["cause"])
    if k["pid"] != pid: bad.append("kill pid %s, want %d" % (k["pid"], pid))
    if not k["oom_kill_after"] > k["oom_kill_before"]: bad.append("oom_kill %s -> %s" % (k["oom_kill_before"], k["oom_kill_after"]))
    # the kernel log's own line, where /dev/kmsg is readable
    if ev[0].get("kernel_log") and k.get("kernel_log_victim", {}).get("pid") != pid:
        bad.append("kernel log victim %s" % k.get("kernel_log_victim"))
    started = [e for e in ev[:kills[0]] if e["event"] == "collect" and e["pid"] == pid]
    done = {e["number"]: e for e in ev if e["event"] == "bundle"}
    good = [e for e in started if done.get(e["number"], {}).get("status") in ("ok", "interrupted")]
    pcts = [e["sample"].get("pct", 0) for e in good]
    if len(good) < 2: bad.append("%d bundles started before the kill" % len(good))
    if not pcts or max(pcts) < 85: bad.append("last bundle before the kill at %s%% of the limit" % (max(pcts) if pcts else None))
    if pcts != sorted(pcts): bad.append("bundles not in climbing order: %s" % pcts)
    if bad: out("FAIL: " + "; ".join(bad)); sys.exit(1)
    out("ok   kill of pid %d recorded (oom_kill %d -> %d; kernel log: %s), %d bundles before it at %s%% of the limit; %s" % (
        pid, k["oom_kill_before"], k["oom_kill_after"], k.get("kernel_log_victim"), len(good), ", ".join("%.1f" % p for p in pcts),
        "last bundle %.1f s before the kill" % k["last_bundle"]["seconds_before_kill"]))
    for e in good: print("BUNDLE %s" % done[e["number"]]["path"])
elif mode == "two":
    pids = [int(p) for p in sys.argv[3:5]]
    bad = []
    if len(kills) != 2: out("FAIL: %d kill records, want 2" % len(kills)); sys.exit(1)
    got = [ev[i]["pid"] for i in kills]
    if got != pids: bad.append("kills of %s, want %s" % (got, pids))
    if any(ev[i]["cause"] != "oom-kill" for i in kills): bad.append("causes %s" % [ev[i]["cause"] for i in kills])
    if ev[0].get("kernel_log") and [ev[i].get("kernel_log_victim", {}).get("pid") for i in kills] != pids:
        bad.append("kernel log victims %s" % [ev[i].get("kernel_log_victim") for i in kills])
    follows = [i for i, e in enumerate(ev) if e["event"] == "follow" and e["pid"] == pids[1]]
    if not follows or not kills[0] < follows[0] < kills[1]: bad.append("no follow of pid %d between the kills" % pids[1])
    second = [e for e in ev[kills[0]:kills[1]] if e["event"] == "collect" and e["pid"] == pids[1]]
    if not second: bad.append("no bundle of the restarted pid %d before its kill" % pids[1])
    if bad: out("FAIL: " + "; ".join(bad)); sys.exit(1)
    out("ok   kill of pid %d, follow to pid %d, %d bundles of it, kill of pid %d (oom_kill %d -> %d)" % (
        pids[0], pids[1], len(second), pids[1], ev[kills[1]]["oom_kill_before"], ev[kills[1]]["oom_kill_after"]))
elif mode == "stop":
    if ev[-1]["event"] != "stop": out("FAIL: last event %s, want stop" % ev[-1]["event"]); sys.exit(1)
    out("ok   events.jsonl: %d whole JSON lines ending with stop (%s)" % (len(ev), ev[-1].get("signal")))
elif mode == "v2":
    bad = []
    st = ev[0]
    if "PSI trigger" not in st["mode"] or "memory.events" not in st["mode"]: bad.append("mode %s" % st["mode"])
    trig = [e for e in ev if e["event"] == "collect"]
    if not trig or trig[0]["trigger"] != "threshold85": bad.append("triggers %s" % [e["trigger"] for e in trig])
    if not kills or ev[kills[0]]["cause"] != "oom-kill" or ev[kills[0]]["oom_kill_after"] != 2:
        bad.append("kill %s" % (ev[kills[0]] if kills else None))
    if bad: out("FAIL: " + "; ".join(bad)); sys.exit(1)
    out("ok   v2 fixture: mode '%s'; threshold85 collected; kill from memory.events oom_kill 1 -> 2" % st["mode"])
PY
}

no_temporaries() {
	if ls -a "$1" | grep -q '^\..*\.tgz\.'; then fail "temporary files left in $1: $(ls -a "$1")"; else ok "$2: no temporary files"; fi
}

# 1. one service, one OOM kill
make_cg one || { fail "cannot make a cgroup"; exit 1; }
sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$cg" \
	"$W/grow-oom" -gate "$W/gate1" -exit-after 150s > "$W/one.out" 2>&1 &
GPID=$!; PIDS+=("$GPID")
wait_for "$W/one.out" "listening on" 10 || fail "service did not start"
"$TRIAGE" watch -d "$W/one" --max-kills 1 "$GPID" 2> "$W/watch1.err" &
WPID=$!; PIDS+=("$WPID")
wait_for "$W/one/events.jsonl" '"event":"start"' 20 || fail "watch did not start: $(cat "$W/watch1.err")"
touch "$W/gate1"
wait "$GPID"; grc=$?
oomk=$(sed -n 's/^oom_kill //p' "$cg/memory.oom_control")
[ "$grc" -eq 137 ] && ok "service ended by SIGKILL (exit status $grc)" || fail "service exit status $grc, want 137"
[ "${oomk:-0}" -ge 1 ] && ok "the cgroup's memory.oom_control counts oom_kill $oomk" || fail "oom_kill '${oomk:-}' in memory.oom_control"
for _ in $(seq 300); do kill -0 "$WPID" 2>/dev/null || break; sleep 0.1; done
wait "$WPID"; wrc=$?
[ "$wrc" -eq 0 ] && ok "watch exits 0 after --max-kills 1" || fail "watch exit $wrc: $(cat "$W/watch1.err")"
sed 's/^/     /' "$W/watch1.err"
check_events "$W/one/events.jsonl" one "$GPID" > "$W/check1.out" || status=1
grep -v '^BUNDLE ' "$W/check1.out"
last=$(sed -n 's/^BUNDLE //p' "$W/check1.out" | tail -1)
if [ -n "$last" ]; then
	"$TRIAGE" analyze --no-color "$last" > "$W/analyze1.out" 2>&1
	grep -q "main.hoardReports" "$W/analyze1.out" && ok "analyze of the last bundle ($(basename "$last")) names main.hoardReports" ||
		fail "analyze of $last does not name main.hoardReports: $(head -20 "$W/analyze1.out")"
	heap=$(python3 -c 'import json,sys,tarfile
m=json.load(tarfile.open(sys.argv[1]).extractfile("manifest.json"))
print(" ".join(a["path"]+"="+a["status"] for a in m["artifacts"] if a["path"] in ("profiles/heap.pb.gz","profiles/cpu.pb.gz","profiles/goroutine-debug2.txt","profiles/heap-debug1.txt")))' "$last")
	echo "     last bundle: $heap"
fi
"$TRIAGE" analyze --no-color "$W/one" > "$W/analyze-dir.out" 2> "$W/analyze-dir.err"; arc=$?
{ [ $arc -eq 0 ] || [ $arc -eq 1 ]; } && grep -q "bundles, oldest first" "$W/analyze-dir.err" &&
	grep -qE "threshold(85|95) at (8[5-9]|9[0-9])\.[0-9]% of the limit" "$W/analyze-dir.err" &&
	grep -q "kill: oom-kill of pid $GPID at " "$W/analyze-dir.err" &&
	grep -q "main.hoardReports" "$W/analyze-dir.out" && grep -qE "main.hoardReports grew by|HeapInuse changed by|working set grew by" "$W/analyze-dir.out" &&
	ok "analyze DIR lists the climb and the kill, and shows main.hoardReports growing" ||
	fail "analyze DIR: rc $arc $(cat "$W/analyze-dir.err") $(grep -A12 'business-heap-main-module' "$W/analyze-dir.out")
--- growth lines of the report:
$(grep -inE 'grew|changed by|growth|series|samples' "$W/analyze-dir.out" | head -30)"
# every bundle of the process is a point of the one series, not only the first and the last
nb=$(ls "$W/one" | grep -c -- "-$GPID-.*\.tgz$")
"$TRIAGE" analyze --format json "$W/one" 2>/dev/null > "$W/analyze-dir.json"
rows=$(python3 -c 'import json, sys; g = json.load(open(sys.argv[1])).get("growth") or {}; print(len(g.get("rows") or []))' "$W/analyze-dir.json")
if [ "$nb" -ge 3 ]; then
	grep -q "with $((nb - 2)) bundles\? in between as one series" "$W/analyze-dir.err" && [ "${rows:-0}" -ge "$nb" ] &&
		ok "analyze DIR: all $nb bundles of pid $GPID in the series ($rows points)" ||
		fail "analyze DIR: $nb bundles of pid $GPID, series of $rows points: $(tail -1 "$W/analyze-dir.err")"
else
	[ "${rows:-0}" -ge "$nb" ] && ok "analyze DIR: both bundles of pid $GPID in the series ($rows points)" ||
		fail "analyze DIR: $nb bundles, series of $rows points"
fi
no_temporaries "$W/one" "one"

# 2. a supervisor restarts the service in the same cgroup; watch follows it
make_cg two || { fail "cannot make a cgroup"; exit 1; }
(
	for i in 1 2; do
		sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$cg" \
			"$W/grow-oom" -gate "$W/gate2" -exit-after 150s >> "$W/two.out" 2>&1 &
		echo $! >> "$W/sup.pids"
		wait $!
		echo "exit $?" >> "$W/sup.log"
	done
) &
SUP=$!; PIDS+=("$SUP")
wait_for "$W/two.out" "listening on" 10 || fail "supervised service did not start"
"$TRIAGE" watch -d "$W/two" --cgroup "$cg" --max-kills 2 2> "$W/watch2.err" &
WPID=$!; PIDS+=("$WPID")
wait_for "$W/two/events.jsonl" '"event":"start"' 20 || fail "watch --cgroup did not start: $(cat "$W/watch2.err")"
touch "$W/gate2"
wait "$SUP"
for _ in $(seq 300); do kill -0 "$WPID" 2>/dev/null || break; sleep 0.1; done
wait "$WPID"; wrc=$?
[ "$wrc" -eq 0 ] || fail "watch --cgroup exit $wrc"
sed 's/^/     /' "$W/watch2.err"
[ "$(grep -c '^exit 137$' "$W/sup.log")" = 2 ] && ok "both runs ended by SIGKILL" || fail "supervisor saw: $(cat "$W/sup.log")"
check_events "$W/two/events.jsonl" two $(cat "$W/sup.pids") || status=1
no_temporaries "$W/two" "two"

# 3. SIGTERM in the middle of a full collection: a clean stop, a whole bundle or none
make_cg three || { fail "cannot make a cgroup"; exit 1; }
sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$cg" "$W/grow-oom" -gate "$W/never" -exit-after 60s > "$W/three.out" 2>&1 &
TPID=$!; PIDS+=("$TPID")
wait_for "$W/three.out" "listening on" 10 || fail "service did not start"
# 0.1% is crossed at once: a full collection with a 20 s CPU profile starts
"$TRIAGE" watch -d "$W/three" --thresholds 0.1 --cpu-seconds 20 "$TPID" 2> "$W/watch3.err" &
WPID=$!; PIDS+=("$WPID")
wait_for "$W/three/events.jsonl" '"event":"collect"' 20 || fail "no collection started: $(cat "$W/watch3.err")"
sleep 1
t0=$(date +%s%N)
kill -TERM "$WPID"
wait "$WPID"; wrc=$?
t=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$wrc" -eq 0 ] && [ "$t" -lt 6000 ] && ok "SIGTERM during a collection: exit 0 in $t ms" || fail "SIGTERM: exit $wrc after $t ms"
check_events "$W/three/events.jsonl" stop || status=1
n=$(ls "$W/three" | grep -c '\.tgz$')
for b in "$W"/three/*.tgz; do [ -f "$b" ] && { tar -tzf "$b" > /dev/null 2>&1 || fail "$b is not a whole bundle"; }; done
ok "SIGTERM: $n whole bundle(s) in the directory"
no_temporaries "$W/three" "three"

# 4. cgroup v2, on a fixture laid out like the kernel's: PSI trigger written,
#    memory.current polled, an OOM kill told by memory.events
V2=$W/v2cg
mkdir "$V2" && cp -r "$SRCDIR/tests/data/watch/fixture-v2-limited/." "$V2/"
printf '52428800\n' > "$V2/memory.current"
sleep 60 & SPID=$!; PIDS+=("$SPID")
echo "$SPID" > "$V2/cgroup.procs"
"$TRIAGE" watch -d "$W/four" --cgroup "$V2" --poll 100ms --timeout 1 --cpu-seconds 0 --max-kills 1 2> "$W/watch4.err" &
WPID=$!; PIDS+=("$WPID")
wait_for "$W/four/events.jsonl" '"event":"start"' 20 || fail "v2 watch did not start: $(cat "$W/watch4.err")"
[ "$(head -c 20 "$V2/memory.pressure" | tr -d '\0')" = "some 150000 1000000" ] && ok "v2: PSI trigger written to memory.pressure" ||
	fail "v2: memory.pressure holds '$(cat "$V2/memory.pressure")'"
# the fixture's files change by rename, as the kernel's never read half-written:
# '>' truncates first, and a poll between the truncation and the write read
# an empty memory.current (a CI failure under load)
put() { printf "$2" > "$V2/.$1.new" && mv -f "$V2/.$1.new" "$V2/$1"; }
# 352 MiB less 16 MiB inactive_file is 87.5%: a jump past 70 and 85 fires once, for 85
put memory.current '369098752\n'
wait_for "$W/four/events.jsonl" '"event":"bundle"' 30 || fail "v2: no bundle: $(cat "$W/watch4.err")"
put memory.events 'low 0\nhigh 0\nmax 40\noom 2\noom_kill 2\noom_group_kill 0\n'
kill -KILL "$SPID"
for _ in $(seq 100); do kill -0 "$WPID" 2>/dev/null || break; sleep 0.1; done
wait "$WPID"; wrc=$?
[ "$wrc" -eq 0 ] || fail "v2 watch exit $wrc: $(cat "$W/watch4.err")"
check_events "$W/four/events.jsonl" v2 || { status=1; sed 's/^/     /' "$W/watch4.err"; }

exit $status
