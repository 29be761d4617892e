#!/usr/bin/env bash
# Resource ceilings of triage analyze (issue 17): facts are loaded under a
# budget of their own, so a bundle with huge JSON cannot starve the rules;
# an analysis in which rules ran out of resources never exits as a clean one.
set -u
: "${TRIAGE:?}" "${SRCDIR:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

# case 2 (a high finding) with a buildinfo.json holding an object of 2M keys (9.6 MB)
python3 - "$SRCDIR/bundles/case2-unclosed-body.tgz" "$dir/keys2m.tgz" <<'PY' || exit 1
import io, json, sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
out = tarfile.open(dst, "w:gz")
with tarfile.open(src) as t:
    for m in t.getmembers():
        data = t.extractfile(m).read()
        if m.name == "buildinfo/buildinfo.json":
            j = json.loads(data)
            j["evil"] = {"k%d" % i: i for i in range(2000000)}
            data = json.dumps(j, separators=(",", ":")).encode()
        m.size = len(data)
        out.addfile(m, io.BytesIO(data))
out.close()
PY
out=$("$TRIAGE" analyze --fail-on high "$dir/keys2m.tgz" 2>&1); rc=$?
if [ $rc -ne 1 ] || ! grep -q "business-unclosed-response-body" <<<"$out" ||
   grep -q "memory limit" <<<"$out" || ! grep -q "^RULES: .* 0 failed" <<<"$out"; then
	echo "FAIL 2M-key buildinfo.json: exit $rc (want 1, the rules run):"; grep -n "RULES\|FINDINGS\|memory" <<<"$out" | head; fail=1
else
	echo "ok   2M-key buildinfo.json: rules ran, --fail-on high exits 1"
fi

# a 2.6 MB build info of 1.3M tiny values (once 629 MB): refused by the
# JSON value bound, the rules run, memory stays small
python3 - "$SRCDIR/bundles/case2-unclosed-body.tgz" "$dir/bi.tgz" <<'PY' || exit 1
import io, json, sys, tarfile
out = tarfile.open(sys.argv[2], "w:gz")
with tarfile.open(sys.argv[1]) as t:
    for m in t.getmembers():
        data = t.extractfile(m).read()
        if m.name == "buildinfo/buildinfo.json":
            j = json.loads(data); j["deps"] = [0] * 1300000
            data = json.dumps(j, separators=(",", ":")).encode()
        m.size = len(data)
        out.addfile(m, io.BytesIO(data))
out.close()
PY
out=$(/usr/bin/time -f "maxrss %M" "$TRIAGE" analyze "$dir/bi.tgz" 2>&1); rc=$?
kb=$(sed -n 's/^maxrss //p' <<<"$out")
if [ $rc -ne 0 ] || [[ "$out" != *"more than 200000 JSON values"* ]] || [ "${kb:-999999}" -gt 204800 ]; then
	echo "FAIL 2.6 MB build info: exit $rc, ${kb} KB"; grep -m3 "buildinfo\|RULES" <<<"$out"; fail=1
else
	echo "ok   2.6 MB build info: refused as a fact, rules ran, peak ${kb} KB"
fi

# profiles that inflate hundreds of times (8000 sample types of zeros, a
# 200 MiB string): refused once past 64 MiB + 64x what was read, memory
# a small multiple of that
for kind in types string; do
	python3 "$SRCDIR/tests/tools/amplified-profile.py" $kind "$dir/$kind.pb.gz" || exit 1
	out=$(/usr/bin/time -f "maxrss %M" "$TRIAGE" top "$dir/$kind.pb.gz" 2>&1); rc=$?
	kb=$(sed -n 's/^maxrss //p' <<<"$out")
	if [ $rc -ne 2 ] || [[ "$out" != *"over 64 times its compressed size"* ]] || [ "${kb:-999999}" -gt 524288 ]; then
		echo "FAIL amplified profile ($kind): exit $rc, ${kb} KB: $out"; fail=1
	else
		echo "ok   amplified profile ($kind): refused, peak ${kb} KB"
	fi
done

# rules that run out of instructions: the report is written, the exit is 2, with or without --fail-on
for args in "" "--fail-on critical"; do
	# shellcheck disable=SC2086
	out=$("$TRIAGE" analyze $args --max-instructions 1000 "$SRCDIR/bundles/case2-unclosed-body.tgz" 2>&1); rc=$?
	if [ $rc -ne 2 ] || ! grep -q "analysis is incomplete" <<<"$out" || ! grep -q "^RULES:" <<<"$out"; then
		echo "FAIL starved rules ($args): exit $rc (want 2): $(tail -3 <<<"$out")"; fail=1
	else
		echo "ok   starved rules ($args): exit 2, 'analysis is incomplete'"
	fi
done

# zero-filled members: 600 MiB in a bundle of under 1 MB is refused from the
# headers, by the bound on what a bundle of that size may hold
python3 - "$dir/zeros.tgz" <<'PY' || exit 1
import io, sys, tarfile
class Zeros(io.RawIOBase):
    def __init__(self, n): self.left = n
    def readable(self): return True
    def readinto(self, b):
        n = min(len(b), self.left); b[:n] = bytes(n); self.left -= n; return n
with tarfile.open(sys.argv[1], "w:gz") as t:
    for name in ("proc/a", "proc/b"):
        i = tarfile.TarInfo(name); i.size = 300 << 20
        t.addfile(i, io.BufferedReader(Zeros(i.size)))
PY
for cmd in show analyze; do
	out=$(/usr/bin/time -f "maxrss %M" "$TRIAGE" $cmd "$dir/zeros.tgz" 2>&1); rc=$?
	kb=$(sed -n 's/^maxrss //p' <<<"$out")
	if [ $rc -ne 2 ] || [[ "$out" != *"more than its size allows"* ]] || [ "${kb:-999999}" -gt 204800 ]; then
		echo "FAIL zero members ($cmd): exit $rc, ${kb} KB: $out"; fail=1
	else
		echo "ok   zero members ($cmd): refused, peak ${kb} KB"
	fi
done
exit $fail
