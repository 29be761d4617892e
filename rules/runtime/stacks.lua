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
    -- stacks of large goroutine groups are the groups' findings' bytes
    -- (ledger leaves stacks.group:*): what is left is this rule's
    local grouped = b.ledger and (b.ledger.claim("stacks.group:")) or 0
    local own = b.ledger and (b.ledger.claim("stacks.other")) or st
    if st >= 8 * 1048576 and st >= 0.2 * rss and grouped >= 0.5 * st then
      r:rule_out{ reason = "the stacks are those of large goroutine groups, which the goroutine findings explain",
                  evidence = { string.format("StackInuse %s of RSS %s (%s); %s in groups named by their creator",
                                             fmt.bytes(st), fmt.bytes(rss), fmt.pct(st, rss), fmt.bytes(grouped)) } }
      return
    end
    -- a share of RSS, not a fixed size: 40 MiB of stacks in a 60 MiB process matters
    if st >= 8 * 1048576 and st >= 0.2 * rss then
      r:finding{
        severity = st >= 0.4 * rss and "high" or "medium",
        confidence = 0.8,
        bytes = own,
        claims = { "stacks.other" },
        title = string.format("Goroutine stacks hold %s (StackInuse)", fmt.bytes(st)),
        summary = "Stack memory grows with the number of goroutines and their deepest call. Many goroutines that never exit are the usual cause; see the business and libraries rungs for which ones.",
        evidence = { string.format("StackInuse %s of RSS %s%s", fmt.bytes(st), fmt.bytes(rss),
                                   n and (", " .. fmt.count(n) .. " goroutines") or "") },
        advice = { "find the largest goroutine groups (triage top --profile goroutine) and make them exit" },
      }
    else
      r:rule_out{ reason = "goroutine stacks are small",
                  evidence = { string.format("StackInuse %s of RSS %s (%s)", fmt.bytes(st), fmt.bytes(rss), fmt.pct(st, rss)) } }
    end
  end,
}
