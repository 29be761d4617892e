#!/usr/bin/env bash
# Hostile bundles: every one is refused with a clear message naming the
# bundle and the problem, exit 2, nothing written, no crash, no hang.
set -u
: "${TRIAGE:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/cwd"

python3 - "$dir" <<'PY' || exit 1
import io, os, sys, tarfile, gzip, json, random
d = sys.argv[1]
manifest = json.dumps({"format": "triage.bundle", "format_version": "1.0",
                       "triage_version": "test", "target": {"pid": 1},
                       "artifacts": [{"path": "proc/status", "source": "proc", "status": "ok",
                                      "error": None, "bytes": 3, "sha256": "", "start": "",
                                      "duration_ms": 0}],
                       "future_field": {"ignored": True}}).encode()

def member(t, path, kind="file", data=b"", **kw):
    info = tarfile.TarInfo(path)
    if kind == "file":
        info.size = kw.get("size", len(data))
        t.addfile(info, io.BytesIO(data))
    elif kind == "symlink":
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"; t.addfile(info)
    elif kind == "hardlink":
        info.type, info.linkname = tarfile.LNKTYPE, "manifest.json"; t.addfile(info)
    elif kind == "device":
        info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3; t.addfile(info)
    elif kind == "fifo":
        info.type = tarfile.FIFOTYPE; t.addfile(info)

def bundle(name, members):
    with tarfile.open(os.path.join(d, name), "w:gz", format=tarfile.PAX_FORMAT) as t:
        for m in members:
            member(t, *m[:2], **(m[2] if len(m) > 2 else {}))

def ok(extra=()):
    return [("manifest.json", "file", {"data": manifest}), ("proc/status", "file", {"data": b"ok\n"})] + list(extra)

def fix(members):
    return [(m[0], m[1], m[2]) if len(m) > 2 else m for m in members]

bundle("good.tgz", ok())
bundle("dotdot.tgz", ok([("../../etc/cron.d/x", "file", {"data": b"x"})]))
bundle("inner-dotdot.tgz", ok([("proc/../../x", "file", {"data": b"x"})]))
bundle("absolute.tgz", ok([("/etc/passwd", "file", {"data": b"x"})]))
bundle("symlink.tgz", ok([("proc/link", "symlink")]))
bundle("hardlink.tgz", ok([("proc/hard", "hardlink")]))
bundle("device.tgz", ok([("proc/null", "device")]))
bundle("fifo.tgz", ok([("proc/fifo", "fifo")]))
bundle("duplicate.tgz", ok([("proc/status", "file", {"data": b"again\n"})]))
bundle("bad-manifest.tgz", [("manifest.json", "file", {"data": b"{not json"})])
bundle("array-manifest.tgz", [("manifest.json", "file", {"data": b"[1,2]"})])
bundle("future-major.tgz", [("manifest.json", "file", {"data": manifest.replace(b'"1.0"', b'"7.2"')})])
bundle("no-version.tgz", [("manifest.json", "file", {"data": b'{"format": "triage.bundle"}'})])
bundle("empty-archive.tgz", [])
open(os.path.join(d, "empty.tgz"), "wb").close()
random.seed(7)
open(os.path.join(d, "random.tgz"), "wb").write(bytes(random.randrange(256) for _ in range(4096)))
good = open(os.path.join(d, "good.tgz"), "rb").read()
open(os.path.join(d, "truncated.tgz"), "wb").write(good[: len(good) // 2])
# a member that claims 3 GiB (header only): refused from the header, never inflated
hdr = tarfile.TarInfo("profiles/heap.pb.gz"); hdr.size = 3 << 30
raw = hdr.tobuf(format=tarfile.GNU_FORMAT) + b"\0" * 1024
open(os.path.join(d, "huge-entry.tgz"), "wb").write(gzip.compress(raw))
# 4 GiB declared (octal size field), and 2^40 (pax size record): refused from the header
hdr = tarfile.TarInfo("profiles/heap.pb.gz"); hdr.size = 4 << 30
raw = hdr.tobuf(format=tarfile.GNU_FORMAT) + b"\0" * 1024
open(os.path.join(d, "huge-entry-4g.tgz"), "wb").write(gzip.compress(raw))
hdr.size = 1 << 40
raw = hdr.tobuf(format=tarfile.PAX_FORMAT) + b"\0" * 1024
open(os.path.join(d, "huge-entry-pax.tgz"), "wb").write(gzip.compress(raw))
# nested gzip: a bundle gzipped twice more is still read (libarchive peels
# every gzip layer); 600 MiB of zeros under three layers (490 bytes) is
# refused from the headers like the one-layer kind
open(os.path.join(d, "nested.tgz"), "wb").write(gzip.compress(gzip.compress(good)))
class Zeros(io.RawIOBase):
    def __init__(self, n): self.left = n
    def readable(self): return True
    def readinto(self, b):
        n = min(len(b), self.left); b[:n] = bytes(n); self.left -= n; return n
with open(os.path.join(d, "nested-zeros.tgz"), "wb") as f3, \
     gzip.GzipFile(fileobj=f3, mode="wb") as f2, gzip.GzipFile(fileobj=f2, mode="wb") as f1, \
     gzip.GzipFile(fileobj=f1, mode="wb") as f0, tarfile.open(fileobj=f0, mode="w") as t:
    for name in ("proc/a", "proc/b"):
        info = tarfile.TarInfo(name); info.size = 300 << 20
        t.addfile(info, io.BufferedReader(Zeros(info.size)))
# many small members
with tarfile.open(os.path.join(d, "many.tgz"), "w:gz") as t:
    info = tarfile.TarInfo("x")
    for i in range(100001):
        info.name = "f/%d" % i
        t.addfile(info, io.BytesIO(b""))
PY

fail=0
expect() { # bundle exit needle
	local out rc
	out=$(cd "$dir/cwd" && "$TRIAGE" show "$dir/$1" 2>&1); rc=$?
	if [ $rc -ne "$2" ] || [[ "$out" != *"$3"* ]]; then
		echo "FAIL $1: exit $rc (want $2): $out (want: $3)"; fail=1
	else
		echo "ok   $1: $(head -1 <<<"$out")"
	fi
}
expect good.tgz 0 "1 artifacts: 1 ok"
expect dotdot.tgz 2 "unsafe path '../../etc/cron.d/x'"
expect inner-dotdot.tgz 2 "unsafe path 'proc/../../x'"
expect absolute.tgz 2 "unsafe path '/etc/passwd'"
expect symlink.tgz 2 "'proc/link', which is not a regular file"
expect hardlink.tgz 2 "'proc/hard', which is not a regular file"
expect device.tgz 2 "'proc/null', which is not a regular file"
expect fifo.tgz 2 "'proc/fifo', which is not a regular file"
expect duplicate.tgz 2 "holds 'proc/status' twice"
expect bad-manifest.tgz 2 "manifest.json is not a JSON object"
expect array-manifest.tgz 2 "manifest.json is not a JSON object"
expect future-major.tgz 2 "has format 7.2; this triage reads format 1.x"
expect no-version.tgz 2 "no format_version"
expect empty-archive.tgz 2 "is empty"
expect empty.tgz 2 "cannot"
expect random.tgz 2 "cannot"
expect truncated.tgz 2 "truncated"
expect huge-entry.tgz 2 "larger than 1 GiB"
expect huge-entry-4g.tgz 2 "larger than 1 GiB"
expect huge-entry-pax.tgz 2 "larger than 1 GiB"
expect nested.tgz 0 "1 artifacts: 1 ok"
expect nested-zeros.tgz 2 "more than its size allows"
expect many.tgz 2 "more than 100000 entries"
expect nonexistent.tgz 2 "No such file"
[ -z "$(ls -A "$dir/cwd")" ] || { echo "FAIL: files were written: $(ls -A "$dir/cwd")"; fail=1; }
exit $fail
