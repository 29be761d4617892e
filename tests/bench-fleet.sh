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
# shared, loaded CI machine is reported, not asserted. It also prints the
# CPU seconds spent: on a machine shared with other sessions (autogroup
# scheduling gives each session one share of the CPUs however many
# processes it runs) bundles per CPU-second times the cores is what an idle
# machine would reach.
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
# run JOBS: "bundles/s seconds cpu-seconds" of one --fleet run (CPU of every
# process it waited for, workers and their rule children included)
run() {
	python3 - "$TRIAGE" "$WORK/fleet" "$1" "$n" "$WORK/out-$1.json" <<'PY' || exit 1
import json, resource, subprocess, sys
triage, fleet, jobs, n, out = sys.argv[1:]
with open(out, "w") as f:
    rc = subprocess.run([triage, "analyze", "--fleet", fleet, "--jobs", jobs, "--format", "json"],
                        stdout=f, stderr=subprocess.PIPE).returncode
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
s = json.load(open(out)) if rc == 0 else {}
if rc != 0 or s.get("analyzed") != int(n):
    print("FAIL: --jobs %s: rc %d, %s of %s analyzed" % (jobs, rc, s.get("analyzed"), n), file=sys.stderr)
    sys.exit(1)
print("%.2f %.1f %.1f" % (s["bundles_per_second"], s["seconds"], ru.ru_utime + ru.ru_stime))
PY
}
read -r all all_s all_cpu < <(run "$cores") || die "the run with $cores workers failed"
read -r one one_s one_cpu < <(run 1) || die "the run with 1 worker failed"
speedup=$(python3 -c "print('%.2f' % ($all / $one))")
per_cpu=$(python3 -c "print('%.1f' % ($n / $one_cpu))")
echo "bench-fleet: $n bundles: $all bundles/s with $cores workers (${all_s} s), $one bundles/s with 1 worker (${one_s} s): speed-up ${speedup}x"
echo "bench-fleet: CPU: ${all_cpu} s with $cores workers, ${one_cpu} s with 1: $per_cpu bundles per CPU-second"
# On a shared machine the wall-clock speed-up is capped by our share of the
# CPUs, not by triage: say how busy the machine was.
echo "bench-fleet: load average $(cut -d' ' -f1-3 /proc/loadavg), CPU pressure $(sed -n 's/^some avg10=\([0-9.]*\).*/\1%/p' /proc/pressure/cpu 2>/dev/null || echo unknown), autogroup scheduling $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo unknown)"
