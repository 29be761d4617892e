-- Memory outside the Go runtime: anonymous RSS well above what Go holds
-- resident (Sys - HeapReleased) comes from cgo/C libraries or other
-- mappings, invisible to pprof and MemStats.
local fmt = require("triage.fmt")
return {
  id = "runtime-off-heap",
  rung = "runtime",
  title = "Anonymous memory outside the Go runtime (cgo, C libraries)",
  requires = { "memstats", "status" },
  check = function(b, r)
    local ms, st = b.memstats, b.status
    if not (st.RssAnon and ms.Sys) then r:inconclusive("RssAnon or Sys missing") return end
    local go_resident = ms.Sys - (ms.HeapReleased or 0)
    -- LazyFree pages are released Go heap still in RSS, not C memory
    local lazy = b.smaps and b.smaps.LazyFree or 0
    local outside = b.ledger and b.ledger.leaf["anon.outside_go"] or (st.RssAnon - lazy - go_resident)
    local cgo = b.buildinfo and b.buildinfo.settings and b.buildinfo.settings.CGO_ENABLED
    if outside >= 64 * 1048576 and outside >= 0.25 * st.VmRSS then
      r:finding{
        severity = outside >= 0.5 * st.VmRSS and "high" or "medium",
        confidence = cgo == "0" and 0.5 or 0.8,
        bytes = outside,
        claims = { "anon.outside_go" },
        title = string.format("%s of anonymous RSS is not Go heap or runtime memory", fmt.bytes(outside)),
        summary = "Anonymous RSS is well above everything the Go runtime has obtained and not released. pprof and MemStats cannot see this memory: it comes from C code (cgo, a C library's malloc), or from mappings the program made itself (syscall.Mmap).",
        evidence = {
          string.format("RssAnon %s, LazyFree %s, Go Sys - HeapReleased %s", fmt.bytes(st.RssAnon), fmt.bytes(lazy), fmt.bytes(go_resident)),
          "CGO_ENABLED=" .. tostring(cgo or "?"),
          b.maps and string.format("glibc brk heap %s, other anonymous mappings %s",
                                   fmt.bytes(b.maps.brk_heap.bytes), fmt.bytes(b.maps.anon_other.bytes)) or "maps unavailable",
        },
        advice = { "profile the C side (jemalloc/tcmalloc heap profiling, or valgrind massif on a test instance)",
                   "check C.malloc calls without C.free and C library handles that are never closed" },
      }
    else
      r:rule_out{ reason = "anonymous RSS is accounted for by the Go runtime",
                  evidence = { string.format("RssAnon %s (LazyFree %s) vs Go Sys - HeapReleased %s", fmt.bytes(st.RssAnon), fmt.bytes(lazy), fmt.bytes(go_resident)) } }
    end
  end,
}
