-- The cgroup is at its limit, or has already killed: the pressure is real,
-- whatever fills it.
local fmt = require("triage.fmt")
return {
  id = "environment-near-limit",
  rung = "environment",
  title = "Memory usage at the cgroup limit, OOM kills",
  requires = { "cgroup" },
  check = function(b, r)
    local cg = b.cgroup
    local kills = cg.oom_kill or 0
    local fails = cg.max_events or 0
    if cg.limit_unlimited or not cg.limit then
      if kills > 0 then
        r:finding{ severity = "high", confidence = 0.8, title = fmt.count(kills) .. " OOM kills in this cgroup",
                   summary = "The kernel killed processes in this cgroup for lack of memory.",
                   evidence = { "oom_kill " .. kills } }
      else
        r:rule_out("the cgroup has no memory limit and no OOM kills")
      end
      return
    end
    local use = cg.usage or 0
    local ws = cg.working_set or use
    local ev = { string.format("usage %s, working set %s, limit %s", fmt.bytes(use), fmt.bytes(ws), fmt.bytes(cg.limit)) }
    if kills > 0 then ev[#ev + 1] = "oom_kill " .. kills end
    if fails > 0 then ev[#ev + 1] = "the limit was hit " .. fmt.count(fails) .. " times (failcnt / max events)" end
    -- far from the limit now is not far from it for long when it grows
    local gs = b.growth and b.growth.series
    local projection = gs and gs.headline and gs.headline.projection
    if projection then ev[#ev + 1] = projection end
    if kills > 0 or ws >= 0.9 * cg.limit then
      r:finding{
        severity = kills > 0 and "critical" or "high",
        confidence = 0.9,
        -- a symptom, not a cause: it claims no bytes, so what explains them ranks first
        title = kills > 0 and string.format("%s OOM kills; working set at %s of the limit", fmt.count(kills), fmt.pct(ws, cg.limit))
                or string.format("Working set at %s of the %s limit", fmt.pct(ws, cg.limit), fmt.bytes(cg.limit)),
        summary = "The container is at its memory limit. The other rungs say what fills it; this one says the pressure is real.",
        evidence = ev,
        advice = { "fix what the ranking puts first; raise the limit only if the ledger shows the memory is needed" },
      }
    elseif fails > 0 then
      r:finding{ severity = "medium", confidence = 0.7, title = "The cgroup hit its limit " .. fmt.count(fails) .. " times",
                 summary = "Reclaim ran at the limit; no OOM kill yet.", evidence = ev }
    else
      r:rule_out{ reason = string.format("working set at %s of the limit, no OOM kills", fmt.pct(ws, cg.limit)), evidence = ev }
    end
  end,
}
