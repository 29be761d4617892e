-- The runtime holds idle heap it has not returned: RSS far above HeapInuse
-- with a large HeapIdle - HeapReleased. It is returnable, and the scavenger
-- returns it over minutes, but a limit can be hit first.
local fmt = require("triage.fmt")
local sev = require("triage.severity")
return {
  id = "runtime-idle-heap",
  rung = "runtime",
  title = "Idle heap retained by the Go runtime",
  requires = { "memstats" },
  check = function(b, r)
    local ms = b.memstats
    local idle = (ms.HeapIdle or 0) - (ms.HeapReleased or 0)
    local rss = b.status and b.status.VmRSS or ms.Sys
    -- a share of RSS, with a floor so a tiny process is not a finding
    if idle >= 16 * 1048576 and idle >= 0.25 * rss then
      local s = idle >= 0.5 * rss and "medium" or "low"
      -- returnable memory: at most medium, and less when far from the limit
      if b.ledger then s = sev.min(s, sev.max(b.ledger.risk(idle), "low")) end
      r:finding{
        severity = s,
        confidence = 0.8,
        bytes = idle,
        claims = { "heap.idle" },
        title = string.format("%s of idle heap is held by the runtime (HeapIdle - HeapReleased)", fmt.bytes(idle)),
        summary = "After a peak, freed heap spans stay with the runtime until the background scavenger returns them. RSS stays high meanwhile. This is memory the service used at its peak, not a leak.",
        evidence = {
          string.format("HeapIdle %s, HeapReleased %s, HeapInuse %s, RSS %s", fmt.bytes(ms.HeapIdle),
                        fmt.bytes(ms.HeapReleased), fmt.bytes(ms.HeapInuse), fmt.bytes(rss)),
        },
        advice = {
          "set GOMEMLIMIT a little under the container limit so the runtime returns memory before the kernel kills",
          "reduce the peak: look at alloc_space in the allocs profile for what allocates in bursts",
        },
        refs = { "https://go.dev/doc/gc-guide#Memory_limit" },
      }
    else
      r:rule_out{ reason = "the runtime holds little idle heap",
                  evidence = { string.format("HeapIdle - HeapReleased = %s of RSS %s", fmt.bytes(idle), fmt.bytes(rss)) } }
    end
  end,
}
