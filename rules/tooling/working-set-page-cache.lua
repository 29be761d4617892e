-- The number that alarms is not what people think (casebook case 4): the
-- OOM killer, kubelet eviction and the usual dashboards read the cgroup
-- working set (usage - inactive_file), which counts ACTIVE page cache.
-- When it is far above the process's RSS, the memory is files, not the
-- program.
local fmt = require("triage.fmt")
local sev = require("triage.severity")
return {
  id = "tooling-working-set-page-cache",
  rung = "tooling",
  title = "The alarming number counts page cache, not the program's memory",
  requires = { "cgroup" },
  check = function(b, r)
    local cg = b.cgroup
    local ws, af = cg.working_set, cg.active_file or 0
    if not ws or ws == 0 then r:inconclusive("the cgroup working set is unknown") return end
    local rss = b.status and b.status.VmRSS
    local anon = cg.anon or rss or 0
    if af >= 0.3 * ws and anon <= 0.5 * ws then
      local ev = {
        string.format("working set %s = usage %s - inactive_file %s", fmt.bytes(ws), fmt.bytes(cg.usage),
                      fmt.bytes(cg.inactive_file or 0)),
        string.format("active page cache %s is %s of the working set", fmt.bytes(af), fmt.pct(af, ws)),
        string.format("anonymous memory (the programs' own) %s%s", fmt.bytes(anon),
                      rss and (", process RSS " .. fmt.bytes(rss)) or ""),
      }
      if cg.limit and not cg.limit_unlimited then
        ev[#ev + 1] = string.format("limit %s: working set at %s of it", fmt.bytes(cg.limit), fmt.pct(ws, cg.limit))
      end
      -- mostly cache and little program memory: the number itself misleads
      local misleading = af >= 0.5 * ws and anon <= 0.25 * ws
      local limited = cg.limit and not cg.limit_unlimited
      local near = limited and ws >= 0.8 * cg.limit
      local s = (misleading or near) and "high" or "medium"
      local procs = b.cgroup_procs and #b.cgroup_procs or 1
      if not limited then
        -- nothing is OOM-killed for the cgroup's sake without a limit: the
        -- working set misleads a dashboard, it threatens nothing
        s = "low"
        ev[#ev + 1] = "the cgroup has no memory limit: the working set cannot get the service killed"
      end
      if procs > 1 then
        ev[#ev + 1] = string.format("%d processes share the cgroup: the page cache may be theirs", procs)
        if not limited then s = sev.min(s, "low") end
      end
      r:finding{
        severity = s,
        confidence = misleading and 0.9 or 0.8,
        bytes = af,
        claims = { "page_cache.active", "page_cache.other" },
        title = string.format("%s of the %s working set is active page cache", fmt.bytes(af), fmt.bytes(ws)),
        summary = "container_memory_working_set_bytes (cAdvisor) and kubelet eviction use usage minus inactive_file, so file pages the kernel considers active count as the container's memory. The program itself uses far less; pprof and RSS are right, the dashboard number measures something else.",
        evidence = ev,
        advice = {
          "alert on RSS (container_memory_rss) or anon memory, and treat the working set as an upper bound",
          "size the limit for the page cache the workload needs, or move file-heavy work to a separate container",
        },
        refs = { "https://github.com/google/cadvisor/blob/master/container/libcontainer/handler.go",
                 "https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/",
                 "shared/casebook.md case 4" },
      }
    else
      r:rule_out{ reason = "the working set is mostly the programs' own memory",
                  evidence = { string.format("active page cache %s of working set %s; anon %s", fmt.bytes(af), fmt.bytes(ws), fmt.bytes(anon)) } }
    end
  end,
}
