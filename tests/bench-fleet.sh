#!/usr/bin/env bash
# Fleet analysis speed: N bundles (copies of the corpus bundles with varied
# pod identities, tests/tools/fleet-corpus.py) analyzed by
# 'triage analyze --fleet' with one worker per core and with one worker,
# printing bundles per second for both and the speed-up.
#
#   tests/bench-fleet.sh           quick (40 bundles; what meson test runs)
#   tests/bench-fleet.sh --full    500 bundles, by hand
#   tests/bench-fleet.sh N         N bundles
#
# It checks only that every bundle was analyzed both times: speed on a
# shared, loaded CI machine is reported, not asserted.
set -u
: "${TRIAGE:=$(dirname "$0")/../build/triage}" "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
n=40
case "${1:-}" in
--full) n=500 ;;
'') ;;
*) n=$1 ;;
esac
. "$SRCDIR/tests/workdir.sh" triage-bench-fleet

python3 "$SRCDIR/tests/tools/fleet-corpus.py" "$WORK/fleet" "$n" "$SRCDIR"/bundles/*.tgz || die "fleet-corpus.py"
cores=$(nproc)
run() {
	"$TRIAGE" analyze --fleet "$WORK/fleet" --jobs "$1" --format json >"$WORK/out-$1.json" 2>"$WORK/err-$1" ||
		die "--jobs $1: $(cat "$WORK/err-$1")"
	python3 - "$WORK/out-$1.json" "$n" <<'PY' || exit 1
import json, sys
s = json.load(open(sys.argv[1]))
if s["analyzed"] != int(sys.argv[2]):
    print("FAIL: %d of %s analyzed" % (s["analyzed"], sys.argv[2]))
    sys.exit(1)
print("%.2f %.1f" % (s["bundles_per_second"], s["seconds"]))
PY
}
read -r all all_s < <(run "$cores") || exit 1
read -r one one_s < <(run 1) || exit 1
echo "bench-fleet: $n bundles: $all bundles/s with $cores workers (${all_s} s), $one bundles/s with 1 worker (${one_s} s), speed-up $(python3 -c "print('%.2f' % ($all / $one))")x (load average $(cut -d' ' -f1 /proc/loadavg))"
