-- Other processes in the same cgroup are charged to the same limit.
local fmt = require("triage.fmt")
return {
  id = "environment-other-processes",
  rung = "environment",
  title = "Other processes share the cgroup",
  requires = { "cgroup", "cgroup_procs" },
  check = function(b, r)
    local cg = b.cgroup
    local procs = b.cgroup_procs
    local rss_anon = b.status and b.status.RssAnon
    local others = (cg.anon and rss_anon) and (cg.anon - rss_anon) or 0
    if #procs <= 1 then
      r:rule_out("the target is alone in its cgroup")
      return
    end
    if others >= 32 * 1048576 and others >= 0.2 * (cg.anon or 1) then
      r:finding{
        severity = "medium",
        confidence = 0.7,
        bytes = others,
        claims = { "other_processes" },
        title = string.format("%d processes share the cgroup; %s of its anonymous memory is not the target's", #procs, fmt.bytes(others)),
        summary = "The cgroup's usage and limit cover every process in it. A sidecar, a shell, or child processes count against the same limit.",
        evidence = { string.format("cgroup anon %s, target RssAnon %s, %d processes", fmt.bytes(cg.anon), fmt.bytes(rss_anon), #procs) },
        advice = { "look at the other PIDs in cgroup/cgroup.procs; give heavy sidecars their own container" },
      }
    else
      r:rule_out{ reason = string.format("%d processes share the cgroup, but the others hold little memory", #procs),
                  evidence = { "cgroup anon not in the target: " .. fmt.bytes(others) } }
    end
  end,
}
