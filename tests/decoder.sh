#!/usr/bin/env bash
# Hostile and broken profiles through the command line: each must give its
# own clear message and exit 2 — never a crash, never a hang. The fixtures
# are written by the unit test binary, from the same builder it tests with.
set -u
: "${TRIAGE:?}" "${BUILDDIR:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$BUILDDIR/tests/unit-profile" --write-fixtures "$dir" || { echo "cannot write fixtures"; exit 1; }

fail=0
expect() { # file exit-code message-substring
	local f=$1 code=$2 needle=$3 out rc
	out=$("$TRIAGE" top "$dir/$f" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne "$code" ] || [[ "$out" != *"$needle"* ]]; then
		echo "FAIL $f: exit $rc (want $code), message: $out (want: $needle)"
		fail=1
	else
		echo "ok   $f: $out"
	fi
}

expect empty.pb 2 "empty file"
expect garbage.pb 2 "neither gzip nor pprof protobuf"
expect truncated.pb.gz 2 "truncated gzip data"
expect bad-string-index.pb 2 "string index 99 out of range"
expect missing-location.pb 2 "refers to location id 99, which does not exist"
expect location-id-zero.pb 2 "has the reserved id 0"
expect sample-location-zero.pb 2 "refers to location id 0 (reserved)"
expect value-count-mismatch.pb 2 "sample 2 has 2 values but sample 0 has 1"
expect value-type-mismatch.pb 2 "declares 1 sample types"
expect missing-function.pb 2 "function id 42, which does not exist"
expect missing-mapping.pb 2 "mapping id 9, which does not exist"
expect duplicate-location.pb 2 "duplicate location id 2"
expect no-leading-empty-string.pb 2 'must start with ""'
expect nonexistent.pb 2 "No such file or directory"

# the bomb: default cap (1 GiB) and a small one
start=$(date +%s%N)
expect bomb.pb.gz 2 "over 64 times its compressed size"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "     bomb rejected in ${ms} ms"
out=$("$TRIAGE" top --max-decompressed 8M "$dir/bomb.pb.gz" 2>&1); rc=$?
if [ $rc -ne 2 ] || [[ "$out" != *"more than 8 MiB"* ]]; then
	echo "FAIL bomb with --max-decompressed 8M: $rc $out"; fail=1
fi

# the good ones still work, raw and gzip, text and json
for f in valid.pb valid.pb.gz; do
	out=$("$TRIAGE" top "$dir/$f" 2>&1); rc=$?
	if [ $rc -ne 0 ] || ! grep -q "main.leaf (inline)" <<<"$out"; then
		echo "FAIL $f: $rc $out"; fail=1
	fi
done
# a profile without samples is valid: pprof's empty table, rows: [] in JSON
out=$("$TRIAGE" top "$dir/no-samples.pb" 2>&1); rc=$?
if [ $rc -ne 0 ] || ! grep -q "^Showing nodes accounting for 0, 0% of 0 total$" <<<"$out"; then
	echo "FAIL no-samples.pb: $rc $out"; fail=1
else
	echo "ok   no-samples.pb: empty table"
fi
json=$("$TRIAGE" top --format json "$dir/no-samples.pb")
python3 -c 'import json, sys; d = json.loads(sys.argv[1]); sys.exit(0 if d["rows"] == [] and d["total"] == 0 else 1)' "$json" ||
	{ echo "FAIL no-samples.pb json: $json"; fail=1; }
json=$("$TRIAGE" top --format json "$dir/valid.pb")
grep -q '"total": 22' <<<"$json" || { echo "FAIL json total: $json"; fail=1; }

# pprof's names and drop_frames: a pattern that does not compile is
# ignored (as pprof ignores it) with a warning, never an error
out=$("$TRIAGE" top "$dir/drop-frames.pb" 2>&1); rc=$?
if [ $rc -ne 0 ] || ! grep -q " std::vector::push_back$" <<<"$out" || grep -q "malloc\|operator new" <<<"$out"; then
	echo "FAIL drop-frames.pb: $rc $out"; fail=1
fi
for f in bad-drop-frames.pb long-drop-frames.pb; do
	err=$("$TRIAGE" top "$dir/$f" 2>&1 >/dev/null); rc=$?
	out=$("$TRIAGE" top "$dir/$f" 2>/dev/null)
	if [ $rc -ne 0 ] || [[ "$err" != *"drop_frames not applied"* ]] || ! grep -q " malloc$" <<<"$out"; then
		echo "FAIL $f: $rc $err $out"; fail=1
	else
		echo "ok   $f: $err"
	fi
done

# issue 17: drop_frames patterns that made glibc's regcomp run for minutes
# and grow without bound are refused before regcomp, with a warning, and
# the profile is shown unpruned. The limit is generous (10 s) so a loaded
# machine under ASan cannot flake; the time is printed (well under 1 s).
reg="$SRCDIR/tests/fuzz/corpus/pprof"
for f in regress-regex-bomb-1.pb regress-regex-bomb-2.pb regress-regex-bomb-3.pb; do
	start=$(date +%s%N)
	out=$(timeout 10 "$TRIAGE" top "$reg/$f" 2>&1); rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	if [ $rc -ne 0 ] || [[ "$out" != *"drop_frames not applied"*"can match empty"* ]] ||
	   ! grep -q " malloc$" <<<"$out"; then
		echo "FAIL $f: exit $rc in ${ms} ms: $out"; fail=1
	else
		echo "ok   $f: refused in ${ms} ms"
	fi
done

# totals of INT64_MAX or INT64_MIN samples saturate instead of wrapping
# (two INT64_MAX samples once printed a negative total), with a warning
for f in regress-int64-max.pb regress-int64-min.pb; do
	out=$("$TRIAGE" top "$reg/$f" 2>&1); rc=$?
	json=$("$TRIAGE" top --format json "$reg/$f" 2>/dev/null)
	if [ $rc -ne 0 ] || [[ "$out" != *"past the 64-bit range"* ]] ||
	   { [ $f = regress-int64-max.pb ] && [[ "$out" == *" -"[0-9]* ]]; } ||
	   ! grep -q '"total": 9223372036854775807' <<<"$json"; then
		echo "FAIL $f: exit $rc: $out $json"; fail=1
	else
		echo "ok   $f: saturated, with a warning"
	fi
done

# issue 17: tiny gzip profiles whose messages decode to tens of times their
# size (2.5M copies of one location, a location of 1M empty lines) are
# refused by the decoder's memory budget, not after growing to gigabytes
for f in regress-duplicate-locations.pb.gz:"over 8 times its size" \
	 regress-location-lines.pb.gz:"needs more than 16 MiB of memory to unpack"; do
	out=$(timeout 30 "$TRIAGE" top "$reg/${f%%:*}" 2>&1); rc=$?
	if [ $rc -ne 2 ] || [[ "$out" != *"${f#*:}"* ]]; then
		echo "FAIL ${f%%:*}: exit $rc: $out"; fail=1
	else
		echo "ok   ${f%%:*}: $out"
	fi
done

# usage errors are exit 2 too
"$TRIAGE" top >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: no FILE must exit 2"; fail=1; }
"$TRIAGE" top --format xml "$dir/valid.pb" >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: bad --format must exit 2"; fail=1; }
"$TRIAGE" top -i nosuch "$dir/valid.pb" >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: bad sample index must exit 2"; fail=1; }
exit $fail
