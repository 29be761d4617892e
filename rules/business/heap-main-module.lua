-- The service's own packages hold the heap: rung 1 of the ladder. Samples
-- are owned by their innermost main-module or dependency frame (see the
-- ownership plugin), so allocations made through the standard library on
-- behalf of the service count here.
local fmt = require("triage.fmt")
local sev = require("triage.severity")
return {
  id = "business-heap-main-module",
  rung = "business",
  title = "The service's own code holds most of the heap",
  requires = { "ownership.heap" },
  -- dominating a small heap is normal; it matters when the heap is a large
  -- part of the headline number, or grows
  check = function(b, r)
    -- with samples, the last heap profile is the present: the first one was
    -- taken before a leak had time to dominate a heap still mostly the
    -- runtime's own (a leak at 2 MiB/s owns 40% of the first profile in one
    -- run and 25% in the next)
    local h = b.ownership.heap
    local hl = b.ownership.heap_last
    if hl and hl.total > 0 then h = hl end
    if h.total == 0 then
      r:inconclusive("the heap profile holds no live memory (no samples: input missing, not evidence)")
      return
    end
    if not b.ownership.main then
      r:inconclusive("the build info names no main module, so the service's own frames cannot be told apart")
      return
    end
    local share = h.main / h.total
    local heap = b.profiles.heap
    -- the main module's share of what grew between the samples counts too:
    -- a growing heap whose growth is the service's own is rung 1, whatever
    -- the share of the whole
    local gs0 = b.growth and b.growth.series
    local grew_main = 0
    if gs0 and gs0.heap and gs0.heap.trend == "growing" and not gs0.no_gc and gs0.grew then
      local up, mine = 0, 0
      for _, row in ipairs(gs0.grew.functions or {}) do
        if row.change > 0 then
          up = up + row.change
          if b.ownership.classify(row.name) == "main" then mine = mine + row.change end
        end
      end
      if up > 0 then grew_main = mine / up end
    end
    if share >= 0.4 or grew_main >= 0.5 then
      local ev = { string.format("%s of %s sampled in-use heap (%s) is owned by the main module %s",
                                 fmt.bytes(h.main), fmt.bytes(h.total), fmt.pct(h.main, h.total), b.ownership.main) }
      for _, row in ipairs(heap:top{ sample = "inuse_space", n = 40 }) do
        if b.ownership.classify(row.name) == "main" and #ev < 6 then
          ev[#ev + 1] = string.format("%s: %s flat, %s cum", row.name, fmt.bytes(row.flat), fmt.bytes(row.cum))
        end
      end
      local headline = b.ledger and b.ledger.headline and b.ledger.headline.bytes or 0
      -- growth over the samples: the live heap's trend (the heap profile after
      -- GCs, or HeapInuse when no GC ran between samples), never one snapshot
      local gs = b.growth and b.growth.series
      local heap_trend = gs and gs.heap and gs.heap.trend
      local growing, stable, title
      if gs and gs.heap then
        local hs = gs.heap
        growing = heap_trend == "growing" and hs.change >= 4 * 1048576
        stable = heap_trend == "plateau" or heap_trend == "shrinking"
        -- the main-module function that grew most, from the profile diff when GCs ran
        local fn, fn_change, fn_rate
        for _, row in ipairs(gs.grew and not gs.no_gc and gs.grew.functions or {}) do
          if row.change > 0 and b.ownership.classify(row.name) == "main" then
            fn, fn_change, fn_rate = row.name, row.change, row.rate_per_min
            break
          end
        end
        if not fn then
          -- no GC between samples: the profile (as of the last GC) still says who holds the heap
          for _, cum in ipairs({ false, true }) do
            for _, row in ipairs(heap:top{ sample = "inuse_space", n = 40, cum = cum }) do
              if not fn and b.ownership.classify(row.name) == "main" and (cum and row.cum or row.flat) > 0 then fn = row.name end
            end
          end
        end
        local measure = hs.key == "heap_profile_inuse" and "the live heap (heap profile after GCs)" or hs.key
        if growing then
          local rate = fn_rate or gs.heap_rate_per_min or hs.slope_per_min
          title = string.format("%s in %s: the main module's heap grows", fmt.rate(rate), fn or tostring(b.ownership.main))
          table.insert(ev, 1, string.format("%s grew %s -> %s (%s) over %s, %d samples: %s", measure,
            fmt.bytes(hs.first), fmt.bytes(hs.last), fmt.bytes(hs.change), fmt.duration(gs.span or 0), gs.n,
            fmt.rate(hs.slope_per_min)))
          if fn_change then
            table.insert(ev, 2, string.format("%s grew by %s in the heap profile between the first and last sample (%s of the profile's growth; the heap grows at %s by %s)",
              fn, fmt.bytes(fn_change), fmt.pct(math.min(fn_change, hs.key == "heap_profile_inuse" and hs.change or fn_change),
                      hs.key == "heap_profile_inuse" and hs.change or fn_change),
              fmt.rate(gs.heap_rate_per_min), gs.heap_rate_source or "?"))
          elseif fn then
            table.insert(ev, 2, string.format("%s holds the most of the main module's heap (heap profile as of the last GC)", fn))
          end
          if gs.headline and gs.headline.projection then ev[#ev + 1] = gs.headline.projection end
          if hl and hl.total > 0 and hl ~= h then
            ev[#ev + 1] = string.format("in the last sample the main module holds %s of %s sampled in-use heap (%s)",
                                        fmt.bytes(hl.main), fmt.bytes(hl.total), fmt.pct(hl.main, hl.total))
          end
        elseif stable then
          ev[#ev + 1] = string.format("%s is a plateau: %s to %s over %s, %d samples (%s)", measure,
            fmt.bytes(hs.min), fmt.bytes(hs.max), fmt.duration(gs.span or 0), gs.n, fmt.rate(hs.slope_per_min))
        end
        if gs.no_gc and not growing then
          ev[#ev + 1] = string.format("no GC ran between the samples, so the heap profile cannot show growth; HeapInuse changed by %s",
                                      fmt.bytes(gs.metrics.HeapInuse and gs.metrics.HeapInuse.change or 0))
        end
      elseif gs and gs.headline and gs.headline.trend == "growing" then
        -- no MemStats (bundles taken near the limit by triage watch): the
        -- headline's climb, and what grew between the heap profiles (each
        -- as of its last GC, which a climbing heap runs often)
        local hl = gs.headline
        local fn, fn_change
        for _, row in ipairs(gs.grew and gs.grew.functions or {}) do
          if row.change > 0 and b.ownership.classify(row.name) == "main" then
            fn, fn_change = row.name, row.change
            break
          end
        end
        ev[#ev + 1] = string.format("the %s grew by %s (%s -> %s) over %s (%s)", hl.name,
          fmt.bytes(hl.last - hl.first), fmt.bytes(hl.first), fmt.bytes(hl.last),
          fmt.duration(gs.span or 0), fmt.rate(hl.slope_per_min))
        if fn then
          ev[#ev + 1] = string.format("%s grew by %s between the heap profiles", fn, fmt.bytes(fn_change))
          growing = true
          title = string.format("%s in %s: the main module's heap grows", fmt.rate(hl.slope_per_min), fn)
        end
        if hl.projection then ev[#ev + 1] = hl.projection end
      elseif b.growth and b.growth.best and b.growth.best.heap_inuse then
        -- only --base: two snapshots
        local grew = b.growth.best.heap_inuse
        ev[#ev + 1] = "HeapInuse changed by " .. fmt.bytes(grew) .. " " .. b.growth.best.label
        growing = grew >= 16 * 1048576 and grew >= 0.1 * (b.memstats and b.memstats.HeapInuse or grew)
      end
      -- the ledger's leaf; without MemStats there is none, so the profile's figure
      local claimed = b.ledger and b.ledger.claim("heap.main")
      local bytes = (claimed and claimed > 0) and claimed or h.main
      -- a service's own data owning its heap is normal; it is a finding when
      -- that heap grows, or by what it risks against the limit
      local severity = "low"
      if growing then severity = share >= 0.7 and "high" or "medium"
      elseif not stable and b.ledger then severity = sev.min(b.ledger.risk(bytes), "medium") end
      if headline > 0 then
        ev[#ev + 1] = string.format("that is %s of the headline %s", fmt.pct(h.main, headline), fmt.bytes(headline))
      end
      r:finding{
        severity = severity,
        confidence = share >= 0.7 and 0.8 or 0.6,
        bytes = h.main,
        claims = { "heap.main" },
        title = title and (title .. " (" .. fmt.pct(h.main, h.total) .. " of the live heap is " .. tostring(b.ownership.main) .. "'s)")
                or ("The main module " .. tostring(b.ownership.main) .. " holds " .. fmt.pct(h.main, h.total) .. " of the live heap"),
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
