#!/usr/bin/env bash
# triage top reads profiles straight out of a bundle (a gzip tarball) and
# refuses bundles whose member names or types could escape or mislead.
set -u
: "${TRIAGE:?}" "${BUILDDIR:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$BUILDDIR/tests/unit-profile" --write-fixtures "$dir" || exit 1

python3 - "$dir" <<'PY' || exit 1
import io, os, sys, tarfile
d = sys.argv[1]
valid = open(os.path.join(d, "valid.pb.gz"), "rb").read()

def bundle(name, members):
    with tarfile.open(os.path.join(d, name), "w:gz") as t:
        for m in members:
            path, kind = m[0], m[1]
            info = tarfile.TarInfo(path)
            if kind == "file":
                data = m[2]
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = "/etc/passwd"
                t.addfile(info)
            elif kind == "device":
                info.type = tarfile.CHRTYPE
                info.devmajor, info.devminor = 1, 3
                t.addfile(info)

bundle("good.tgz", [("manifest.json", "file", b"{}"), ("profiles", "dir"),
                    ("profiles/heap.pb.gz", "file", valid),
                    ("profiles/goroutine.pb.gz", "file", valid)])
bundle("dotdot.tgz", [("../escape", "file", b"x"), ("profiles/heap.pb.gz", "file", valid)])
bundle("absolute.tgz", [("/etc/evil", "file", b"x"), ("profiles/heap.pb.gz", "file", valid)])
bundle("symlink.tgz", [("profiles/link", "symlink"), ("profiles/heap.pb.gz", "file", valid)])
bundle("device.tgz", [("dev", "device"), ("profiles/heap.pb.gz", "file", valid)])
bundle("noheap.tgz", [("manifest.json", "file", b"{}")])
bundle("badprofile.tgz", [("profiles/heap.pb.gz", "file", b"\x1f\x8b\x08\x00garbage")])
PY

fail=0
run() { # want-exit needle args...
	local want=$1 needle=$2 out rc
	shift 2
	out=$("$TRIAGE" top "$@" 2>&1); rc=$?
	if [ $rc -ne "$want" ] || [[ "$out" != *"$needle"* ]]; then
		echo "FAIL top $*: exit $rc (want $want), output: $out (want: $needle)"; fail=1
	else
		echo "ok   top ${*##*/}"
	fi
}
run 0 "main.leaf (inline)" "$dir/good.tgz"
run 0 "main.leaf" --profile goroutine "$dir/good.tgz"
run 0 '"total": 22' --format json --profile profiles/heap.pb.gz "$dir/good.tgz"
run 2 "has no entry 'profiles/cpu.pb.gz'" --profile cpu "$dir/good.tgz"
run 2 "unknown profile 'nosuch'" --profile nosuch "$dir/good.tgz"
run 2 "unsafe path '../escape'" "$dir/dotdot.tgz"
run 2 "unsafe path '/etc/evil'" "$dir/absolute.tgz"
run 2 "not a regular file" "$dir/symlink.tgz"
run 2 "not a regular file" "$dir/device.tgz"
run 2 "has no entry 'profiles/heap.pb.gz'" "$dir/noheap.tgz"
run 2 "good.tgz:profiles/heap.pb.gz" --profile heap --sample-index nosuch "$dir/good.tgz"
run 2 "badprofile.tgz:profiles/heap.pb.gz" "$dir/badprofile.tgz"
run 2 "applies to bundles" --profile heap "$dir/valid.pb"
# both sides of a diff can be samples of one bundle; an entry against itself is refused
# (the same diff as of the two profiles taken out of the bundle by tar)
C3=$SRCDIR/bundles/case3-etcd-watch.tgz
mkdir "$dir/c3" && tar -xzf "$C3" -C "$dir/c3" samples
for p in heap goroutine; do
	want=$("$TRIAGE" top -n 3 --base "$dir/c3/samples/000/profiles/$p.pb.gz" \
		"$dir/c3/samples/001/profiles/$p.pb.gz" 2>&1 | grep -A4 '^Showing nodes')
	got=$("$TRIAGE" top -n 3 --profile $p --base "$C3:samples/000" "$C3:samples/001" 2>&1 | grep -A4 '^Showing nodes')
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		echo "ok   top --profile $p --base BUNDLE:samples/000 BUNDLE:samples/001: $(echo "$want" | head -1)"
	else
		echo "FAIL top --profile $p --base samples: got '$got', want (from the files) '$want'"
		fail=1
	fi
done
rm -rf "$dir/c3"
run 2 "itself; name another entry" -p samples/001/profiles/heap.pb.gz --base "$C3" "$C3"
[ -z "$(ls -A "$dir" | grep -v -e '\.pb' -e '\.tgz')" ] || { echo "FAIL: files appeared"; ls "$dir"; fail=1; }
exit $fail
