#!/bin/bash
# Compare `triage top` with `go tool pprof -top` on pprof profiles written by
# programs that are not Go (tests/node-pprof/):
#   node/dd-wall, node/dd-wall-lines, node/dd-heap
#       a real Node.js workload profiled by @datadog/pprof (V8's profilers,
#       native bindings from the npm package), written by its encoder;
#   node/inspector-cpu
#       the same workload profiled by V8's CPU profiler over the inspector
#       protocol, converted with pprof-format: two mappings, unsymbolized
#       locations without lines, native frames without file names;
#   synthetic/cxx-cpu, synthetic/cxx-heap
#       SYNTHETIC profiles shaped like a C++ profiler's output (mangled names,
#       partly symbolized mappings, [vdso], inline frames, sparse ids,
#       drop_frames/keep_frames).
# Every sample type of every profile is compared, in JSON (exact values) and
# text form, as tests/pprof_compare.py does for the Go profiles (kind "all").
#
# The npm packages are pinned by tests/node-pprof/package-lock.json and
# installed with npm into $BUILDDIR/node-pprof (kept between runs) or a
# temporary directory.
#
# Environment: TRIAGE (binary), SRCDIR (source root), BUILDDIR (build root).
# Optional: KEEP_PROFILES_DIR=DIR copies the generated profiles there.
# Exit: 0 all comparisons passed, 1 a comparison or a step failed, 77 skip
# (no node, npm, go or python3, or the npm registry cannot be reached).
set -u

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
TRIAGE=${TRIAGE:-${BUILDDIR:-$SRCDIR/build}/triage}
NODESRC=$SRCDIR/tests/node-pprof

for tool in node npm go python3; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
if [ ! -x "$TRIAGE" ]; then
	echo "FAIL: triage binary not found at $TRIAGE" >&2
	exit 1
fi

. "$SRCDIR/tests/workdir.sh" other-lang

# run_bg LOG CMD...: run CMD in the background (so the traps can kill it by
# PID), wait for it, and return its status; its output goes to LOG. One at
# a time.
run_bg() {
	local log=$1 pid rc
	shift
	"$@" >"$log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	wait "$pid"
	rc=$?
	PIDS=()
	return $rc
}

# --- npm packages ------------------------------------------------------------------
NPMDIR=$WORK/npm
if [ -n "${BUILDDIR:-}" ] && mkdir -p "$BUILDDIR/node-pprof" 2>/dev/null; then
	NPMDIR=$BUILDDIR/node-pprof
fi
mkdir -p "$NPMDIR" || die "mkdir $NPMDIR"
for f in package.json package-lock.json; do
	cmp -s "$NODESRC/$f" "$NPMDIR/$f" || cp "$NODESRC/$f" "$NPMDIR/$f" || die "copy $f"
done
if ! run_bg "$WORK/npm.log" npm install --prefix "$NPMDIR" --prefer-offline --no-audit --no-fund --ignore-scripts; then
	if grep -Eq 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|proxy' "$WORK/npm.log"; then
		tail -n 5 "$WORK/npm.log"
		echo "SKIP: npm registry not reachable"
		exit 77
	fi
	cat "$WORK/npm.log" >&2
	die "npm install"
fi
export NODE_PATH=$NPMDIR/node_modules

# --- profiles ---------------------------------------------------------------------
P=$WORK/prof
mkdir -p "$P"
echo "node $(node --version), npm $(npm --version 2>/dev/null)"
run_bg "$WORK/datadog.log" node "$NODESRC/datadog.js" "$P" 1500 ||
	{ cat "$WORK/datadog.log" >&2; die "datadog.js"; }
run_bg "$WORK/inspector.log" node "$NODESRC/inspector.js" "$P" 1000 ||
	{ cat "$WORK/inspector.log" >&2; die "inspector.js"; }
run_bg "$WORK/synthetic.log" node "$NODESRC/synthetic.js" "$P" ||
	{ cat "$WORK/synthetic.log" >&2; die "synthetic.js"; }
if [ -n "${KEEP_PROFILES_DIR:-}" ]; then
	mkdir -p "$KEEP_PROFILES_DIR" && cp "$P"/*.pb.gz "$KEEP_PROFILES_DIR"/ ||
		die "copying profiles to $KEEP_PROFILES_DIR"
fi

# go tool pprof must not find binaries to symbolize the profiles with: the
# comparison is about the profile's own contents.
mkdir -p "$WORK/no-binaries"
export PPROF_BINARY_PATH=$WORK/no-binaries

SPECS=(
	"node/dd-wall=all:$P/dd-wall.pb.gz"
	"node/dd-wall-lines=all:$P/dd-wall-lines.pb.gz"
	"node/dd-heap=all:$P/dd-heap.pb.gz"
	"node/inspector-cpu=all:$P/node-inspector-cpu.pb.gz"
	"synthetic/cxx-cpu=all:$P/cxx-synthetic-cpu.pb.gz"
	"synthetic/cxx-heap=all:$P/cxx-synthetic-heap.pb.gz"
)
python3 "$SRCDIR/tests/pprof_compare.py" --triage "$TRIAGE" --jobs 2 "${SPECS[@]}"
rc=$?
if [ $rc -ne 0 ] && [ -n "${BUILDDIR:-}" ] && mkdir -p "$BUILDDIR/other-lang-failed" 2>/dev/null; then
	cp "$P"/*.pb.gz "$BUILDDIR/other-lang-failed"/ &&
		echo "profiles kept in $BUILDDIR/other-lang-failed/"
fi
exit $rc
