-- A dependency holds the heap (casebook cases 1 and 3): named with the
-- version the binary was built with, so the next step is its changelog.
local fmt = require("triage.fmt")
return {
  id = "libraries-heap-dependency",
  rung = "libraries",
  title = "A dependency holds most of the heap",
  requires = { "ownership.heap" },
  check = function(b, r)
    local h = b.ownership.heap
    if h.total == 0 then
      r:inconclusive("the heap profile holds no live memory (no samples: input missing, not evidence)")
      return
    end
    local top = h.deps[1]
    if not b.ownership.has_modules then
      -- a binary built outside module mode (Debian's etcd, for one) lists
      -- no dependencies: their frames count as "other", which proves nothing
      r:inconclusive{ reason = "the build info lists no dependency modules, so dependency frames cannot be recognised",
                      evidence = { string.format("%s of the sampled heap is in frames of no known module",
                                                 fmt.pct(h.other or 0, h.total)) } }
      return
    end
    if not top or top.value / h.total < 0.15 then
      r:rule_out{ reason = "no dependency owns much of the sampled heap",
                  evidence = { top and string.format("largest: %s@%s with %s", top.module, top.version or "?", fmt.pct(top.value, h.total))
                               or "no dependency frames in the heap profile" } }
      return
    end
    local share = top.value / h.total
    -- holding most of a small heap is normal for a library-heavy service
    local headline = b.ledger and b.ledger.headline and b.ledger.headline.bytes or 0
    local big = headline > 0 and top.value >= 0.25 * headline
    local ev = { string.format("%s@%s owns %s of %s sampled in-use heap (%s)", top.module, top.version or "?",
                               fmt.bytes(top.value), fmt.bytes(h.total), fmt.pct(top.value, h.total)) }
    -- growth over the samples: the live heap's trend, and this module's own share of the growth
    local gs = b.growth and b.growth.series
    local growing, rate
    if gs and gs.heap then
      local dep_change
      for _, row in ipairs(gs.grew and not gs.no_gc and gs.grew.modules or {}) do
        -- a module row, or a package of the module when the build info did not list it
        if row.name == top.module or row.name:sub(1, #top.module + 1) == top.module .. "/" then
          dep_change = (dep_change or 0) + row.change
        end
      end
      growing = gs.heap.trend == "growing" and gs.heap.change >= 4 * 1048576 and (dep_change == nil or dep_change > 0)
      if growing then
        local grown = gs.heap.key == "heap_profile_inuse" and gs.heap.change or nil
        rate = (dep_change and grown and grown > 0 and gs.heap_rate_per_min) and dep_change / grown * gs.heap_rate_per_min
               or gs.heap_rate_per_min or gs.heap.slope_per_min
        ev[#ev + 1] = string.format("%s in %s@%s: the live heap grew %s over %s, %d samples", fmt.rate(rate), top.module,
                                    top.version or "?", fmt.bytes(gs.heap.change), fmt.duration(gs.span or 0), gs.n)
      elseif gs.heap.trend == "plateau" then
        ev[#ev + 1] = string.format("the live heap is a plateau: %s to %s over %s", fmt.bytes(gs.heap.min),
                                    fmt.bytes(gs.heap.max), fmt.duration(gs.span or 0))
      end
    else
      local grew = b.growth and b.growth.best and b.growth.best.heap_inuse
      growing = grew and grew >= 16 * 1048576
    end
    for i = 2, math.min(#h.deps, 4) do
      local d = h.deps[i]
      ev[#ev + 1] = string.format("next: %s@%s %s", d.module, d.version or "?", fmt.pct(d.value, h.total))
    end
    local heap = b.profiles.heap
    for _, row in ipairs(heap:top{ sample = "inuse_space", cum = true, n = 60 }) do
      local kind, m = b.ownership.classify(row.name)
      if m == top.module and #ev < 8 then
        ev[#ev + 1] = string.format("%s: %s cum", row.name, fmt.bytes(row.cum))
      end
    end
    r:finding{
      severity = (big or growing) and (share >= 0.5 and "high" or "medium") or "low",
      confidence = share >= 0.5 and 0.8 or 0.6,
      bytes = top.value,
      claims = { "heap.dep:" .. top.module },
      title = (growing and rate and (fmt.rate(rate) .. " in " .. top.module .. "@" .. (top.version or "?") .. ": ") or "")
              .. string.format("%s@%s holds %s of the live heap", top.module, top.version or "?", fmt.pct(top.value, h.total)),
      summary = "Most sampled live memory is allocated by, or on behalf of, this dependency. Check how the service uses it (caches it keeps, watches or streams it opens, results it retains) and whether the version has known memory issues.",
      evidence = ev,
      advice = {
        "read the dependency's changelog between " .. tostring(top.version) .. " and its latest release for memory fixes",
        "check the service's calls into " .. top.module .. ": long-lived caches, unclosed streams or watches, contexts used as keys",
      },
    }
  end,
}
