#!/usr/bin/env bash
# The whole test suite: the normal build's tests, the unit and decoder
# tests again under ASan+UBSan, the fuzz smoke run (tests/fuzz/run.sh
# --smoke: every libFuzzer harness on its corpus, then 20 s), then one
# summary line "N passed, N failed" counting all three.
set -uo pipefail

cd "$(dirname "$0")/.."
root=$PWD
summary() { python3 "$root/tests/summarize.py" "$@"; }

set -e
if [ ! -f build/build.ninja ]; then meson setup build --werror; fi
ninja -C build
# -fno-sanitize-recover=all: any UBSan report (qsort(NULL, 0) included) aborts
if [ ! -f build-asan/build.ninja ]; then
	meson setup build-asan --werror -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug -Dc_args=-fno-sanitize-recover=all
elif ! grep -q fno-sanitize-recover build-asan/meson-info/intro-buildoptions.json; then
	meson configure build-asan -Dc_args=-fno-sanitize-recover=all
fi
ninja -C build-asan
set +e

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
meson test -C build --print-errorlogs --num-processes 2
meson test -C build-asan --print-errorlogs --suite unit --suite decoder --suite sanitized
bash tests/fuzz/run.sh --smoke

summary build/meson-logs/testlog.json build-asan/meson-logs/testlog.json build-fuzz/fuzz-testlog.json
