#!/usr/bin/env bash
# The ledger and the findings against real processes in their own memory
# cgroups: every byte of the headline explained once, and no finding that
# an SRE would chase in vain.
#
#  1. MADV_FREE: a Go program returns 700 MiB with GODEBUG=madvdontneed=0;
#     the pages stay in RSS as LazyFree. No off-heap (cgo) finding, the
#     madv-free finding says which number the pages inflate, and the
#     ledger's leaves sum to the headline.
#  2. cgo: a Go program mallocs and touches 500 MiB in C. The off-heap
#     finding is there, sized from the ledger, and there is no LazyFree.
#  2b. a mapped 500 MiB data file: named, with its RSS, in the ledger and
#     the top finding.
#  3. a healthy Debian prometheus in a cgroup with no memory limit, shared
#     with a process that fills 1 GiB of page cache: nothing at medium or
#     above, since nothing can be OOM-killed for the cgroup's sake.
#
# Only 127.0.0.1 is used; every process started here is killed by PID and
# every cgroup made here removed on exit.
set -u
: "${TRIAGE:?}" "${SRCDIR:?}" "${BUILDDIR:?}"
command -v go >/dev/null || { echo "skip: no go"; exit 77; }
command -v gcc >/dev/null || { echo "skip: no gcc for cgo"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root for cgroups"; exit 77; }
CG=/sys/fs/cgroup/memory
[ -w "$CG" ] || { echo "skip: no writable cgroup v1 memory hierarchy"; exit 77; }

W=$(mktemp -d /tmp/triage-ledger.XXXXXX)
PIDS=() CGS=()
cleanup() {
	local p c
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	for c in "${CGS[@]}"; do rmdir "$c" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=1
export GOCACHE=${GOCACHE:-$BUILDDIR/go-cache}
(cd "$SRCDIR/tests/go/ledger-cases" && go build -o "$W/ledger-cases" .) || { echo "FAIL: go build"; exit 1; }

status=0
fail() { echo "FAIL: $*"; status=1; }
ok() { echo "ok   $*"; }

# new_cgroup NAME [LIMIT]: a memory cgroup (no limit when LIMIT is empty); sets CGDIR
new_cgroup() {
	CGDIR=$CG/triage-ledger-$$-$1
	mkdir "$CGDIR" || return 1
	CGS+=("$CGDIR")
	[ -z "${2:-}" ] || echo "$2" > "$CGDIR/memory.limit_in_bytes"
}

# wait_for FILE TEXT: until TEXT appears in FILE (the program's stderr)
wait_for() {
	local i
	for i in $(seq 600); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# check BUNDLE: the report's JSON in $W/report.json, and the ledger rules
# common to every case; prints what it found
check_ledger() {
	"$TRIAGE" analyze --format json -o "$W/report.json" "$1" || { fail "analyze $1: exit $?"; return 1; }
	python3 - "$W/report.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
led = d["ledger"]
h = led["headline"]["bytes"]
leaves = led["leaves"]
s = sum(l["bytes"] for l in leaves)
un = sum(l["bytes"] for l in leaves if l["id"] == "unattributed")
claimed = {}
bad = []
for f in d["findings"]:
    for c in f.get("claims") or []:
        if c in claimed:
            bad.append("leaf %s claimed twice" % c)
        claimed[c] = f["id"]
if s != h: bad.append("leaves sum to %d, headline %d" % (s, h))
if abs(un) > max(0.02 * h, 4 << 20): bad.append("unattributed %d" % un)
print("   headline %s %d; leaves: %s" % (led["headline"]["name"], h,
      ", ".join("%s=%d" % (l["id"], l["bytes"]) for l in leaves)))
print("   findings: " + ", ".join("%s %s %s" % (f["severity"], f["id"], f["bytes"]) for f in d["findings"]))
if bad:
    print("FAIL: " + "; ".join(bad))
    sys.exit(1)
PY
}

finding() { # id -> "severity bytes" or nothing
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(next(("%s %s" % (f["severity"], f["bytes"]) for f in d["findings"] if f["id"] == sys.argv[2]), ""))' "$W/report.json" "$1"
}

# 1. MADV_FREE
new_cgroup madvfree 2147483648 || fail "cgroup"
sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$CGDIR" \
	env GODEBUG=madvdontneed=0 "$W/ledger-cases" -mode madvfree -mb 700 -exit-after 120s 2> "$W/madvfree.err" &
P=$!; PIDS+=("$P")
if wait_for "$W/madvfree.err" "listening on"; then
	lazy=$(awk '/^LazyFree:/ { print $2 * 1024 }' "/proc/$P/smaps_rollup")
	"$TRIAGE" collect -q --cpu-seconds 0 -o "$W/madvfree.tgz" "$P" > /dev/null || fail "collect madvfree: exit $?"
	if check_ledger "$W/madvfree.tgz"; then
		off=$(finding runtime-off-heap); mf=$(finding runtime-madv-free)
		if [ "$lazy" -lt $((500 << 20)) ]; then
			fail "madvfree: only $lazy bytes LazyFree: the kernel reclaimed them"
		elif [ -n "$off" ]; then
			fail "madvfree: an off-heap finding ($off) for $lazy bytes of LazyFree"
		elif [ -z "$mf" ]; then
			fail "madvfree: no madv-free finding for $lazy bytes of LazyFree"
		else
			ok "MADV_FREE: LazyFree $lazy bytes, madv-free '$mf', no off-heap finding, leaves sum to the headline"
		fi
	else
		status=1
	fi
else
	fail "madvfree target did not start: $(cat "$W/madvfree.err")"
fi
kill "$P" 2>/dev/null

# 2. cgo malloc
new_cgroup cgo 2147483648 || fail "cgroup"
sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$CGDIR" \
	"$W/ledger-cases" -mode cgo -mb 500 -exit-after 120s 2> "$W/cgo.err" &
P=$!; PIDS+=("$P")
if wait_for "$W/cgo.err" "listening on"; then
	"$TRIAGE" collect -q --cpu-seconds 0 -o "$W/cgo.tgz" "$P" > /dev/null || fail "collect cgo: exit $?"
	if check_ledger "$W/cgo.tgz"; then
		off=$(finding runtime-off-heap); mf=$(finding runtime-madv-free)
		leaf=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["ledger"]["leaf"].get("anon.outside_go", 0))' "$W/report.json")
		case "$off" in
		medium*|high*|critical*)
			if [ -n "$mf" ]; then fail "cgo: a LazyFree finding ($mf)"
			elif [ "$leaf" -lt $((450 << 20)) ]; then fail "cgo: the outside-Go leaf is only $leaf bytes"
			else ok "cgo: off-heap '$off', ledger leaf anon.outside_go $leaf bytes, no LazyFree"; fi ;;
		*) fail "cgo: off-heap finding is '$off'" ;;
		esac
	else
		status=1
	fi
else
	fail "cgo target did not start: $(cat "$W/cgo.err")"
fi
kill "$P" 2>/dev/null

# 2b. a mapped 500 MiB data file: the ledger and the top finding name it, with its RSS
new_cgroup mapfile 2147483648 || fail "cgroup"
sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$CGDIR" \
	"$W/ledger-cases" -mode mapfile -mb 500 -file "$W/data.db" -exit-after 120s 2> "$W/mapfile.err" &
P=$!; PIDS+=("$P")
if wait_for "$W/mapfile.err" "listening on"; then
	"$TRIAGE" collect -q --cpu-seconds 0 -o "$W/mapfile.tgz" "$P" > /dev/null || fail "collect mapfile: exit $?"
	if check_ledger "$W/mapfile.tgz"; then
		python3 - "$W/report.json" "$W/data.db" <<'PY' && ok "a mapped 500 MiB file is named, with its RSS, in the ledger and the top finding" || status=1
import json, sys
d, path = json.load(open(sys.argv[1])), sys.argv[2]
rows = [r for r in d["ledger"]["rows"] if r["name"] == "mapped file data.db"]
top = d["findings"][0]
bad = []
if not rows or rows[0]["bytes"] < (450 << 20): bad.append("ledger row %r" % rows)
if path not in top["title"] or "MiB" not in top["title"]: bad.append("top finding %s: %s" % (top["id"], top["title"]))
if bad:
    print("FAIL: mapfile: " + "; ".join(bad))
    sys.exit(1)
PY
	else
		status=1
	fi
else
	fail "mapfile target did not start: $(cat "$W/mapfile.err")"
fi
kill "$P" 2>/dev/null

# 3. prometheus, no limit, a neighbour filling 1 GiB of page cache
if command -v prometheus > /dev/null; then
	new_cgroup shared || fail "cgroup"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p "$W/prom"
	printf 'global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ["127.0.0.1:%s"]\n' "$port" > "$W/prom/prometheus.yml"
	sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$CGDIR" \
		prometheus --config.file="$W/prom/prometheus.yml" --storage.tsdb.path="$W/prom/data" \
		--web.listen-address="127.0.0.1:$port" > "$W/prom/log" 2>&1 &
	P=$!; PIDS+=("$P")
	# the neighbour: writes 1 GiB and reads it twice, so the pages are active
	sh -c 'echo $$ > "$1/cgroup.procs"; dd if=/dev/zero of="$2" bs=1M count=1024 status=none &&
		cat "$2" > /dev/null && cat "$2" > /dev/null && exec sleep 120' sh "$CGDIR" "$W/cachefile" &
	N=$!; PIDS+=("$N")
	for _ in $(seq 600); do
		curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$port/-/ready" &&
			[ "$(awk '/^(total_)?active_file / { print $2; exit }' "$CGDIR/memory.stat")" -gt $((700 << 20)) ] && break
		sleep 0.2
	done
	active=$(awk '/^(total_)?active_file / { print $2; exit }' "$CGDIR/memory.stat")
	"$TRIAGE" collect -q --cpu-seconds 1 -o "$W/prom.tgz" "$P" > /dev/null || fail "collect prometheus: exit $?"
	if check_ledger "$W/prom.tgz"; then
		loud=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(f["id"] for f in d["findings"] if f["severity"] in ("medium", "high", "critical")))' "$W/report.json")
		if [ "$active" -lt $((700 << 20)) ]; then
			fail "prometheus: the neighbour's page cache is only $active bytes active"
		elif [ -n "$loud" ]; then
			fail "prometheus without a limit, $active bytes of a neighbour's active cache: $loud at medium or above"
		else
			ok "prometheus without a limit beside $active bytes of a neighbour's active page cache: nothing at medium or above"
		fi
	else
		status=1
	fi
	kill "$P" "$N" 2>/dev/null
else
	echo "note: prometheus not installed; case 3 not run"
fi
exit $status
