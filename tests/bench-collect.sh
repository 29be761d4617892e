#!/usr/bin/env bash
# triage collect's cost to a big target and its own footprint (issue 13).
#
#   tests/bench-collect.sh [--quick] [--keep DIR]   (root, Debian's go)
#
# Target 1 (tests/go/bigtarget): a live heap (1 GiB; 256 MiB with --quick),
# parked goroutines (50k; 5k) and an in-process 1 ms ticker whose longest
# gap between ticks it serves at /gap. Three phases, each one a /gap reset,
# the action, a /gap read: idle (a sleep as long as a collection), a lone
# "curl goroutine?debug=2", and "triage collect" with its defaults except
# --cpu-seconds (2 with --quick). For the collection also: the target's RSS
# growth (VmHWM after "echo 5 > clear_refs" and the collection, minus VmRSS
# before), collect's peak RSS (ru_maxrss of its process, from a python3
# wrapper) and its wall time beyond --cpu-seconds.
#
# Target 2: MemProfileRate=1 with ~250k distinct live heap stacks (20k with
# --quick) and 20k parked goroutines (2k): the time to a bundle with
# defaults, the manifest status of the heap profile, the goroutine counts
# (the census, or the goroutine profile without one) and MemStats, the bundle's size and analyze's top finding.
#
# Figures are printed beside their targets as ok or MISS and never fail the
# run (speed and memory are judged by benchmarks that print figures, not by
# timed tests). Exit status 1 only for functional failures: a target did
# not start, collect crashed or exited with a status other than 0 or 4 (4
# is a bundle without profiles: the MISS this benchmark exists to show), a
# bundle is missing or unreadable, analyze failed. --keep DIR keeps the
# bundles. Only 127.0.0.1 is used; every process started is killed by PID
# on exit and ends by itself anyway (-exit-after).
set -u
MODE=full KEEP=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) MODE=quick ;;
	--keep) KEEP=${2:?--keep needs a directory}; shift ;;
	*) echo "usage: $0 [--quick] [--keep DIR]" >&2; exit 2 ;;
	esac
	shift
done
: "${TRIAGE:=$(dirname "$0")/../build/triage}" "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}" "${BUILDDIR:=$SRCDIR/build}"
command -v go >/dev/null || { echo "skip: no go"; exit 77; }
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
command -v curl >/dev/null || { echo "skip: no curl"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (clear_refs of the target, as collect runs)"; exit 77; }

if [ "$MODE" = quick ]; then
	HEAP=256 G1=5000 STACKS=20000 G2=2000 CPU=2
	CPU_ARGS=(--cpu-seconds 2)
else
	HEAP=1024 G1=50000 STACKS=250000 G2=20000 CPU=10	# collect's default
	CPU_ARGS=()
fi
IDLE=$((CPU + 1))

W=$(mktemp -d /tmp/triage-bench-collect.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
T0=$(date +%s)
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0
export GOCACHE=${GOCACHE:-$BUILDDIR/go-cache}
(cd "$SRCDIR/tests/go/bigtarget" && go build -o "$W/bigtarget" .) || { echo "FAIL: go build"; exit 1; }
[ -n "$KEEP" ] && { mkdir -p "$KEEP" || exit 1; }

status=0
fail() { echo "FAIL: $*"; status=1; }
ROWS=() MISSES=0
# row FIGURE VALUE TARGET VERDICT
row() { ROWS+=("$(printf '%-44s %14s   %-22s %s' "$1" "$2" "$3" "$4")"); [ "${4%% *}" = MISS ] && MISSES=$((MISSES + 1)); }
verdict() { python3 -c 'import sys; print("ok" if float(sys.argv[1]) <= float(sys.argv[2]) else "MISS")' "$1" "$2"; }

# start NAME ARGS...: bigtarget with ARGS; sets TPID and ADDR
start() {
	local name=$1
	shift
	: > "$W/$name.out"
	"$W/bigtarget" -exit-after 600s "$@" > "$W/$name.out" 2> "$W/$name.err" &
	TPID=$!
	PIDS+=("$TPID")
	for _ in $(seq 1200); do
		ADDR=$(sed -n 's/^listening on //p' "$W/$name.out")
		[ -n "$ADDR" ] && { sed 's/^/  /' "$W/$name.err"; return 0; }
		kill -0 "$TPID" 2>/dev/null || break
		sleep 0.1
	done
	fail "$name did not start: $(cat "$W/$name.err")"
	return 1
}
gap_reset() { curl -sf "http://$ADDR/gap?reset=1" > /dev/null; }
gap_ms() { curl -sf "http://$ADDR/gap" | python3 -c 'import json, sys; print("%.1f" % json.load(sys.stdin)["max_gap_ms"])'; }
kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$2/status"; }
# measure NAME CMD...: runs CMD, stderr to $W/NAME.stderr; writes
# "exit wall_seconds maxrss_kb" to $W/NAME.rusage (exit -N: killed by signal N)
measure() {
	local name=$1
	shift
	python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=open(sys.argv[1] + ".stderr", "w"))
w = time.monotonic() - t
print(rc, "%.2f" % w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=open(sys.argv[1] + ".rusage", "w"))
' "$W/$name" "$@"
}
# collect_ok NAME: collect's exit status acceptable (0, or 4: a bundle without profiles)
collect_ok() {
	local rc
	read -r rc _ < "$W/$1.rusage"
	sed 's/^/  collect: /' "$W/$1.stderr"
	case $rc in
	0) return 0 ;;
	4) echo "  collect exit 4: bundle written without any profile"; return 0 ;;
	*) fail "$1: collect exit $rc$( [ "$rc" -lt 0 ] && echo " (killed by signal ${rc#-})")"; return 1 ;;
	esac
}

echo "bench-collect: $MODE mode, $(go version | cut -d' ' -f3), $(nproc) CPUs, triage $("$TRIAGE" --version 2>/dev/null | head -1)"
echo "collect options: defaults$([ ${#CPU_ARGS[@]} -gt 0 ] && echo " except ${CPU_ARGS[*]}") (--cpu-seconds $CPU)"

# ---- target 1: big heap, many goroutines -------------------------------
echo "target 1: -heap $HEAP MiB, -goroutines $G1"
if start big -heap "$HEAP" -goroutines "$G1"; then
	gap_reset; sleep "$IDLE"; IDLE_GAP=$(gap_ms)
	gap_reset
	curl -s -o /dev/null -w '  curl goroutine?debug=2: %{size_download} bytes in %{time_total} s\n' \
		"http://$ADDR/debug/pprof/goroutine?debug=2" || fail "curl goroutine?debug=2"
	CURL_GAP=$(gap_ms)

	rss0=$(kb VmRSS "$TPID")
	echo 5 > "/proc/$TPID/clear_refs"
	gap_reset
	measure big "$TRIAGE" collect -q "${CPU_ARGS[@]}" -o "$W/big.tgz" "$TPID"
	COLLECT_GAP=$(gap_ms)
	hwm1=$(kb VmHWM "$TPID")
	if collect_ok big; then
		read -r _ wall maxrss < "$W/big.rusage"
		[ -s "$W/big.tgz" ] && tar tzf "$W/big.tgz" > /dev/null || fail "big.tgz missing or unreadable"
		STALL_T=$(python3 -c 'import sys; print("%.1f" % max(50, 3 * float(sys.argv[1])))' "$IDLE_GAP")
		GROW_MB=$(python3 -c 'import sys; print("%.1f" % ((int(sys.argv[2]) - int(sys.argv[1])) / 1024))' "$rss0" "$hwm1")
		PEAK_MB=$(python3 -c 'import sys; print("%.1f" % (int(sys.argv[1]) / 1024))' "$maxrss")
		OVER=$(python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) - int(sys.argv[2])))' "$wall" "$CPU")
		row "target 1: max stall, idle (ms)" "$IDLE_GAP" "(reference)" "-"
		row "target 1: max stall, curl goroutine?debug=2" "$CURL_GAP" "(reference)" "-"
		row "target 1: max stall, triage collect (ms)" "$COLLECT_GAP" "<= $STALL_T" "$(verdict "$COLLECT_GAP" "$STALL_T")"
		row "target 1: RSS growth, VmHWM - VmRSS (MB)" "$GROW_MB" "<= 20" "$(verdict "$GROW_MB" 20)"
		row "collect: peak RSS (MB)" "$PEAK_MB" "<= 50" "$(verdict "$PEAK_MB" 50)"
		row "collect: wall beyond --cpu-seconds $CPU (s)" "$OVER" "<= 2" "$(verdict "$OVER" 2)"
		echo "  target RSS before ${rss0} kB, VmHWM after ${hwm1} kB; collect wall ${wall} s; bundle $(stat -c %s "$W/big.tgz" 2>/dev/null) bytes"
		tar xzOf "$W/big.tgz" manifest.json 2>/dev/null | python3 -c 'import json, sys
for a in json.load(sys.stdin)["artifacts"]:
    if a["path"] in ("runtime/goroutine-census.txt", "profiles/goroutine.pb.gz"):
        print("  %s: %s: %s" % (a["path"], a["status"], a.get("note") or a.get("error") or ""))'

		[ -n "$KEEP" ] && cp "$W/big.tgz" "$KEEP/bench-collect-big.tgz"
	fi
	kill -KILL "$TPID"; wait "$TPID" 2>/dev/null
fi

# ---- target 2: MemProfileRate=1, many heap stacks ----------------------
echo "target 2: -memprofilerate 1 -stacks $STACKS -goroutines $G2"
if start stacks -memprofilerate 1 -stacks "$STACKS" -goroutines "$G2"; then
	recs=$(curl -sf "http://$ADDR/debug/vars" | python3 -c 'import json, sys; print(json.load(sys.stdin)["heap_profile_records"])')
	measure stacks "$TRIAGE" collect -q -o "$W/stacks.tgz" "$TPID"
	if collect_ok stacks; then
		read -r _ wall maxrss < "$W/stacks.rusage"
		if [ -s "$W/stacks.tgz" ] && tar xzOf "$W/stacks.tgz" manifest.json > "$W/stacks.manifest"; then
			# the default deadline: 60 s plus the CPU seconds
			python3 - "$W/stacks.manifest" "$wall" > "$W/stacks.rows" <<'PY' || fail "stacks.tgz: manifest.json unreadable"
import json, sys
m = json.load(open(sys.argv[1]))
st = {a["path"]: a for a in m["artifacts"]}
# the goroutine counts: from the census read from the target's memory,
# else from the goroutine profile (collect takes it when there is no census)
goroutines = "runtime/goroutine-census.txt"
if st.get(goroutines, {}).get("status") != "ok":
    goroutines = "profiles/goroutine.pb.gz"
want = ["profiles/heap.pb.gz", goroutines, "runtime/memstats.json"]
complete = True
for p in want:
    a = st.get(p)
    s = a["status"] if a else "absent"
    if s != "ok":
        complete = False
    detail = s if a is None or a.get("error") is None else "%s: %s" % (s, a["error"])
    print("target 2: %s\t%s\tok\t%s" % (p, s, "ok" if s == "ok" else "MISS"))
    if s != "ok":
        print("#   %s: %s" % (p, detail))
for a in m["artifacts"]:
    if a["path"] not in want and a["status"] not in ("ok", "derived"):
        print("#   also %s %s: %s" % (a["path"], a["status"], a.get("error")))
deadline = 60 + m["collection"].get("cpu_seconds", 10)
print("target 2: time to a complete bundle (s)\t%s\t<= %d, complete\t%s" % (
    sys.argv[2], deadline,
    "ok" if complete and float(sys.argv[2]) <= deadline else "MISS" if complete else "MISS (incomplete)"))
PY
			while IFS=$'\t' read -r a b c d; do
				case $a in '#'*) echo "$a" ;; *) row "$a" "$b" "$c" "$d" ;; esac
			done < "$W/stacks.rows"
			row "target 2: bundle size (bytes)" "$(stat -c %s "$W/stacks.tgz")" "(reference)" "-"
			row "target 2: collect peak RSS (MB)" "$(python3 -c 'import sys; print("%.1f" % (int(sys.argv[1]) / 1024))' "$maxrss")" "(reference)" "-"
			echo "  heap profile records in the target: $recs (runtime.MemProfile)"
			if "$TRIAGE" analyze --format json "$W/stacks.tgz" > "$W/stacks.json" 2> "$W/stacks.analyze"; then
				top=$(python3 -c 'import json, sys; f = json.load(open(sys.argv[1]))["findings"]; print(f[0]["id"] if f else "(none)")' "$W/stacks.json")
				echo "  analyze: top finding $top"
				# the same target collected in full (--force: the goroutine dump and
				# heap?debug=1 whatever the counts, and time for them): does the
				# default collection reach the same top finding?
				"$TRIAGE" collect -q --force --timeout 600 --deadline 900 -o "$W/stacks-full.tgz" "$TPID" \
					> "$W/stacks-full.out" 2>&1
				if [ -s "$W/stacks-full.tgz" ] &&
				   "$TRIAGE" analyze --format json "$W/stacks-full.tgz" > "$W/stacks-full.json" 2>/dev/null; then
					ftop=$(python3 -c 'import json, sys; f = json.load(open(sys.argv[1]))["findings"]; print(f[0]["id"] if f else "(none)")' "$W/stacks-full.json")
					row "target 2: top finding, default vs full" "$top" "$ftop" "$([ "$top" = "$ftop" ] && echo ok || echo MISS)"
				else
					echo "  full collection failed: $(cat "$W/stacks-full.out")"
				fi
			else
				fail "analyze exit: $(cat "$W/stacks.analyze")"
			fi
		else
			fail "stacks.tgz missing or its manifest unreadable"
		fi
		[ -n "$KEEP" ] && cp "$W/stacks.tgz" "$KEEP/bench-collect-stacks.tgz"
	fi
	kill -KILL "$TPID"; wait "$TPID" 2>/dev/null
fi

echo
printf '%-44s %14s   %-22s %s\n' figure value target verdict
for r in "${ROWS[@]}"; do echo "$r"; done
echo
echo "bench-collect ($MODE, $(( $(date +%s) - T0 )) s): ${#ROWS[@]} figures, $MISSES MISS, $([ $status -eq 0 ] && echo "no functional failure" || echo "FUNCTIONAL FAILURE")"
exit $status
