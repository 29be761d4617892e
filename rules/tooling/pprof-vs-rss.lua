-- pprof's heap profile is sampled live heap as of the last GC: it never
-- shows idle heap, stacks, runtime metadata, cgo memory or page cache. When
-- it is far below RSS, say where the rest is (the ledger has the numbers).
local fmt = require("triage.fmt")
return {
  id = "tooling-pprof-below-rss",
  rung = "tooling",
  title = "pprof's heap is far below RSS",
  requires = { "profiles.heap", "status" },
  check = function(b, r)
    local heap, rss = b.profiles.heap, b.status.VmRSS
    if not heap:ok() or not rss then r:inconclusive("heap profile or RSS unusable") return end
    local inuse = heap:total("inuse_space")
    if inuse >= 0.5 * rss then
      r:rule_out{ reason = "pprof's in-use heap and RSS agree", evidence = { fmt.bytes(inuse) .. " of " .. fmt.bytes(rss) } }
      return
    end
    local ms = b.memstats or {}
    local ev = { string.format("heap profile inuse_space %s, RSS %s (%s)", fmt.bytes(inuse), fmt.bytes(rss), fmt.pct(inuse, rss)) }
    if ms.HeapInuse then
      ev[#ev + 1] = string.format("HeapInuse %s, idle retained %s, stacks %s, runtime metadata %s",
        fmt.bytes(ms.HeapInuse), fmt.bytes((ms.HeapIdle or 0) - (ms.HeapReleased or 0)), fmt.bytes(ms.StackSys or 0),
        fmt.bytes((ms.MSpanSys or 0) + (ms.MCacheSys or 0) + (ms.BuckHashSys or 0) + (ms.GCSys or 0) + (ms.OtherSys or 0)))
    end
    r:finding{
      severity = "info",
      confidence = 0.9,
      title = string.format("pprof shows %s of %s RSS: the rest is outside the sampled live heap", fmt.pct(inuse, rss), fmt.bytes(rss)),
      summary = "The heap profile counts sampled live objects as of the last GC. RSS also holds idle heap the runtime keeps, goroutine stacks, runtime metadata, the binary, and any cgo memory. See the memory ledger for each part.",
      evidence = ev,
      advice = { "read the ledger before hunting in the heap profile: the gap is usually one of its rows" },
      refs = { "https://pkg.go.dev/runtime#MemStats" },
    }
  end,
}
