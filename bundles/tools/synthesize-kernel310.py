#!/usr/bin/env python3
"""Make the synthetic kernel-3.10 variant of a triage bundle.

usage: synthesize-kernel310.py IN.tgz OUT.tgz

Incident case 4 of the casebook (seeds/003) happened on CentOS 7, kernel
3.10.0-693.2.2.el7 with cgroup v1. That kernel cannot run here, so the corpus
keeps a REAL bundle collected on this host (kernel 6.x, cgroup v1 memory
hierarchy plus a cgroup2 mount: hybrid) and derives from it this SYNTHETIC
one, which shows the same process and the same cgroup numbers as a 3.10 host
would print them. Only these artifacts are rewritten:

  host/osrelease, host/version, host/uname.json   the 3.10.0-693.2.2.el7 kernel
  cgroup/memory.stat, samples/*/cgroup/memory.stat
      the same numbers under the keys and in the order of a 3.10 (RHEL 7)
      memory.stat: cache rss rss_huge mapped_file swap pgpgin pgpgout pgfault
      pgmajfault inactive_anon active_anon inactive_file active_file
      unevictable hierarchical_memory_limit hierarchical_memsw_limit, then
      the total_* of each; keys 3.10 does not have (shmem, dirty, writeback,
      workingset_*, swapcached) are dropped; "unlimited" is 2^63-1 as 3.10's
      res_counter prints it, not the page-rounded value of newer kernels
  cgroup/memory.soft_limit_in_bytes   unlimited as 3.10 prints it
  cgroup/memory.oom_control           without the oom_kill line (added in 4.13)
  cgroup/info.json                    cgroup v1 only: no cgroup2 mount (4.5+)

and in manifest.json: host.kernel, and bytes and sha256 of each rewritten
artifact, plus a "synthetic" object saying what was done and from which
bundle (readers ignore fields they do not know). Every other archive member
is copied byte for byte, in the same order, with the same tar headers.

Left as collected on the 6.x host (documented, not hidden): proc/status has
RssAnon/RssFile (4.5+), proc/smaps_rollup exists (4.14+), proc/cgroup and
proc/mountinfo show the cgroup2 mount, host/pressure-memory exists (PSI,
4.20+). A rule that needs the kernel should read host/osrelease.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

RELEASE = "3.10.0-693.2.2.el7.x86_64"
UNAME_VERSION = "#1 SMP Tue Sep 12 22:26:13 UTC 2017"
VERSION = ("Linux version %s (builder@kbuilder.dev.centos.org) (gcc version 4.8.5 "
           "20150623 (Red Hat 4.8.5-16) (GCC) ) %s\n" % (RELEASE, UNAME_VERSION))
UNLIMITED_310 = 9223372036854775807  # RESOURCE_MAX: LLONG_MAX
UNLIMITED_NEW = 9223372036854771712  # PAGE_COUNTER_MAX * PAGE_SIZE

# 3.10 (RHEL 7) mem_cgroup_stat_names, mem_cgroup_events_names, mem_cgroup_lru_names
STATS = ["cache", "rss", "rss_huge", "mapped_file", "swap"]
EVENTS = ["pgpgin", "pgpgout", "pgfault", "pgmajfault"]
LRU = ["inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable"]


def memory_stat_310(text):
    kv = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2:
            kv[parts[0]] = int(parts[1])
    out = []
    for k in STATS + EVENTS + LRU:
        out.append("%s %d" % (k, kv.get(k, 0)))
    for k in ("hierarchical_memory_limit", "hierarchical_memsw_limit"):
        v = kv.get(k, UNLIMITED_NEW)
        out.append("%s %d" % (k, UNLIMITED_310 if v >= UNLIMITED_NEW else v))
    for k in STATS + EVENTS + LRU:
        out.append("total_%s %d" % (k, kv.get("total_" + k, kv.get(k, 0))))
    return "\n".join(out) + "\n"


def oom_control_310(text):
    keep = [l for l in text.splitlines() if l.split()[:1] in (["oom_kill_disable"], ["under_oom"])]
    return "\n".join(keep) + "\n"


def soft_limit_310(text):
    v = int(text.strip())
    return "%d\n" % (UNLIMITED_310 if v >= UNLIMITED_NEW else v)


def uname_310(text):
    u = json.loads(text)
    u["release"] = RELEASE
    u["version"] = UNAME_VERSION
    return json.dumps(u, indent=2, ensure_ascii=False) + "\n"


def info_310(text):
    info = json.loads(text)
    info["hybrid"] = False
    info["v2"] = None
    return json.dumps(info, indent=2, ensure_ascii=False) + "\n"


REWRITE = {
    "host/osrelease": lambda t: RELEASE + "\n",
    "host/version": lambda t: VERSION,
    "host/uname.json": uname_310,
    "cgroup/memory.stat": memory_stat_310,
    "cgroup/memory.oom_control": oom_control_310,
    "cgroup/memory.soft_limit_in_bytes": soft_limit_310,
    "cgroup/info.json": info_310,
}


def rewriter(path):
    if path in REWRITE:
        return REWRITE[path]
    if path.startswith("samples/") and path.endswith("/cgroup/memory.stat"):
        return memory_stat_310
    return None


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: synthesize-kernel310.py IN.tgz OUT.tgz\n")
        return 2
    src, dst = argv[1], argv[2]
    src_bytes = open(src, "rb").read()
    members = []  # (TarInfo, bytes)
    with tarfile.open(fileobj=io.BytesIO(src_bytes), mode="r:gz") as tf:
        for ti in tf:
            if not ti.isfile():
                raise SystemExit("%s: unexpected member %s" % (src, ti.name))
            members.append((ti, tf.extractfile(ti).read()))
    if not members or members[0][0].name != "manifest.json":
        raise SystemExit("%s: manifest.json is not the first member" % src)
    manifest = json.loads(members[0][1])
    if manifest.get("format") != "triage.bundle":
        raise SystemExit("%s: not a triage bundle" % src)
    by_path = {a["path"]: a for a in manifest["artifacts"]}

    replaced = []
    out = []
    for ti, data in members[1:]:
        fn = rewriter(ti.name)
        if fn is not None:
            new = fn(data.decode("utf-8")).encode("utf-8")
            a = by_path.get(ti.name)
            if a is None or a.get("status") != "ok":
                raise SystemExit("%s: %s is not an ok artifact" % (src, ti.name))
            a["bytes"] = len(new)
            a["sha256"] = hashlib.sha256(new).hexdigest()
            replaced.append(ti.name)
            data = new
        out.append((ti, data))
    for path in ("host/osrelease", "host/version", "host/uname.json", "cgroup/memory.stat"):
        if path not in replaced:
            raise SystemExit("%s: no %s to rewrite" % (src, path))

    manifest["host"]["kernel"] = RELEASE
    manifest["synthetic"] = {
        "what": "kernel and cgroup artifacts rewritten to show a Linux 3.10 (CentOS 7) host with cgroup v1; "
                "everything else as collected on the real host",
        "tool": "bundles/tools/synthesize-kernel310.py",
        "from": os.path.basename(src),
        "from_sha256": hashlib.sha256(src_bytes).hexdigest(),
        "from_kernel": json.loads(members[0][1])["host"].get("kernel"),
        "replaced": replaced,
        "not_replaced_though_newer_than_3.10": [
            "proc/status (RssAnon/RssFile)", "proc/smaps_rollup", "proc/cgroup", "proc/mountinfo",
            "host/pressure-memory"],
    }
    mtext = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    mti = members[0][0]  # its tar header is reused with the new size

    tmp = dst + ".tmp"
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tw:
        for ti, data in [(mti, mtext)] + out:
            nti = tarfile.TarInfo(ti.name)
            nti.size = len(data)
            nti.mtime, nti.mode, nti.uid, nti.gid = ti.mtime, ti.mode, ti.uid, ti.gid
            nti.uname, nti.gname, nti.type = ti.uname, ti.gname, ti.type
            tw.addfile(nti, io.BytesIO(data))
    with open(tmp, "wb") as f:
        f.write(gzip.compress(raw.getvalue(), mtime=0))
    os.chmod(tmp, 0o600)
    os.replace(tmp, dst)
    print(dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
