-- Goroutines started inside a dependency pile up (casebook case 1:
-- remotedialer sessions started by steve's aggregation).
local fmt = require("triage.fmt")
return {
  id = "libraries-goroutine-leak",
  rung = "libraries",
  title = "Goroutines started by a dependency pile up",
  requires = { "ownership.goroutine_groups", "goroutines" },
  check = function(b, r)
    local total = b.goroutines.count
    if not b.ownership.has_modules then
      r:inconclusive("the build info lists no dependency modules, so goroutines a dependency started cannot be recognised")
      return
    end
    local worst = b.ownership.largest_group("dependency")
    if not worst or worst.count < 200 then
      r:rule_out{ reason = "no large group of goroutines was created by a dependency",
                  evidence = { string.format("largest dependency-created group: %d of %d goroutines",
                                             worst and worst.count or 0, total) } }
      return
    end
    local ev = {
      string.format("%s of %s goroutines wait in %s (%s), up to %d minutes", fmt.count(worst.count),
                    fmt.count(total), worst.top or "?", worst.state, worst.max_wait_minutes),
      string.format("created by %s, in %s@%s", worst.created_by, worst.module, worst.version or "?"),
    }
    local grow = b.growth and b.growth.best and b.growth.best.goroutines
    if grow and grow > 0 then ev[#ev + 1] = "goroutines grew by " .. fmt.count(grow) .. " over " .. b.growth.best.label end
    r:finding{
      severity = (worst.count >= 1000 or (grow and grow > 0)) and "high" or "medium",
      confidence = 0.8,
      -- the bytes they hold: their stacks, as the ledger attributes them
      claims = { "stacks.group:" .. tostring(worst.created_by) },
      title = string.format("%s goroutines from %s@%s never exit", fmt.count(worst.count), worst.module, worst.version or "?"),
      summary = "One stack repeated thousands of times, started from the same function in a dependency: goroutines that never exit, holding their stacks and whatever buffers they reference.",
      evidence = ev,
      advice = {
        "find what starts them per request and make sure the session, stream or context they wait on is closed",
        "check " .. worst.module .. "'s releases after " .. tostring(worst.version) .. " for leak fixes",
      },
    }
  end,
}
