#!/usr/bin/env python3
"""Makes a fleet of bundles from the corpus, for the fleet tests and benchmark.

usage: fleet-corpus.py OUTDIR N SRC.tgz...

Writes OUTDIR/fleet-0000.tgz .. fleet-(N-1).tgz, copies of the SRC bundles
in turn, each with its manifest.json rewritten to look like a different pod
of a fleet: a pod identity (UID, QoS class, container ID, runtime, cgroup
driver, as triage collect records them from a kubelet cgroup path), one of
seven node host names, and a module version and build ID from one of three
releases (the version also in buildinfo/buildinfo.json, whose sha256 and
bytes in the manifest are updated to match). Everything else is the
original bundle byte for byte, in the original order; deterministic in N.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

RUNTIMES = [("containerd", "systemd"), ("cri-o", "systemd"), ("docker", "systemd"),
            (None, "cgroupfs"), ("cri-o", "cgroupfs")]
QOS = ["Burstable", "Guaranteed", "BestEffort"]


def rewrite(src, dst, i, nsrc):
    h = hashlib.sha256(("pod-%d" % i).encode()).hexdigest()
    uid = "%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
    release = (i // nsrc) % 3
    version = "v1.%d.0" % release
    runtime, driver = RUNTIMES[i % len(RUNTIMES)]
    with tarfile.open(src, "r:gz") as tin:
        members = [(m, tin.extractfile(m).read() if m.isfile() else None) for m in tin.getmembers()]
    data = {m.name: d for m, d in members}
    manifest = json.loads(data["manifest.json"])
    target = manifest.setdefault("target", {})
    pod = {"uid": uid, "qos_class": QOS[i % len(QOS)],
           "container_id": hashlib.sha256(("ctr-%d" % i).encode()).hexdigest(), "cgroup_driver": driver}
    if runtime:
        pod["runtime"] = runtime
    target["pod"] = pod
    target["build_id"] = hashlib.sha1(("%s-%s" % (target.get("main_module", "?"), version)).encode()).hexdigest()[:20]
    manifest.setdefault("host", {})["hostname"] = "node-%d" % (i % 7)
    if "buildinfo/buildinfo.json" in data:
        bi = json.loads(data["buildinfo/buildinfo.json"])
        if not isinstance(bi.get("main"), dict):
            bi["main"] = {"path": target.get("main_module", "unknown")}
        bi["main"]["version"] = version
        new = (json.dumps(bi, indent=2) + "\n").encode()
        data["buildinfo/buildinfo.json"] = new
        for a in manifest.get("artifacts", []):
            if a.get("path") == "buildinfo/buildinfo.json":
                a["sha256"] = hashlib.sha256(new).hexdigest()
                a["bytes"] = len(new)
    data["manifest.json"] = (json.dumps(manifest, indent=2) + "\n").encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tout:
        for m, _ in members:
            d = data[m.name]
            if d is not None:
                m.size = len(d)
                tout.addfile(m, io.BytesIO(d))
            else:
                tout.addfile(m)
    tmp = dst + ".tmp"
    with open(tmp, "wb") as f:
        f.write(gzip.compress(buf.getvalue(), compresslevel=6, mtime=0))
    os.rename(tmp, dst)


def main():
    out, n, srcs = sys.argv[1], int(sys.argv[2]), sorted(sys.argv[3:])
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        rewrite(srcs[i % len(srcs)], os.path.join(out, "fleet-%04d.tgz" % i), i, len(srcs))


if __name__ == "__main__":
    main()
