-- Goroutines that pile up in one place, started by the service's own code.
local fmt = require("triage.fmt")
return {
  id = "business-goroutine-leak",
  rung = "business",
  title = "Goroutines started by the service pile up",
  requires = { "ownership.goroutine_groups", "goroutines" },
  check = function(b, r)
    local total = b.goroutines.count
    if not b.ownership.main then
      r:inconclusive("the build info names no main module, so goroutines the service started cannot be told apart")
      return
    end
    local worst = b.ownership.largest_group("main")
    if not worst or worst.count < 200 then
      r:rule_out{ reason = "no group of goroutines created by the main module is large",
                  evidence = { string.format("%d goroutines in all; largest main-module group: %d",
                                             total, worst and worst.count or 0) } }
      return
    end
    local ev
    if b.goroutines.source == "goroutine profile" then
      -- collect skipped the dump (a stop-the-world above its goroutine limit):
      -- the profile counts stacks but has no states, waits or creators
      ev = {
        string.format("%s of %s goroutines share this stack (from the goroutine profile: no states or wait times; the goroutine dump was not taken)",
                      fmt.count(worst.count), fmt.count(total)),
        "started in " .. tostring(worst.created_by) .. (worst.created_by_entry and " (their entry function: the profile names no creator)" or ""),
      }
    else
      ev = {
        string.format("%s of %s goroutines share this stack, state '%s', waiting up to %d minutes",
                      fmt.count(worst.count), fmt.count(total), worst.state, worst.max_wait_minutes),
        "created by " .. tostring(worst.created_by),
      }
      if b.goroutines.source == "goroutine census" then
        -- collect read them from the target's memory instead of asking it
        ev[#ev + 1] = "read from the target's memory (goroutine census): frames without inlined calls or arguments"
      end
    end
    -- the goroutine count over the samples: a pile that grows is a leak, one that stays is a pool
    local gs = b.growth and b.growth.series
    local g = gs and gs.metrics and gs.metrics.goroutines
    local growing = g and g.trend == "growing"
    if g and g.slope_per_min then
      ev[#ev + 1] = string.format("goroutines %s -> %s over %s, %d samples: %s%s/min, %s", fmt.count(g.first), fmt.count(g.last),
        fmt.duration(gs.span or 0), gs.n, g.slope_per_min >= 0 and "+" or "", fmt.count(g.slope_per_min), g.trend or "?")
    end
    r:finding{
      severity = (worst.count >= 1000 or growing) and "high" or "medium",
      -- the bytes they hold: their stacks, as the ledger attributes them
      claims = { "stacks.group:" .. tostring(worst.created_by) },
      confidence = worst.max_wait_minutes > 0 and 0.85 or 0.65,
      title = string.format("%s goroutines wait in %s, %s %s", fmt.count(worst.count), worst.top or "?",
                            worst.created_by_entry and "started in" or "created by", worst.created_by),
      summary = "One stack repeated many times, all started from the same place in the service, is the signature of goroutines that never exit. Their stacks, and everything they reference, stay alive.",
      evidence = ev,
      advice = { "make every goroutine started by " .. tostring(worst.created_by) .. " exit: cancel its context, close the channel it waits on, or add a timeout" },
      refs = { "https://go.dev/doc/diagnostics" },
    }
  end,
}
