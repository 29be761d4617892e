-- Transparent huge pages inflating RSS. THP backs anonymous memory with
-- 2 MiB pages; when the Go runtime releases parts of its heap in 4 KiB
-- steps, khugepaged can collapse a mostly empty 2 MiB range back into a
-- huge page (up to max_ptes_none empty pages per range, 511 by default),
-- so RSS grows past what the runtime holds. A finding only when that is
-- measurable: anonymous RSS above Go's resident memory, and huge pages to
-- account for it.
-- Sources: ../shared/reference/runtime-and-kernel.md (Go 1.21, 1.21.x-1.22
-- rows; GODEBUG disablethp), golang/go#61718, #64332, the gc guide's
-- "Linux transparent huge pages" section, the kernel's transhuge.rst.
local fmt = require("triage.fmt")
local semver = require("triage.semver")
local MiB = 1048576

-- Anonymous huge pages in the Go heap arenas (linux/amd64 hint range), from smaps
local function heap_huge(b)
  local m = b.mappings
  if not m then return nil end
  local n = 0
  for _, x in ipairs(m.largest or {}) do
    local start = tonumber(x.start, 16)
    if not x.path and start and start >= 0xc000000000 and start < 0xff00000000 then n = n + (x.anon_huge or 0) end
  end
  return n
end

local function go_history(go)
  if not go then return "the Go version is unknown" end
  if semver.less(go, "go1.21") then
    return go .. " marks heap memory MADV_HUGEPAGE when it is used and MADV_NOHUGEPAGE when it is released (before Go 1.21)"
  elseif semver.less(go, "go1.21.1") then
    return go .. " uses MADV_HUGEPAGE/MADV_COLLAPSE, which caused allocation stalls (golang/go#61718; removed in 1.21.x)"
  elseif semver.less(go, "go1.21.6") then
    return go .. " no longer marks heap memory NOHUGEPAGE, so with max_ptes_none=511 khugepaged re-collapses released memory (golang/go#64332); GODEBUG=disablethp=1 needs Go 1.21.6+"
  end
  return go .. ": GODEBUG=disablethp=1 turns THP off for the heap; with Linux 6.2+ the runtime no longer changes huge page state (gc guide)"
end

return {
  id = "environment-thp",
  rung = "environment",
  title = "Transparent huge pages inflate RSS",
  requires = { "host", "smaps", "status" },
  check = function(b, r)
    local thp = b.host.thp_enabled
    local ptes = b.host.thp_max_ptes_none
    local huge = b.smaps.AnonHugePages or 0
    local st, ms = b.status, b.memstats
    local rss = st.VmRSS or 0
    local go = b.buildinfo and b.buildinfo.go_version
    local setting = string.format("THP '%s'%s", tostring(thp or "?"), ptes and (", khugepaged max_ptes_none " .. ptes) or "")
    if thp == "never" or huge < 64 * MiB then
      r:rule_out{ reason = string.format("%s; AnonHugePages %s of RSS %s", setting, fmt.bytes(huge), fmt.bytes(rss)) }
      return
    end
    -- what the runtime holds resident, against what the process has
    local excess
    if ms and ms.Sys and st.RssAnon then excess = st.RssAnon - (ms.Sys - (ms.HeapReleased or 0)) end
    local in_heap = heap_huge(b)
    -- THP explains an excess only when the huge pages are at least half of it
    local measurable = excess and excess >= 64 * MiB and excess >= 0.1 * rss and huge >= 0.5 * excess
    if measurable and b.offheap_modules then
      for _, p in ipairs(b.offheap_modules.present or {}) do
        if p.kind ~= "mmap-file" then measurable = in_heap and in_heap >= 0.5 * excess end
      end
    end
    if not measurable then
      r:rule_out{ reason = string.format("%s; AnonHugePages %s, but anonymous RSS is not above what the Go runtime holds (%s)",
                                         setting, fmt.bytes(huge), excess and fmt.bytes(excess) or "unknown") }
      return
    end
    local ev = {
      string.format("AnonHugePages %s of RSS %s%s", fmt.bytes(huge), fmt.bytes(rss),
                    in_heap and (", " .. fmt.bytes(in_heap) .. " of it in the Go heap arenas") or ""),
      string.format("anonymous RSS %s is %s above Go's Sys - HeapReleased %s (HeapReleased %s)", fmt.bytes(st.RssAnon),
                    fmt.bytes(excess), fmt.bytes(ms.Sys - (ms.HeapReleased or 0)), fmt.bytes(ms.HeapReleased or 0)),
      "host: " .. setting,
    }
    if in_heap and in_heap > 0 then
      ev[#ev + 1] = go_history(go)
    elseif in_heap then
      ev[#ev + 1] = "the huge pages are outside the Go heap: in anonymous mappings the program or a library made itself (mmap)"
    end
    local advice = {}
    if thp == "madvise" then
      advice[#advice + 1] = "THP is 'madvise' on this host: the program or one of its libraries asks for huge pages (madvise MADV_HUGEPAGE); do not advise sparse data that way, or turn it off for the process with prctl(PR_SET_THP_DISABLE)"
    end
    if ptes and ptes > 0 then
      advice[#advice + 1] = "set /sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none to 0 on the node, so khugepaged does not fill released memory back into huge pages (golang/go#64332)"
    end
    if go and semver.at_least(go, "go1.21.6") then
      advice[#advice + 1] = "or run with GODEBUG=disablethp=1 (Go 1.21.6+), or prctl(PR_SET_THP_DISABLE) in a wrapper"
    else
      advice[#advice + 1] = "or set THP to madvise on the node; Go 1.21.6+ also offers GODEBUG=disablethp=1"
    end
    r:finding{
      severity = (excess >= 0.5 * rss and huge >= 0.5 * rss) and "high" or (excess >= 0.25 * rss and "medium" or "low"),
      confidence = 0.6,
      bytes = math.min(excess, huge),
      title = string.format("Transparent huge pages add about %s to RSS (AnonHugePages %s, %s)", fmt.bytes(math.min(excess, huge)),
                            fmt.bytes(huge), setting),
      summary = "Anonymous RSS is above everything the Go runtime holds, and transparent huge pages account for it. Touching one byte of a 2 MiB huge page makes all of it resident, and khugepaged fills sparse or released ranges back into huge pages (up to max_ptes_none empty pages each), so sparse data costs whole 2 MiB pages. The data did not grow; the page size did.",
      evidence = ev,
      advice = advice,
      refs = { "https://go.dev/doc/gc-guide#Linux_transparent_huge_pages", "https://github.com/golang/go/issues/64332",
               "https://github.com/golang/go/issues/61718", "https://docs.kernel.org/admin-guide/mm/transhuge.html" },
    }
  end,
}
