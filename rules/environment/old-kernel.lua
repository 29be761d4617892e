-- Old kernels with cgroup v1 (casebook case 4: 3.10) reclaim a cgroup's
-- page cache poorly and count it against the limit; cgroup v2 on a modern
-- kernel does better.
return {
  id = "environment-old-kernel-cgroup-v1",
  rung = "environment",
  title = "Old kernel with cgroup v1",
  requires = { "kernel" },
  check = function(b, r)
    local k = b.kernel
    local v = b.cgroup and b.cgroup.version or (b.cgroup_info and b.cgroup_info.version)
    if k.major < 4 or (k.major == 4 and k.minor < 5) then
      local cache = b.cgroup and ((b.cgroup.active_file or 0) + (b.cgroup.inactive_file or 0)) or 0
      r:finding{
        severity = (v == 1 and cache > 0) and "high" or "medium",
        confidence = 0.7,
        title = string.format("Kernel %s%s", k.release, v == 1 and " with cgroup v1" or ""),
        summary = "Kernels this old (RHEL/CentOS 7 ship 3.10) predate MADV_FREE (4.5) and the cgroup v2 memory controller; cgroup v1 on them is known to keep page cache charged to containers and to reclaim it late, so working sets sit near the limit.",
        evidence = { "kernel " .. k.release, "cgroup v" .. tostring(v or "?") },
        advice = { "move the nodes to a kernel >= 5.x with cgroup v2 (the unified hierarchy)",
                   "until then size limits for page cache, or restart on a controlled threshold below the limit" },
        refs = { "https://docs.kernel.org/admin-guide/cgroup-v1/memory.html", "shared/casebook.md case 4" },
      }
    else
      r:rule_out{ reason = string.format("kernel %s is recent", k.release),
                  evidence = { v == 1 and "cgroup v1; v2 accounts and reclaims page cache better" or
                               ("cgroup v" .. tostring(v or "?")) } }
    end
  end,
}
