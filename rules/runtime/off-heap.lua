-- Memory outside the Go runtime: anonymous RSS well above what Go holds
-- resident (Sys - HeapReleased) comes from cgo/C libraries or other
-- mappings, invisible to pprof and MemStats. The offheap_modules plugin
-- names the linked modules known to hold such memory (plugins/data/).
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
      -- the linked modules that hold anonymous memory outside the heap (not the ones that map files)
      local suspects = {}
      local om = b.offheap_modules
      for _, p in ipairs(om and om.present or {}) do
        if p.kind ~= "mmap-file" and (not p.cgo or cgo ~= "0") then suspects[#suspects + 1] = p end
      end
      local ev = {
        string.format("RssAnon %s, LazyFree %s, Go Sys - HeapReleased %s", fmt.bytes(st.RssAnon), fmt.bytes(lazy), fmt.bytes(go_resident)),
        "CGO_ENABLED=" .. tostring(cgo or "?"),
        b.maps and string.format("glibc brk heap %s, other anonymous mappings %s",
                                 fmt.bytes(b.maps.brk_heap.bytes), fmt.bytes(b.maps.anon_other.bytes)) or "maps unavailable",
      }
      local huge = b.smaps and b.smaps.AnonHugePages or 0
      if huge >= 0.5 * outside then
        ev[#ev + 1] = string.format("%s of anonymous RSS is in transparent huge pages: sparse use of 2 MiB pages may inflate it (see environment-thp)",
                                    fmt.bytes(huge))
      end
      local advice, refs, title, confidence
      local race = b.buildinfo and b.buildinfo.settings and b.buildinfo.settings["-race"] == "true"
      if race then
        title = string.format("%s of anonymous RSS is outside the Go heap: the race detector's memory (a -race build)", fmt.bytes(outside))
        ev[#ev + 1] = "build info: -race=true: the race runtime (ThreadSanitizer) keeps shadow memory outside the Go heap"
        advice = { "deploy a binary built without -race (see tooling-race-build)" }
        refs = { "https://go.dev/doc/articles/race_detector#Runtime_Overheads" }
        confidence = 0.6
      elseif #suspects > 0 then
        local names = {}
        for _, p in ipairs(suspects) do
          names[#names + 1] = p.module .. "@" .. tostring(p.version)
          ev[#ev + 1] = string.format("%s@%s %s (%s)", p.module, tostring(p.version), p.what, p.kind)
          if p.origin and p.origin ~= "built-in" then
            ev[#ev + 1] = string.format("off-heap entry '%s' from %s (%s)", p.id, p.origin, tostring(p.file))
          end
        end
        title = string.format("%s of anonymous RSS is outside the Go heap: likely %s", fmt.bytes(outside), table.concat(names, ", "))
        advice = { suspects[1].advice,
                   "pprof and MemStats cannot see this memory, and GOMEMLIMIT does not bound it: leave room for it in the container limit" }
        refs = suspects[1].refs
        confidence = 0.85
      else
        title = string.format("%s of anonymous RSS is not Go heap or runtime memory", fmt.bytes(outside))
        ev[#ev + 1] = string.format("no module known to hold memory outside the Go heap is linked (%d checked)",
                                    om and #om.entries or 0)
        advice = { cgo == "0" and "CGO_ENABLED=0: no C code is linked, so look for syscall.Mmap / unix.Mmap in the service and its dependencies"
                   or "cgo generally (CGO_ENABLED=1): profile the C side (jemalloc/tcmalloc heap profiling, or valgrind massif on a test instance)",
                   "check C.malloc calls without C.free and C library handles that are never closed" }
        confidence = cgo == "0" and 0.5 or 0.8
      end
      r:finding{
        severity = race and "medium" or (outside >= 0.5 * st.VmRSS and "high" or "medium"),
        confidence = confidence,
        bytes = outside,
        claims = { "anon.outside_go" },
        title = title,
        summary = "Anonymous RSS is well above everything the Go runtime has obtained and not released. pprof and MemStats cannot see this memory: it comes from C code (cgo, a C library's malloc), or from mappings a module or the program made itself (mmap).",
        evidence = ev,
        advice = advice,
        refs = refs,
      }
    else
      r:rule_out{ reason = "anonymous RSS is accounted for by the Go runtime",
                  evidence = { string.format("RssAnon %s (LazyFree %s) vs Go Sys - HeapReleased %s", fmt.bytes(st.RssAnon), fmt.bytes(lazy), fmt.bytes(go_resident)) } }
    end
  end,
}
