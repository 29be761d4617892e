-- The service's own packages hold the heap: rung 1 of the ladder. Samples
-- are owned by their innermost main-module or dependency frame (see the
-- ownership plugin), so allocations made through the standard library on
-- behalf of the service count here.
local fmt = require("triage.fmt")
return {
  id = "business-heap-main-module",
  rung = "business",
  title = "The service's own code holds most of the heap",
  requires = { "ownership.heap" },
  -- dominating a small heap is normal; it matters when the heap is a large
  -- part of the headline number, or grows
  check = function(b, r)
    local h = b.ownership.heap
    if h.total == 0 then
      r:inconclusive("the heap profile holds no live memory")
      return
    end
    local share = h.main / h.total
    local heap = b.profiles.heap
    if share >= 0.4 then
      local ev = { string.format("%s of %s sampled in-use heap (%s) is owned by the main module %s",
                                 fmt.bytes(h.main), fmt.bytes(h.total), fmt.pct(h.main, h.total), b.ownership.main) }
      for _, row in ipairs(heap:top{ sample = "inuse_space", n = 40 }) do
        if b.ownership.classify(row.name) == "main" and #ev < 6 then
          ev[#ev + 1] = string.format("%s: %s flat, %s cum", row.name, fmt.bytes(row.flat), fmt.bytes(row.cum))
        end
      end
      local grew = b.growth and b.growth.best and b.growth.best.heap_inuse
      if grew then ev[#ev + 1] = "HeapInuse changed by " .. fmt.bytes(grew) .. " over " .. b.growth.best.label end
      -- a bundle taken near the limit (triage watch) has no MemStats; its
      -- heap profile against the earlier one can still show what grew. The
      -- profile is as of the last GC, so an unchanged one proves nothing.
      local g = not grew and b.growth and b.growth.best
      if g and g.heap_profile and g.heap_profile > 0 then
        grew = g.heap_profile
        ev[#ev + 1] = "the sampled in-use heap grew by " .. fmt.bytes(grew) .. " " .. g.label
        for _, row in ipairs(g.heap_top or {}) do
          if b.ownership.classify(row.name) == "main" and row.flat > 0 then
            ev[#ev + 1] = string.format("%s grew by %s", row.name, fmt.bytes(row.flat))
            break
          end
        end
      elseif g and g.working_set and g.working_set > 0 then
        ev[#ev + 1] = "the cgroup working set grew by " .. fmt.bytes(g.working_set) .. " " .. g.label ..
                      " (the heap profiles, as of the last GC, show no change)"
      end
      local headline = b.ledger and b.ledger.headline and b.ledger.headline.bytes or 0
      local limit = b.cgroup and not b.cgroup.limit_unlimited and b.cgroup.limit
      -- a service's own data owning its heap is normal; it is a finding when
      -- that heap grows, or presses against the container's limit
      local growing = grew and grew >= 16 * 1048576 and grew >= 0.1 * (b.memstats and b.memstats.HeapInuse or grew)
      local stable = grew and not growing
      local pressing = limit and h.main >= 0.4 * limit
      local severity = "low"
      if growing then severity = share >= 0.7 and "high" or "medium"
      elseif pressing and not stable then severity = "medium" end
      if stable then ev[#ev + 1] = "the heap did not grow between samples: a steady state, not a leak" end
      if headline > 0 then
        ev[#ev + 1] = string.format("that is %s of the headline %s", fmt.pct(h.main, headline), fmt.bytes(headline))
      end
      r:finding{
        severity = severity,
        confidence = share >= 0.7 and 0.8 or 0.6,
        bytes = h.main,
        title = "The main module " .. tostring(b.ownership.main) .. " holds " .. fmt.pct(h.main, h.total) .. " of the live heap",
        summary = "The in-use heap profile attributes most live memory to the service's own packages. Look for caches, maps and slices that only grow, and compare two profiles taken apart in time (triage collect --samples) to see which frames grow.",
        evidence = ev,
        advice = {
          "run: triage top --group module " .. "--module " .. tostring(b.ownership.main) .. " on the heap profile, then triage top on the growing frames",
          "bound caches (size and age) and delete map entries whose keys never repeat",
        },
        refs = { "https://go.dev/doc/diagnostics#profiling" },
      }
    elseif share < 0.15 then
      r:rule_out{ reason = string.format("the main module owns only %s of the sampled heap", fmt.pct(h.main, h.total)),
                  evidence = { fmt.bytes(h.main) .. " of " .. fmt.bytes(h.total) } }
    else
      r:inconclusive(string.format("the main module owns %s of the sampled heap", fmt.pct(h.main, h.total)))
    end
  end,
}
