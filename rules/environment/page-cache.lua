-- File-heavy work fills the cgroup's page cache (casebook case 4).
local fmt = require("triage.fmt")
return {
  id = "environment-page-cache",
  rung = "environment",
  title = "Page cache fills the container's memory",
  requires = { "cgroup" },
  check = function(b, r)
    local cg = b.cgroup
    local file = cg.file or ((cg.active_file or 0) + (cg.inactive_file or 0))
    local base = (not cg.limit_unlimited and cg.limit) or cg.usage
    if not base or base == 0 then r:inconclusive("no cgroup usage or limit") return end
    if cg.limit_unlimited or not cg.limit then
      -- without a limit the cache is reclaimed when the host needs memory;
      -- it cannot fill "the container's memory"
      r:rule_out{ reason = "the cgroup has no memory limit, so page cache cannot push it to an OOM kill",
                  evidence = { string.format("page cache %s (active %s)", fmt.bytes(file), fmt.bytes(cg.active_file or 0)) } }
      return
    end
    if file >= 0.4 * base and file >= 32 * 1048576 then
      local growth = b.growth and b.growth.best and b.growth.best.active_file
      local ev = { string.format("page cache %s (active %s, inactive %s) against %s %s", fmt.bytes(file),
                                 fmt.bytes(cg.active_file or 0), fmt.bytes(cg.inactive_file or 0),
                                 cg.limit_unlimited and "usage" or "limit", fmt.bytes(base)) }
      if growth and growth > 0 then ev[#ev + 1] = "active page cache grew by " .. fmt.bytes(growth) .. " over " .. b.growth.best.label end
      r:finding{
        severity = file >= 0.7 * base and "high" or "medium",
        confidence = 0.8,
        -- the bytes are the tooling finding's (page_cache.* leaves): this
        -- one is about the environment that lets the cache grow
        title = string.format("Page cache is %s of the container's memory", fmt.pct(file, base)),
        summary = "The workload reads and writes files and the kernel keeps them cached, charged to this cgroup. Inactive cache is reclaimed under pressure; active cache counts in the working set the kubelet acts on.",
        evidence = ev,
        advice = {
          "use O_DIRECT or posix_fadvise(DONTNEED) for files read once, or write scratch files to a tmpfs with its own limit",
          "run file-heavy work in a separate container with a limit sized for its cache",
        },
        refs = { "https://docs.kernel.org/admin-guide/cgroup-v2.html#memory", "shared/casebook.md case 4" },
      }
    else
      r:rule_out{ reason = "page cache is a small part of the container's memory",
                  evidence = { string.format("page cache %s of %s", fmt.bytes(file), fmt.bytes(base)) } }
    end
  end,
}
