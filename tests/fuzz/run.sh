#!/usr/bin/env bash
# The libFuzzer harnesses of tests/fuzz/ (one per entry point that parses
# bytes), built with clang, ASan and UBSan (-fno-sanitize-recover=all) in
# build-fuzz/, each run on its seed corpus (tests/fuzz/corpus/NAME, which
# holds the regression inputs of every defect found so far) and then for a
# time budget.
#
#   tests/fuzz/run.sh --smoke               every harness: its corpus, then 20 s (CI)
#   tests/fuzz/run.sh --minutes N [NAME..]  N minutes per harness, by hand
#
# Inputs found on the way go to build-fuzz/fuzz-corpus/NAME, never into the
# repository; a crash, leak or timeout leaves its input in
# build-fuzz/fuzz-artifacts/ (add it to tests/fuzz/corpus/NAME as
# regress-WHAT once fixed). Two harnesses run at a time. Per harness it
# prints the executions and the coverage (libFuzzer's "cov" edges), and it
# writes build-fuzz/fuzz-testlog.json, one meson-style result per harness,
# which tests/run-all.sh counts in its final line.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
fuzz_dir=tests/fuzz
out=build-fuzz

seconds=20
case "${1:-}" in
--smoke) shift ;;
--minutes)
	[ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --minutes N (N >= 1)" >&2; exit 2; }
	seconds=$(( $2 * 60 )); shift 2 ;;
*) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

all=$(sed -n "s/^  '\([a-z0-9]*\)',\$/\1/p" "$fuzz_dir/meson.build")
names=${*:-$all}

log_result() { # name result seconds
	printf '{"name": "fuzz-%s", "result": "%s", "duration": %s}\n' "$1" "$2" "$3" >> "$out/fuzz-testlog.json"
}

if ! command -v clang >/dev/null 2>&1; then
	echo "run.sh: clang is not installed (setup.sh test installs it): fuzzing skipped" >&2
	mkdir -p "$out"; : > "$out/fuzz-testlog.json"
	for n in $names; do log_result "$n" SKIP 0; done
	exit 0
fi
if [ ! -f "$out/build.ninja" ]; then
	# the whole library gets coverage instrumentation; only the harnesses link libFuzzer
	CC=clang meson setup "$out" --werror -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debugoptimized \
		"-Dc_args=-fsanitize=fuzzer-no-link -fno-sanitize-recover=all" >/dev/null || exit 1
fi
targets=""
for n in $names; do targets="$targets tests/fuzz/fuzz-$n"; done
# shellcheck disable=SC2086
ninja -C "$out" $targets >/dev/null || { ninja -C "$out" $targets | tail -20; exit 1; }

mkdir -p "$out/fuzz-artifacts" "$out/fuzz-logs"
: > "$out/fuzz-testlog.json"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

dict_of() {
	case "$1" in
	pprof) echo pprof ;; manifest|bundle) echo json ;; memstats) echo memstats ;;
	goroutines) echo goroutines ;; procfiles) echo procfiles ;; regexp) echo regexp ;;
	esac
}

run_one() { # name
	local n=$1 d args=() start rc
	d=$(dict_of "$n")
	mkdir -p "$out/fuzz-corpus/$n"
	[ -n "$d" ] && args+=("-dict=$root/$fuzz_dir/dict/$d.dict")
	start=$(date +%s)
	# -timeout is per input and generous: a loaded machine must not fake a hang
	"$out/tests/fuzz/fuzz-$n" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 \
		-print_final_stats=1 -artifact_prefix="$out/fuzz-artifacts/$n-" "${args[@]}" \
		"$out/fuzz-corpus/$n" "$fuzz_dir/corpus/$n" > "$out/fuzz-logs/$n.log" 2>&1
	rc=$?
	echo "$rc $(( $(date +%s) - start ))" > "$out/fuzz-logs/$n.rc"
}

running=0
for n in $names; do
	run_one "$n" &
	running=$((running + 1))
	if [ $running -ge 2 ]; then wait -n; running=$((running - 1)); fi
done
wait

failed=0
printf '%-11s %6s %10s %8s %6s  %s\n' HARNESS RESULT EXECS EXEC/S COV CORPUS
for n in $names; do
	read -r rc secs < "$out/fuzz-logs/$n.rc"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz-logs/$n.log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/fuzz-logs/$n.log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$out/fuzz-logs/$n.log" | tail -1 | cut -d' ' -f2)
	corp=$(grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' "$out/fuzz-logs/$n.log" | tail -1 | cut -d' ' -f2)
	if [ "$rc" -eq 0 ]; then
		res=OK
	else
		res=FAIL
		failed=1
	fi
	printf '%-11s %6s %10s %8s %6s  %s\n' "$n" "$res" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${corp:-?}"
	log_result "$n" "$res" "$secs"
	if [ "$res" = FAIL ]; then
		grep -m1 -A12 "ERROR: \|runtime error\|SUMMARY" "$out/fuzz-logs/$n.log" | head -20
		ls "$out/fuzz-artifacts/$n-"* 2>/dev/null | head -3
	fi
done
exit $failed
