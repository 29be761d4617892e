#!/bin/bash
# Benchmark `triage analyze` on a large real bundle, against `gzip -dc` of
# the same bundle (the floor: every byte of a gzip tarball must be
# inflated once).
#
#   bench-analyze.sh [--quick|--full]     (no argument = --quick)
#
# The bundle comes from a live tests/go/manystacks target (MemProfileRate=1,
# every stack distinct, parked goroutines) collected with triage collect:
# quick: 30k stacks, 2k goroutines; full: 262k stacks, 20k goroutines
# (heap?debug=1 alone is then ~200 MB of text; collecting takes a minute or
# two). The full bundle is kept in $BUILDDIR/bench-analyze/ for the next run.
# Prints: the bundle's compressed and uncompressed size, analyze's median
# wall time and gzip's over 5 runs taken alternately, their ratio,
# callgrind instruction counts of both (stable on a loaded machine), and
# analyze's peak RSS. Fails only when a command fails, never on the figures.
#
# Environment: TRIAGE, SRCDIR, BUILDDIR as for the other shell tests.
set -u

mode=quick
case "${1:-}" in
"" | --quick) mode=quick ;;
--full) mode=full ;;
*) echo "usage: $0 [--quick|--full]" >&2; exit 2 ;;
esac
if [ $mode = full ]; then STACKS=262000 GOROUTINES=20000; else STACKS=30000 GOROUTINES=2000; fi

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR/build}
TRIAGE=${TRIAGE:-$BUILDDIR/triage}
command -v go >/dev/null || { echo "SKIP: go not installed"; exit 77; }
[ -x "$TRIAGE" ] || { echo "FAIL: triage binary not found at $TRIAGE" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-analyze.XXXXXX") || exit 1
PID=
cleanup() { [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "FAIL: $*" >&2; exit 1; }

export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOWORK=off GO111MODULE=on GOSUMDB=off
export GOPATH=$WORK/gopath GOCACHE=$BUILDDIR/go-cache
mkdir -p "$BUILDDIR/bench-analyze" "$GOCACHE"
BUNDLE=$BUILDDIR/bench-analyze/$mode.tgz
if [ ! -s "$BUNDLE" ]; then
	(cd "$SRCDIR/tests/go/manystacks" && go build -o "$WORK/manystacks" .) || die "go build manystacks"
	"$WORK/manystacks" -stacks "$STACKS" -goroutines "$GOROUTINES" -serve 127.0.0.1:0 \
		-exit-after 900s 2> "$WORK/target.err" &
	PID=$!
	for _ in $(seq 600); do grep -q "listening on" "$WORK/target.err" && break; sleep 0.5; done
	grep -q "listening on" "$WORK/target.err" || die "the target did not start: $(cat "$WORK/target.err")"
	"$TRIAGE" collect -q --cpu-seconds 2 --timeout 600 --deadline 900 -o "$WORK/b.tgz" "$PID" \
		> /dev/null || die "triage collect"
	kill -KILL "$PID"; PID=
	mv "$WORK/b.tgz" "$BUNDLE" || die "keeping the bundle"
fi

csize=$(stat -c %s "$BUNDLE")
usize=$(gzip -dc "$BUNDLE" | wc -c)
echo "bundle: $STACKS heap stacks, $GOROUTINES goroutines; $csize bytes compressed, $usize uncompressed"

ms() { local s e; s=$(date +%s%N); "$@" > /dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
a=() g=()
for _ in 1 2 3 4 5; do
	a+=("$(ms "$TRIAGE" analyze --format json -o /dev/null "$BUNDLE")")
	g+=("$(ms gzip -dc "$BUNDLE")")
done
median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
am=$(median "${a[@]}") gm=$(median "${g[@]}")
echo "wall: analyze median ${am} ms (${a[*]}), gzip -dc median ${gm} ms (${g[*]}), ratio $(awk -v a="$am" -v g="$gm" 'BEGIN { printf "%.2f", g ? a / g : 0 }')"
rss=$( { /usr/bin/time -f %M "$TRIAGE" analyze --format json -o /dev/null "$BUNDLE" > /dev/null; } 2>&1 | tail -1)
echo "peak RSS: analyze ${rss} KB"
if command -v valgrind > /dev/null; then
	ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 > /dev/null | sed -n 's/.*Collected : //p'; }
	# in process (--rule-timeout 0): callgrind counts one process
	ti=$(ir "$TRIAGE" analyze --rule-timeout 0 --format json -o /dev/null "$BUNDLE")
	gi=$(ir gzip -dc "$BUNDLE")
	echo "instructions: analyze $ti, gzip -dc $gi, ratio $(awk -v a="$ti" -v g="$gi" 'BEGIN { printf "%.2f", g ? a / g : 0 }')"
fi
