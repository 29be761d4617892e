#!/usr/bin/env bash
# Growth, rate and time to the limit, live: a real Go program (tests/go/growth)
# that leaks at a known rate (2 MiB/s into a map from main.(*registry).acquire)
# in its own cgroup v1 memory cgroup, collected with --samples 4 --interval 5,
# must be reported growing at that rate (within 25%), with a time to the limit
# within 30% of the time the kernel actually took to OOM-kill it, and a top
# finding at medium or above naming the function. A program that allocates
# and frees at a steady state (GC cycling) must be a plateau, with no leak
# finding at medium or above. Both without --gc-heap, and again with it.
#
# Only 127.0.0.1 is used; every process started is killed by PID on exit, and
# ends by itself (-exit-after); every cgroup made is removed.
set -u
: "${TRIAGE:?}" "${SRCDIR:?}" "${BUILDDIR:?}"
command -v go >/dev/null || { echo "skip: no go"; exit 77; }
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root for memory cgroups"; exit 77; }
CG=/sys/fs/cgroup/memory
[ -w "$CG" ] || { echo "skip: no writable cgroup v1 memory hierarchy"; exit 77; }

W=$(mktemp -d /tmp/triage-growth.XXXXXX)
PIDS=() CGS=()
cleanup() {
	local p c
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for c in "${CGS[@]}"; do rmdir "$c" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0
export GOCACHE=${GOCACHE:-$BUILDDIR/go-cache}
(cd "$SRCDIR/tests/go/growth" && go build -o "$W/growth" .) || { echo "FAIL: go build"; exit 1; }

status=0
fail() { echo "FAIL: $*"; status=1; }
ok() { echo "ok   $*"; }

RATE=$((2 << 20))		# bytes per second the leak retains
LEAK_LIMIT=$((192 << 20))	# small, so the OOM kill comes within the test

# start NAME LIMIT ARGS...: the growth program in a new memory cgroup of
# LIMIT bytes; sets TPID.
start() {
	local name=$1 limit=$2 cg=$CG/triage-test-$$-$1
	shift 2
	mkdir "$cg" && echo "$limit" > "$cg/memory.limit_in_bytes" || return 1
	CGS+=("$cg")
	sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$cg" \
		"$W/growth" -exit-after 300s "$@" > "$W/$name.out" 2>&1 &
	TPID=$!
	PIDS+=("$TPID")
	for _ in $(seq 200); do
		grep -q '^listening on ' "$W/$name.out" && return 0
		sleep 0.05
	done
	return 1
}

# collect NAME PID [options]: a bundle of PID with 4 samples 5 s apart
collect() {
	local name=$1 pid=$2
	shift 2
	"$TRIAGE" collect -q --cpu-seconds 1 --samples 4 --interval 5 "$@" -o "$W/$name.tgz" "$pid" \
		> "$W/$name.collect" 2>&1 || { fail "$name: collect exit $?: $(cat "$W/$name.collect")"; return 1; }
	"$TRIAGE" analyze --format json "$W/$name.tgz" > "$W/$name.json" || { fail "$name: analyze exit $?"; return 1; }
	"$TRIAGE" analyze --no-color "$W/$name.tgz" > "$W/$name.txt"
	sed -n '/^GROWTH/,/^$/p' "$W/$name.txt"
}

# check_leak NAME [OBSERVED_SECONDS_TO_LIMIT]
check_leak() {
	python3 - "$W/$1.json" "$RATE" "${2:-}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
true_rate = int(sys.argv[2]) * 60.0
observed = float(sys.argv[3]) if sys.argv[3] else None
g = d.get("growth") or {}
h = g.get("headline") or {}
bad = []
rate = h.get("slope_per_min")
if g.get("verdict") != "growing": bad.append("verdict %r, want growing" % g.get("verdict"))
if not rate or abs(rate - true_rate) > 0.25 * true_rate:
    bad.append("rate %s B/min, true %.0f" % (rate, true_rate))
else:
    print("     rate: reported %.1f MiB/min, true %.1f MiB/min (%+.0f%%)" % (rate / 2**20, true_rate / 2**20, 100 * (rate - true_rate) / true_rate))
mins = h.get("minutes_to_limit")
if mins is None: bad.append("no time to the limit")
else:
    # what the true rate gives from the last sample's working set
    ideal = (h["limit"] - h["last"]) / true_rate
    print("     time to limit: reported %.2f min, from the true rate %.2f min%s" % (mins, ideal,
          ", observed %.2f min" % (observed / 60) if observed else ""))
    want = observed / 60 if observed else ideal
    if abs(mins - want) > 0.30 * want: bad.append("time to limit %.2f min, true %.2f min" % (mins, want))
f = (d.get("findings") or [{}])[0]
sev = ["info", "low", "medium", "high", "critical"]
text = " ".join([f.get("title") or ""] + (f.get("evidence") or []))
if sev.index(f.get("severity", "info")) < 2: bad.append("top finding %s is %s" % (f.get("id"), f.get("severity")))
if "main.(*registry).acquire" not in text: bad.append("top finding %s does not name main.(*registry).acquire" % f.get("id"))
print("     top finding: %s %s: %s" % (f.get("severity"), f.get("id"), f.get("title")))
for b in bad: print("FAIL: " + b)
sys.exit(1 if bad else 0)
PY
}

check_steady() {
	python3 - "$W/$1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
g = d.get("growth") or {}
bad = []
if g.get("verdict") != "plateau": bad.append("verdict %r, want plateau (%s)" % (g.get("verdict"), g.get("summary")))
sev = ["info", "low", "medium", "high", "critical"]
for f in d.get("findings") or []:
    if f["rung"] in ("business", "libraries") and sev.index(f["severity"]) >= 2:
        bad.append("leak finding %s at %s: %s" % (f["id"], f["severity"], f["title"]))
print("     " + str(g.get("summary")))
for b in bad: print("FAIL: " + b)
sys.exit(1 if bad else 0)
PY
}

# 1. the leak, without --gc-heap; then the kernel's own answer: the OOM kill
start leak "$LEAK_LIMIT" -mode leak -rate "$RATE" || { fail "leak target did not start"; exit 1; }
LEAK=$TPID
sleep 2
collect leak "$LEAK" && {
	# how long the kernel took, from the last sample, to kill it at the limit
	last=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["growth"]["rows"][-1]["t"])' "$W/leak.json")
	# a watcher notes the moment it dies while the next case runs
	( for _ in $(seq 3000); do kill -0 "$LEAK" 2>/dev/null || break; sleep 0.1; done
	  date +%s.%N > "$W/leak.died" ) &
	WATCH=$!
	# 2. meanwhile, the same leak with --gc-heap in a cgroup of its own
	start leakgc "$LEAK_LIMIT" -mode leak -rate "$RATE" || fail "second leak target did not start"
	LEAKGC=$TPID
	sleep 2
	collect leakgc "$LEAKGC" --gc-heap && { check_leak leakgc && ok "leak with --gc-heap" || fail "leak with --gc-heap"; }
	kill -KILL "$LEAKGC" 2>/dev/null
	wait "$WATCH"
	end=$(cat "$W/leak.died")
	kill -0 "$LEAK" 2>/dev/null && fail "the leak was not OOM-killed within 5 min"
	grep -q '^oom_kill [1-9]' "$CG/triage-test-$$-leak/memory.oom_control" || fail "the leak died, but not by the OOM killer"
	observed=$(python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$last" "$end")
	check_leak leak "$observed" && ok "leak without --gc-heap" || fail "leak without --gc-heap"
}

# 3. the steady state, without and with --gc-heap; warmed up first so the
#    first GC cycles are behind it
start steady $((512 << 20)) -mode steady -rate $((16 << 20)) -live $((32 << 20)) || { fail "steady target did not start"; exit 1; }
STEADY=$TPID
sleep 6
collect steady "$STEADY" && { check_steady steady && ok "steady state without --gc-heap" || fail "steady state without --gc-heap"; }
collect steadygc "$STEADY" --gc-heap && { check_steady steadygc && ok "steady state with --gc-heap" || fail "steady state with --gc-heap"; }
exit $status
