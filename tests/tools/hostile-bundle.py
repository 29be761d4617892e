#!/usr/bin/env python3
"""Rewrites a bundle with members replaced for one hostile input class (issue 17):
   hostile-bundle.py SRC DST CASE
   goroutines           profiles/goroutine-debug2.txt: 2,000,001 goroutines, one stack
   goroutines-distinct  the same, each goroutine in a state of its own
   long-lines           a 1 MiB line in proc/status, cgroup/memory.stat, the
                        goroutine dump and profiles/heap-debug1.txt (runtime/memstats.json
                        left out, so MemStats come from that text)
   dup-locations-heap   profiles/heap.pb.gz: 16M copies of one location (62 KB)
   nested-heap          profiles/heap.pb.gz gzipped three more times"""
import gzip, io, os, subprocess, sys, tarfile
src, dst, case = sys.argv[1:4]

def goroutines(n, distinct):
    out = io.BytesIO()
    for i in range(1, n + 1):
        state = b"select %d" % i if distinct else b"select"
        out.write(b"goroutine %d [%s, 5 minutes]:\nmain.w()\n\t/a.go:1 +0x1\n"
                  b"created by main.main in goroutine 1\n\t/a.go:9 +0x2\n\n" % (i, state))
    return out.getvalue()

line = b"x" * (1 << 20)

def edit(name, data):
    if case.startswith("goroutines") and name == "profiles/goroutine-debug2.txt":
        return goroutines(2000001, case == "goroutines-distinct")
    if case == "long-lines":
        if name == "proc/status":
            return b"Name:\t" + line + b"\n" + data
        if name == "cgroup/memory.stat":
            return data + b"total_x " + line	# no newline at the end
        if name == "profiles/goroutine-debug2.txt":
            i = data.index(b"\n", data.index(b"goroutine ")) + 1
            return data[:i] + line + b"(0x1)\n" + data[i:]
        if name == "profiles/heap-debug1.txt":
            # above the trailer, where the per-stack text is (bundles of
            # today's collect keep the trailer only: then at the start)
            i = data.find(b"# runtime.MemStats")
            i = i if i >= 0 else data.index(b"\n") + 1
            return data[:i] + line + b"\n" + data[i:]
        if name == "runtime/memstats.json":
            return None
    if case == "dup-locations-heap" and name == "profiles/heap.pb.gz":
        tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "amplified-profile.py")
        subprocess.run([sys.executable, tool, "dup-locations", dst + ".pb.gz"], check=True)
        with open(dst + ".pb.gz", "rb") as f:
            data = f.read()
        os.unlink(dst + ".pb.gz")
        return data
    if case == "nested-heap" and name == "profiles/heap.pb.gz":
        for _ in range(3):
            data = gzip.compress(data)
    return data

with tarfile.open(src) as t, tarfile.open(dst, "w:gz") as out:
    for m in t.getmembers():
        data = edit(m.name, t.extractfile(m).read())
        if data is None:
            continue
        m.size = len(data)
        out.addfile(m, io.BytesIO(data))
