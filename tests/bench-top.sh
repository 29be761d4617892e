#!/bin/bash
# Benchmark `triage top` on a large heap profile from tests/go/manystacks.
#
#   bench-top.sh [--quick|--full|--callgrind]     (no argument = --quick)
#
# callgrind: instruction counts of triage top and gzip -dc, and their
# ratio, for 10k, 65k, 262k and 1M distinct stacks: stable on a loaded
# machine, where wall time is not (target <= 2.5); plus the median wall
# time of 5 runs taken alternately and peak RSS against 1.5x the
# uncompressed profile + 12 MB.
#
# quick: ~30k distinct stacks (for CI, < 60 s); full: 260k (>= 250k).
# Prints: stack count, compressed/uncompressed size, best-of-3 wall time of
# `triage top FILE` (text and json), `go tool pprof -top FILE` and
# `gzip -dc FILE`, triage's peak RSS, and the ratios triage/pprof (target
# <= 0.1), triage/gzip (aim <= 3) and peak RSS / (2*uncompressed + 20 MB)
# (target <= 1). Fails only when a command fails, never on the figures.
#
# Environment: TRIAGE, SRCDIR, BUILDDIR as for the other shell tests.
set -u

mode=quick
case "${1:-}" in
"" | --quick) mode=quick ;;
--full) mode=full ;;
--callgrind) mode=callgrind ;;
*) echo "usage: $0 [--quick|--full|--callgrind]" >&2; exit 2 ;;
esac
if [ $mode = full ]; then STACKS=260000; else STACKS=30000; fi

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
TRIAGE=${TRIAGE:-${BUILDDIR:-$SRCDIR/build}/triage}

command -v go >/dev/null || { echo "SKIP: go not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
[ -x "$TRIAGE" ] || { echo "FAIL: triage binary not found at $TRIAGE" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-top.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM
die() { echo "FAIL: $*" >&2; exit 1; }

export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOWORK=off GO111MODULE=on GOSUMDB=off
export GOPATH=$WORK/gopath
if [ -n "${BUILDDIR:-}" ] && mkdir -p "$BUILDDIR/go-cache" 2>/dev/null; then
	export GOCACHE=$BUILDDIR/go-cache
else
	export GOCACHE=$WORK/go-cache
fi

(cd "$SRCDIR/tests/go/manystacks" && go build -o "$WORK/manystacks" .) || die "go build manystacks"

if [ $mode = callgrind ]; then
	command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed"; exit 77; }
	ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'; }
	ms() { local s e; s=$(date +%s%N); "$@" > /dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
	median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
	printf '%-8s %14s %14s %7s %10s %10s %7s %9s %9s\n' stacks triage-Ir gzip-Ir ratio triage-ms gzip-ms ratio rss-MB limit-MB
	for n in 10000 65000 262000 1000000; do
		mkdir -p "$WORK/$n"
		"$WORK/manystacks" -stacks "$n" "$WORK/$n" || die "running manystacks -stacks $n"
		f=$WORK/$n/heap.pb.gz
		ti=$(ir "$TRIAGE" top "$f"); gi=$(ir gzip -dc "$f")
		tw=() gw=()
		for _ in 1 2 3 4 5; do tw+=("$(ms "$TRIAGE" top "$f")"); gw+=("$(ms gzip -dc "$f")"); done
		tm=$(median "${tw[@]}"); gm=$(median "${gw[@]}")
		rss=$( { /usr/bin/time -f %M "$TRIAGE" top "$f" > /dev/null; } 2>&1 | tail -1)
		u=$(gzip -dc "$f" | wc -c)
		awk -v n="$n" -v ti="$ti" -v gi="$gi" -v tm="$tm" -v gm="$gm" -v rss="$rss" -v u="$u" 'BEGIN {
			printf "%-8s %14d %14d %7.2f %10d %10d %7.2f %9.1f %9.1f\n", n, ti, gi, ti / gi, tm, gm,
				gm ? tm / gm : 0, rss / 1024, (1.5 * u + 12 * 1048576) / 1048576 }'
	done
	exit 0
fi
"$WORK/manystacks" -stacks "$STACKS" "$WORK" || die "running manystacks"
FILE=$WORK/heap.pb.gz

stacks=$(python3 "$SRCDIR/tests/pprof_compare.py" --stacks "$FILE") || die "counting stacks"
csize=$(stat -c %s "$FILE") || die "stat"
usize=$(gzip -dc "$FILE" | wc -c) || die "gzip -dc"

now() { date +%s.%N; }

# best NAME CMD...: best-of-3 wall time of CMD (stdout discarded) in seconds.
best() {
	local name=$1 i t0 t1 b=""
	shift
	for i in 1 2 3; do
		t0=$(now)
		"$@" >/dev/null || die "$name failed: $*"
		t1=$(now)
		b=$(python3 -c 'import sys; t = float(sys.argv[2]) - float(sys.argv[1]); b = sys.argv[3]; print("%.4f" % (t if not b or t < float(b) else float(b)))' "$t0" "$t1" "$b")
	done
	echo "$b"
}

t_text=$(best "triage top" "$TRIAGE" top "$FILE") || exit 1
t_json=$(best "triage top --format json" "$TRIAGE" top --format json "$FILE") || exit 1
t_pprof=$(best "go tool pprof -top" go tool pprof -top "$FILE") || exit 1
t_gzip=$(best "gzip -dc" gzip -dc "$FILE") || exit 1

if [ -x /usr/bin/time ]; then
	/usr/bin/time -o "$WORK/rss" -f %M "$TRIAGE" top "$FILE" >/dev/null || die "triage top (under /usr/bin/time) failed"
	rss_kb=$(tail -n 1 "$WORK/rss")
else
	echo "note: /usr/bin/time not installed (Debian package 'time'); peak RSS not measured"
	rss_kb=""
fi

python3 - "$mode" "$stacks" "$csize" "$usize" "$t_text" "$t_json" "$t_pprof" "$t_gzip" "$rss_kb" <<'EOF'
import sys
mode, stacks, csize, usize = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
t_text, t_json, t_pprof, t_gzip = (float(x) for x in sys.argv[5:9])
rss_kb = int(sys.argv[9]) if sys.argv[9] else None
MB = 1 << 20
print("bench-top (%s)" % mode)
print("  distinct stacks            %d" % stacks)
print("  profile size               %.2f MB compressed, %.2f MB uncompressed" % (csize / MB, usize / MB))
print("  triage top (text)          %.3f s" % t_text)
print("  triage top --format json   %.3f s" % t_json)
print("  go tool pprof -top         %.3f s" % t_pprof)
print("  gzip -dc                   %.3f s" % t_gzip)
def ratio(a, b):
    return a / b if b > 0 else float("inf")
print("  triage/pprof               text %.3f, json %.3f  (target <= 0.1)" % (ratio(t_text, t_pprof), ratio(t_json, t_pprof)))
print("  triage/gzip                text %.2f, json %.2f  (aim <= 3)" % (ratio(t_text, t_gzip), ratio(t_json, t_gzip)))
if rss_kb is not None:
    budget = 2 * usize + 20 * MB
    print("  triage peak RSS            %.1f MB" % (rss_kb * 1024 / MB))
    print("  RSS/(2*uncompressed+20MB)  %.2f  (target <= 1)" % (rss_kb * 1024 / budget))
EOF
