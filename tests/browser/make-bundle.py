#!/usr/bin/env python3
"""Bundles for tests/html-report.sh.

    make-bundle.py markup OUT.tgz          a bundle whose function names, exe
                                           path and module hold HTML markup
    make-bundle.py wrap HEAP.pb.gz OUT.tgz a bundle around one heap profile

The markup bundle's heap profile is written here, field by field, from
profile.proto: a few stacks whose names would run script if the report
pasted them into the page.
"""
import gzip
import io
import json
import sys
import tarfile

MARKUP = [
    "main.<script>window.__pwned=true</script>",
    'example.com/evil.(*T).</script><img src=x onerror="window.__pwned=true">',
    "main.amp&amp;<b>bold</b>",
    "main.line\u2028separator\u2029end",
]


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, payload):
    """A length-delimited field."""
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def vfield(num, n):
    return varint(num << 3) + varint(n)


def packed(num, values):
    return field(num, b"".join(varint(v) for v in values))


def heap_profile(stacks):
    """stacks: [([root..leaf function names], [alloc_objects, alloc_space, inuse_objects, inuse_space])]"""
    strings = [""]

    def s(x):
        if x not in strings:
            strings.append(x)
        return strings.index(x)

    out = bytearray()
    for t, u in [("alloc_objects", "count"), ("alloc_space", "bytes"),
                 ("inuse_objects", "count"), ("inuse_space", "bytes")]:
        out += field(1, vfield(1, s(t)) + vfield(2, s(u)))
    funcs = {}
    for names, _ in stacks:
        for n in names:
            funcs.setdefault(n, len(funcs) + 1)
    for names, values in stacks:
        # location ids equal function ids: one line per location; leaf first
        out += field(2, packed(1, [funcs[n] for n in reversed(names)]) + packed(2, values))
    for n, i in funcs.items():
        out += field(4, vfield(1, i) + field(4, vfield(1, i) + vfield(2, 10 + i)))
    for n, i in funcs.items():
        out += field(5, vfield(1, i) + vfield(2, s(n)) + vfield(3, s(n)) + vfield(4, s("main.go")))
    out += field(11, vfield(1, s("space")) + vfield(2, s("bytes")))
    for x in strings:
        out += field(6, x.encode("utf-8"))
    out += vfield(12, 524288)
    return gzip.compress(bytes(out))


def write_bundle(out, files):
    with tarfile.open(out, "w:gz") as tf:
        for name, data in files:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mode = 0o644
            tf.addfile(ti, io.BytesIO(data))


def manifest(exe, module):
    return json.dumps({
        "format": "triage.bundle", "format_version": "1.0", "triage_version": "test",
        "target": {"pid": 4242, "exe": exe, "go_version": "go1.22.0", "main_module": module},
        "host": {"hostname": "<i>host</i>", "kernel": "6.1.0", "machine": "x86_64"},
        "collection": {"start": "2026-11-22T04:52:48.527Z", "mode": "pid"},
        "artifacts": [],
    }, indent=1).encode()


def main():
    if sys.argv[1] == "markup":
        stacks = [
            (["main.main", MARKUP[0]], [10, 10485760, 5, 5242880]),
            (["main.main", MARKUP[1], MARKUP[2]], [4, 4194304, 2, 2097152]),
            (["main.main", MARKUP[3]], [2, 2097152, 1, 1048576]),
            (["main.main", "runtime.mallocgc"], [1, 1048576, 1, 1048576]),
        ]
        files = [
            ("manifest.json", manifest("/srv/<script>window.__pwned=true</script>/app", "example.com/<b>app</b>")),
            ("buildinfo/buildinfo.json", json.dumps({
                "go_version": "go1.22.0", "path": "example.com/app",
                "main": {"path": "example.com/app", "version": "(devel)"},
                "deps": [{"path": "example.com/evil", "version": "v1.0.0"}]}).encode()),
            ("profiles/heap.pb.gz", heap_profile(stacks)),
        ]
        write_bundle(sys.argv[2], files)
        print("\n".join(MARKUP))
    elif sys.argv[1] == "wrap":
        with open(sys.argv[2], "rb") as f:
            heap = f.read()
        write_bundle(sys.argv[3], [("manifest.json", manifest("/srv/manystacks", "example.com/manystacks")),
                                   ("profiles/heap.pb.gz", heap)])
    else:
        sys.exit("usage: make-bundle.py markup OUT.tgz | wrap HEAP.pb.gz OUT.tgz")


if __name__ == "__main__":
    main()
