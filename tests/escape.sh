#!/usr/bin/env bash
# Terminal escape injection (issue 17): names from input (function names,
# profile comments, manifest fields, rule text built from them) reach the
# terminal and the text/Markdown reports with control characters escaped;
# a bundle member whose name holds ESC or a newline is refused.
set -u
: "${TRIAGE:?}" "${SRCDIR:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

python3 - "$SRCDIR/bundles/case2-unclosed-body.tgz" "$dir" <<'PY' || exit 1
import gzip, io, json, os, sys, tarfile
src, d = sys.argv[1], sys.argv[2]
# same-length substitutions keep every protobuf length prefix valid:
# an OSC title, a screen clear, a forged report line, an 8-bit CSI (C1)
subs = [(b"GetObject", b"\x1b]0;X\x07ect"), (b"dialConn", b"\x1b[2J\nCon"),
        (b"readLoop", b"re\xc2\x9b31mp")]
out = tarfile.open(os.path.join(d, "evil.tgz"), "w:gz")
with tarfile.open(src) as t:
    for m in t.getmembers():
        data = t.extractfile(m).read()
        if m.name.endswith(".pb.gz"):
            raw = gzip.decompress(data)
            for a, b in subs:
                raw = raw.replace(a, b)
            data = gzip.compress(raw)
        elif m.name == "manifest.json":
            j = json.loads(data)
            j["target"]["exe"] = "/bin/\x1b[31mred\x1b[0m"
            j.setdefault("host", {})["hostname"] = "h\x1b]0;owned\x07\nforged: line"
            data = json.dumps(j).encode()
        elif m.name == "proc/status" or m.name.startswith("cgroup/"):
            pass
        m.size = len(data)
        out.addfile(m, io.BytesIO(data))
out.close()
# a member name with ESC and one with a newline
for name, member in (("esc-member.tgz", "proc/\x1b[2Jx"), ("nl-member.tgz", "proc/a\nb")):
    with tarfile.open(os.path.join(d, name), "w:gz", format=tarfile.PAX_FORMAT) as t:
        data = json.dumps({"format": "triage.bundle", "format_version": "1.0", "artifacts": []}).encode()
        i = tarfile.TarInfo("manifest.json"); i.size = len(data); t.addfile(i, io.BytesIO(data))
        i = tarfile.TarInfo(member); i.size = 1; t.addfile(i, io.BytesIO(b"x"))
PY

fail=0
# no ESC (0x1b), BEL (0x07), C1 CSI (0xc2 0x9b) in what was printed
raw_controls() { LC_ALL=C grep -c $'\x1b\|\x07\|\xc2\x9b' "$1"; }
check() { # what file must-contain
	local n
	n=$(raw_controls "$2")
	if [ "$n" -ne 0 ]; then
		echo "FAIL $1: $n line(s) with raw control characters"; LC_ALL=C grep -n $'\x1b\|\x07' "$2" | cat -v | head -5; fail=1
	elif ! grep -qF -- "$3" "$2"; then
		echo "FAIL $1: no '$3' in:"; head -30 "$2"; fail=1
	else
		echo "ok   $1"
	fi
}

"$TRIAGE" top "$dir/evil.tgz" >"$dir/top.out" 2>&1
check "top (heap, names escaped)" "$dir/top.out" '\x1b[2J\nCon'
"$TRIAGE" top --profile goroutine "$dir/evil.tgz" >"$dir/top-g.out" 2>&1
check "top (goroutine, C1 escaped)" "$dir/top-g.out" 're\u009b31mp'
"$TRIAGE" show "$dir/evil.tgz" >"$dir/show.out" 2>&1
check "show (manifest fields)" "$dir/show.out" '/bin/\x1b[31mred\x1b[0m'
grep -q "^forged: line" "$dir/show.out" && { echo "FAIL show: a newline in the hostname forged a line"; fail=1; }
"$TRIAGE" show --format json "$dir/evil.tgz" >"$dir/show.json" 2>&1
check "show --format json" "$dir/show.json" '\u001b[31mred'
for fmt in text markdown; do
	"$TRIAGE" analyze --no-color --format $fmt "$dir/evil.tgz" >"$dir/report.$fmt" 2>&1
	check "analyze --format $fmt" "$dir/report.$fmt" '\x1b]0;X\x07ect'
done

for b in esc-member.tgz nl-member.tgz; do
	out=$("$TRIAGE" show "$dir/$b" 2>&1); rc=$?
	if [ $rc -ne 2 ] || [[ "$out" != *"unsafe path"* ]] || LC_ALL=C grep -q $'\x1b' <<<"$out" ||
	   [ "$(wc -l <<<"$out")" -ne 1 ]; then
		echo "FAIL $b: exit $rc: $(cat -v <<<"$out")"; fail=1
	else
		echo "ok   $b: $out"
	fi
done
exit $fail
