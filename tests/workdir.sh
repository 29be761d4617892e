# Sourced by shell tests: a work directory and the processes started into
# it, both cleaned up on exit (processes are killed by PID), and die().
# usage: . "$SRCDIR/tests/workdir.sh" NAME
WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
PIDS=()
cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

die() { echo "FAIL: $*" >&2; exit 1; }
