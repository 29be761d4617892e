-- Go >= 1.19 can be told its container limit (GOMEMLIMIT); without it the
-- GC paces on GOGC alone and grows the heap to (1 + GOGC/100) x the live set,
-- past the cgroup limit.
local fmt = require("triage.fmt")
local semver = require("triage.semver")
return {
  id = "runtime-gomemlimit",
  rung = "runtime",
  title = "No GOMEMLIMIT under a container memory limit",
  requires = { "cgroup", "buildinfo" },
  check = function(b, r)
    local cg = b.cgroup
    local go = b.buildinfo.go_version
    if cg.limit_unlimited or not cg.limit then
      r:rule_out("the cgroup has no memory limit")
      return
    end
    local has_limit_api = semver.at_least(go, "go1.19")
    if has_limit_api == nil then
      r:inconclusive("the Go version is unknown")
      return
    elseif not has_limit_api then
      r:inconclusive(tostring(go) .. " predates GOMEMLIMIT (Go 1.19)")
      return
    end
    if b.env and b.env.GOMEMLIMIT then
      r:rule_out("GOMEMLIMIT is set to " .. b.env.GOMEMLIMIT)
      return
    end
    -- the heap goal is live x (1 + GOGC/100): twice the live data only at the default GOGC=100
    local gogc = tonumber(b.env and b.env.GOGC or "100")
    local goal_words = b.env and b.env.GOGC == "off" and "any multiple of (GOGC=off)" or
                       (gogc and string.format("%s times (GOGC=%s)", (1 + gogc / 100) % 1 == 0 and string.format("%d", 1 + gogc / 100) or string.format("%.1f", 1 + gogc / 100), b.env and b.env.GOGC or "100, the default")) or
                       "twice"
    local ms = b.memstats
    local next_gc = ms and ms.NextGC
    -- advice in general; a finding that matters when the GC's next goal
    -- would take the heap past the limit the cgroup is already close to
    local near = next_gc and next_gc >= 0.9 * cg.limit and (cg.usage or 0) >= 0.8 * cg.limit
    r:finding{
      severity = near and "medium" or "low",
      confidence = 0.6,
      title = "GOMEMLIMIT is not set although the container has a " .. fmt.bytes(cg.limit) .. " limit",
      summary = string.format("Without GOMEMLIMIT the Go GC only follows GOGC: the heap may grow to %s the live data before a collection, regardless of the cgroup limit. A soft limit makes the GC work harder near the limit instead of letting the kernel kill the process.", goal_words),
      evidence = { string.format("%s, GOGC %s, cgroup limit %s%s", go, b.env and b.env.GOGC or "100 (default)", fmt.bytes(cg.limit),
                                 next_gc and (", next GC at " .. fmt.bytes(next_gc)) or "") },
      advice = { "set GOMEMLIMIT to about 90% of the container limit (e.g. " .. fmt.bytes(math.floor(cg.limit * 0.9)) .. ")" },
      refs = { "https://go.dev/doc/gc-guide#Memory_limit", "https://pkg.go.dev/runtime/debug#SetMemoryLimit" },
    }
  end,
}
