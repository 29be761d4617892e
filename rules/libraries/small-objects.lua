-- Millions of small objects (casebook case 5): the GC spends its time
-- scanning them. For CPU from GC look at object counts; for memory, bytes.
local fmt = require("triage.fmt")
return {
  id = "libraries-small-objects",
  rung = "libraries",
  title = "Millions of small live objects keep the GC busy",
  requires = { "profiles.heap" },
  check = function(b, r)
    local heap = b.profiles.heap
    if not heap:ok() then r:inconclusive("the heap profile is unusable") return end
    if heap:count() == 0 then
      r:inconclusive("the heap profile has no samples") return
    end
    local objects = heap:total("inuse_objects")
    local bytes = heap:total("inuse_space")
    local avg = objects > 0 and bytes / objects or 0
    local gc_share
    local cpu = b.profiles.cpu
    if cpu and cpu:ok() and cpu:total() > 0 then
      local gc = cpu:cum_matching("runtime.gcBgMarkWorker", "cpu")
      local scan = cpu:cum_matching("runtime.scanobject", "cpu")
      gc_share = math.max(gc, scan) / cpu:total("cpu")
    elseif b.memstats and b.memstats.GCCPUFraction then
      gc_share = b.memstats.GCCPUFraction
    end
    if objects < 1000000 or avg > 256 then
      r:rule_out{ reason = string.format("%s live objects averaging %.0f bytes", fmt.count(objects), avg) }
      return
    end
    -- the finding goes to the rung of whoever owns the objects: the
    -- service's code is business, a dependency's is libraries
    local owner = b.ownership and b.ownership.heap_objects
    local who, rung = "the service", "libraries"
    if owner and owner.deps[1] and owner.deps[1].value >= owner.main then
      who = string.format("%s@%s", owner.deps[1].module, owner.deps[1].version or "?")
    elseif owner and owner.main > 0 and owner.main >= (owner.stdlib or 0) + (owner.runtime or 0) then
      who = tostring(b.ownership.main)
      rung = "business"
    elseif owner and owner.main > 0 then
      who = tostring(b.ownership.main)
    end
    local ev = { string.format("%s live objects, %s, averaging %.0f bytes", fmt.count(objects), fmt.bytes(bytes), avg) }
    if gc_share then ev[#ev + 1] = string.format("garbage collection takes %.0f%% of CPU", 100 * gc_share) end
    for _, row in ipairs(heap:top{ sample = "inuse_objects", n = 4 }) do
      ev[#ev + 1] = string.format("%s: %s objects", row.name, fmt.count(row.flat))
    end
    if owner and owner.deps[1] then
      ev[#ev + 1] = string.format("objects owned by %s@%s: %s", owner.deps[1].module, owner.deps[1].version or "?",
                                  fmt.pct(owner.deps[1].value, owner.total))
    end
    r:finding{
      rung = rung,
      severity = (gc_share and gc_share >= 0.25) and "high" or "medium",
      confidence = gc_share and 0.8 or 0.6,
      -- about the objects' count and the GC's work: the bytes are the heap
      -- findings' (the ledger gives each byte to one finding)
      title = string.format("%s small live objects (avg %.0f B) from %s", fmt.count(objects), avg, who),
      summary = "The heap is made of millions of small objects. Each costs the GC a scan, so CPU goes to runtime.scanobject and gcBgMarkWorker, and memory grows with the count. Typical sources: JSON decoded into map[string]interface{} or many small structs, retained per request.",
      evidence = ev,
      advice = {
        "decode into concrete structs with only the fields needed, or stream with json.Decoder.Token",
        "do not retain decoded results; if a cache is needed, store compact values",
        "look at inuse_objects, not inuse_space: triage top --sample-index inuse_objects",
      },
      refs = { "https://go.dev/doc/gc-guide", "shared/casebook.md case 5" },
    }
  end,
}
