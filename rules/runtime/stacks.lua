-- Goroutine stacks: StackInuse grows with the number of goroutines.
local fmt = require("triage.fmt")
return {
  id = "runtime-stacks",
  rung = "runtime",
  title = "Goroutine stacks take a large share of memory",
  requires = { "memstats" },
  check = function(b, r)
    local ms = b.memstats
    local st = ms.StackInuse or 0
    local rss = b.status and b.status.VmRSS or ms.Sys
    local n = b.goroutines and b.goroutines.count
    if st >= 64 * 1048576 and st >= 0.2 * rss then
      r:finding{
        severity = st >= 0.4 * rss and "high" or "medium",
        confidence = 0.8,
        bytes = st,
        title = string.format("Goroutine stacks hold %s (StackInuse)", fmt.bytes(st)),
        summary = "Stack memory grows with the number of goroutines and their deepest call. Many goroutines that never exit are the usual cause; see the business and libraries rungs for which ones.",
        evidence = { string.format("StackInuse %s of RSS %s%s", fmt.bytes(st), fmt.bytes(rss),
                                   n and (", " .. fmt.count(n) .. " goroutines") or "") },
        advice = { "find the largest goroutine groups (triage top --profile goroutine) and make them exit" },
      }
    else
      r:rule_out{ reason = "goroutine stacks are small",
                  evidence = { string.format("StackInuse %s of RSS %s", fmt.bytes(st), fmt.bytes(rss)) } }
    end
  end,
}
