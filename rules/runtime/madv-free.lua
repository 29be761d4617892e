-- MADV_FREE (Go 1.12-1.15 by default, or GODEBUG=madvdontneed=0 on later
-- Go, on Linux >= 4.5): memory the runtime returned stays in RSS as
-- LazyFree until the kernel is short of memory. Ruled out, with the reason,
-- when the Go version, GODEBUG or the kernel make it impossible.
local fmt = require("triage.fmt")
local semver = require("triage.semver")
return {
  id = "runtime-madv-free",
  rung = "runtime",
  title = "Returned memory still counted in RSS (MADV_FREE)",
  requires = {},
  check = function(b, r)
    local go = b.buildinfo and b.buildinfo.go_version
    local godebug = b.env and b.env.GODEBUG or ""
    local k = b.kernel
    local lazy = b.smaps and b.smaps.LazyFree
    local rss = b.status and b.status.VmRSS
    if k and (k.major < 4 or (k.major == 4 and k.minor < 5)) then
      r:rule_out{ reason = string.format("MADV_FREE needs Linux 4.5; this kernel is %s", k.release),
                  evidence = { "the runtime falls back to MADV_DONTNEED, which drops RSS at once" } }
      return
    end
    local wants_free
    if godebug:find("madvdontneed=0", 1, true) then wants_free = "GODEBUG=madvdontneed=0 opts into MADV_FREE"
    elseif godebug:find("madvdontneed=1", 1, true) then wants_free = nil
    elseif go and semver.less(go, "go1.16") and not semver.less(go, "go1.12") then
      wants_free = go .. " uses MADV_FREE by default (1.12 to 1.15)"
    end
    if lazy and rss and lazy >= 32 * 1048576 and lazy >= 0.1 * rss then
      -- Which numbers the pages inflate: RSS always; the cgroup working
      -- set only before Linux 4.12, when lazily freed pages still sat on
      -- the anonymous LRU (since 4.12 they are on the inactive file list,
      -- outside usage - inactive_file).
      local in_ws = k and (k.major < 4 or (k.major == 4 and k.minor < 12))
      local inflates = in_ws and
        "RSS (top, container_memory_rss) and, on this kernel (before 4.12), the cgroup working set" or
        "RSS (top, container_memory_rss), not the cgroup working set and not OOM decisions"
      local in_headline = b.ledger and b.ledger.lazy_in_headline
      r:finding{
        -- returned memory the kernel takes back under pressure: it
        -- misleads, it does not kill, unless it sits in the killing number
        severity = (lazy >= 0.3 * rss and in_headline) and "high" or "medium",
        confidence = 0.9,
        -- bytes only where they are part of the headline: 700 MiB of
        -- LazyFree is not "2640% of" a working set that excludes it
        bytes = in_headline and lazy or nil,
        claims = in_headline and { "lazyfree" } or nil,
        title = string.format("%s of RSS is LazyFree memory the Go runtime already returned", fmt.bytes(lazy)),
        summary = "The runtime released these pages with MADV_FREE. The kernel reclaims them only under memory pressure, so they stay counted in " .. inflates .. ", although the heap is small. Under a cgroup limit they are reclaimed before an OOM kill.",
        evidence = {
          "inflates " .. inflates,
          string.format("smaps_rollup LazyFree %s of RSS %s (%s)", fmt.bytes(lazy), fmt.bytes(rss), fmt.pct(lazy, rss)),
          wants_free or ("Go " .. tostring(go) .. ", GODEBUG '" .. godebug .. "'"),
          b.memstats and b.memstats.HeapReleased and ("HeapReleased " .. fmt.bytes(b.memstats.HeapReleased)) or "MemStats unavailable",
        },
        advice = {
          "set GODEBUG=madvdontneed=1 (the default since Go 1.16) so RSS drops when memory is returned",
          "or alert on RSS minus LazyFree, not RSS",
        },
        refs = { "https://go.dev/doc/go1.12#runtime", "https://go.dev/doc/go1.16#runtime", "https://github.com/golang/go/issues/42330" },
      }
      return
    end
    if not go and not godebug:find("madvdontneed", 1, true) then
      r:inconclusive("the Go version is unknown, so whether the runtime uses MADV_FREE is too")
      return
    end
    if not wants_free then
      r:rule_out{ reason = string.format("%s returns memory with MADV_DONTNEED%s", tostring(go or "this Go"),
                                         godebug ~= "" and (" (GODEBUG " .. godebug .. ")") or ""),
                  evidence = { "LazyFree " .. fmt.bytes(lazy or 0) } }
    else
      r:rule_out{ reason = "MADV_FREE is possible (" .. wants_free .. ") but LazyFree is small",
                  evidence = { "LazyFree " .. fmt.bytes(lazy or 0) .. " of RSS " .. fmt.bytes(rss or 0) } }
    end
  end,
}
