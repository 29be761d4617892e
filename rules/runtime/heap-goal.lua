-- The GC's heap goal against the container limit. Go collects when the heap
-- reaches NextGC, which GOGC sets to live × (1 + GOGC/100) (Go 1.18+ adds
-- stacks and globals to the base); GOMEMLIMIT (Go 1.19+) caps the goal for
-- Go's own memory only. A raised GOGC under a limit is the classic way to
-- "save GC CPU" until the goal plus everything else meets the limit.
-- Sources: https://go.dev/doc/gc-guide (GOGC, Memory limit, 5-10% headroom),
-- ../shared/reference/runtime-and-kernel.md (1.19: GOMEMLIMIT excludes cgo
-- and mapped memory; GOGC=off semantics), go-memory.md (NextGC).
local fmt = require("triage.fmt")
local semver = require("triage.semver")

local UNITS = { B = 1, KiB = 1024, MiB = 1048576, GiB = 1073741824, TiB = 1099511627776 }

-- GOMEMLIMIT syntax (runtime/debug.SetMemoryLimit): bytes, or a number with B, KiB, MiB, GiB, TiB
local function parse_limit(s)
  if type(s) ~= "string" then return nil end
  if s == "off" then return "off" end
  local n, u = s:match("^%s*(%d+)%s*(%a*)%s*$")
  if not n then return nil end
  if u == "" then return tonumber(n) end
  return UNITS[u] and tonumber(n) * UNITS[u] or nil
end

local function parse_gogc(s)
  if s == nil or s == "" then return 100, "100, the default" end
  if s == "off" then return nil, "off" end
  local n = tonumber(s)
  if not n or n < 0 then return 100, s .. " (invalid: 100 applies)" end
  return n, s
end

-- "2026-12-02T01:05:42.004Z" -> Unix seconds (days from the civil date, UTC)
local function iso_seconds(t)
  local y, mo, d, h, mi, sec = tostring(t):match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):([%d%.]+)Z$")
  if not y then return nil end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  if mo <= 2 then y = y - 1 end
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (mo + (mo > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  local days = era * 146097 + doe - 719468
  return days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(sec)
end

return {
  id = "runtime-heap-goal",
  rung = "runtime",
  title = "The GC's heap goal (GOGC, GOMEMLIMIT) against the container limit",
  requires = { "memstats" },
  check = function(b, r)
    local ms, env, cg, st = b.memstats, b.env or {}, b.cgroup, b.status or {}
    local next_gc = ms.NextGC
    if not next_gc or next_gc == 0 or not ms.Sys then
      r:inconclusive("MemStats has no NextGC")
      return
    end
    local gogc, gogc_s = parse_gogc(env.GOGC)
    local memlimit = parse_limit(env.GOMEMLIMIT)
    if memlimit == "off" then memlimit = nil end
    local go = b.buildinfo and b.buildinfo.go_version
    local has_memlimit = not go or semver.less(go, "go1.19") == false

    -- the live heap: the heap profile is live data as of the last GC; else what the goal implies
    local live
    local heap = b.profiles and b.profiles.heap
    if heap and heap:ok() then live = heap:total("inuse_space") end
    if (not live or live == 0) and gogc then live = next_gc / (1 + gogc / 100) end
    if not live or live == 0 then live = ms.HeapAlloc end
    local multiple = live and live > 0 and next_gc / live or nil

    local nonheap = (ms.StackSys or 0) + (ms.MSpanSys or 0) + (ms.MCacheSys or 0) + (ms.BuckHashSys or 0) +
                    (ms.GCSys or 0) + (ms.OtherSys or 0)
    local outside = 0
    if st.RssAnon then outside = math.max(0, st.RssAnon - (ms.Sys - (ms.HeapReleased or 0))) end
    local files = (st.RssFile or 0) + (st.RssShmem or 0)
    local peak = next_gc + nonheap + outside + files
    local limit = cg and not cg.limit_unlimited and cg.limit or nil

    local ev = {
      string.format("heap goal (NextGC) %s = %.1f x the live heap %s; GOGC %s%s", fmt.bytes(next_gc), multiple or 0,
                    fmt.bytes(live), gogc_s, env.GOMEMLIMIT and (", GOMEMLIMIT " .. env.GOMEMLIMIT) or ", GOMEMLIMIT not set"),
      string.format("at the goal: heap %s + non-heap Go memory %s (stacks, metadata) + memory outside Go %s (cgo, mmap) + file-backed RSS %s = %s",
                    fmt.bytes(next_gc), fmt.bytes(nonheap), fmt.bytes(outside), fmt.bytes(files), fmt.bytes(peak)),
    }
    if ms.NumGC then
      local start = b.manifest and b.manifest.collection and iso_seconds(b.manifest.collection.start)
      local ago = start and ms.LastGC and ms.LastGC > 0 and start - ms.LastGC / 1e9 or nil
      ev[#ev + 1] = string.format("%s GCs so far%s, GC CPU %.1f%%%s", fmt.count(ms.NumGC),
                                  not ago and "" or (ago >= 0 and string.format(", the last %.0f s before the collection", ago)
                                                     or ", the last during the collection"),
                                  100 * (ms.GCCPUFraction or 0), ms.HeapAlloc and (", heap now " .. fmt.bytes(ms.HeapAlloc)) or "")
    end
    if limit then
      ev[#ev + 1] = string.format("container limit %s: the goal's peak is %s of it%s", fmt.bytes(limit), fmt.pct(peak, limit),
                                  cg.max_usage and cg.max_usage > 0 and (", the cgroup peaked at " .. fmt.bytes(cg.max_usage)) or "")
    end

    -- what keeps the peak under the limit with the gc guide's headroom (10%)
    local advice = {}
    local target = limit and 0.9 * limit
    if target then
      local room = target - nonheap - outside - files
      -- GOGC multiplies the GC's own base (the marked heap, plus stacks and globals from Go 1.18),
      -- which the goal itself gives: NextGC / (1 + GOGC/100); the profile's sampled heap is smaller
      local base = gogc and next_gc / (1 + gogc / 100) or live
      local g = room > base and math.floor(100 * (room / base - 1) / 10) * 10 or nil
      if g and gogc and g >= gogc then
        advice[#advice + 1] = string.format("GOGC=%s already keeps the goal under 90%% of the limit; the rest of the memory is what to look at", gogc_s)
      elseif g and g >= 25 then
        advice[#advice + 1] = string.format("GOGC=%d keeps the goal near %s, under 90%% of the limit with this live heap", math.min(g, 100000),
                                            fmt.bytes(base * (1 + math.min(g, 100000) / 100)))
      else
        advice[#advice + 1] = "no GOGC keeps a heap of this live size under 90% of the limit: raise the limit or shrink the live data"
      end
      if has_memlimit then
        advice[#advice + 1] = string.format("or set GOMEMLIMIT=%dMiB (90%% of the limit minus %s the runtime cannot see); keep GOGC as it is",
                                            math.max(0, math.floor((target - outside - files) / 1048576)), fmt.bytes(outside + files))
      else
        advice[#advice + 1] = string.format("%s predates GOMEMLIMIT (Go 1.19): only GOGC can bound the goal", tostring(go))
      end
    end
    local caveat = "GOMEMLIMIT (Go 1.19+) bounds only Go's own memory: cgo allocations, syscall.Mmap regions and mapped files are not in it"

    local title, severity, summary
    if not gogc then
      if memlimit then
        local over = limit and memlimit + outside + files > limit
        severity = over and "high" or "info"
        title = string.format("GOGC=off with GOMEMLIMIT=%s: the heap grows to the memory limit before each GC", env.GOMEMLIMIT)
        summary = "With GOGC=off the GC runs only when Go's memory reaches GOMEMLIMIT. That is a deliberate setting for a program that owns its container, but it leaves no slack: memory outside Go and a limit set too close to the container's turn into OOM kills or a GC that runs continuously."
        if over then ev[#ev + 1] = string.format("GOMEMLIMIT %s + memory outside Go %s exceeds the container limit %s",
                                                 fmt.bytes(memlimit), fmt.bytes(outside + files), fmt.bytes(limit)) end
      else
        severity = limit and "high" or "medium"
        title = "GOGC=off without GOMEMLIMIT: the heap is never collected"
        summary = "GOGC=off turns the collector off. Without GOMEMLIMIT nothing ever triggers a GC, so the heap grows with every allocation until the container limit or the node stops it."
        advice[#advice + 1] = "remove GOGC=off, or pair it with GOMEMLIMIT below the container limit"
      end
    elseif not limit then
      if gogc > 100 and multiple and multiple >= 3 then
        r:finding{ severity = "info", confidence = 0.7, title = string.format("GOGC=%s lets the heap grow to %.1f x live data (no container limit)", gogc_s, multiple),
                   evidence = ev, advice = { "with a memory limit, check the goal against it; " .. caveat } }
      else
        r:rule_out(string.format("no container limit to compare; heap goal %s is %.1f x live (GOGC %s)", fmt.bytes(next_gc), multiple or 0, gogc_s))
      end
      return
    else
      local share = peak / limit
      -- the garbage the goal allows must matter next to the limit (the runtime's 4 MiB minimum goal never does)
      local material = next_gc - (live or 0) >= 0.1 * limit
      local raised = material and multiple and multiple >= 2.5
      if share >= 0.9 and material then severity = "high"
      elseif share >= 0.75 and raised then severity = "medium"
      elseif raised and share >= 0.5 then severity = "low"
      end
      if not severity then
        r:rule_out{ reason = string.format("heap goal %s (%.1f x live, GOGC %s) plus the rest is %s of the %s limit",
                                           fmt.bytes(next_gc), multiple or 0, gogc_s, fmt.pct(peak, limit), fmt.bytes(limit)),
                    evidence = ev }
        return
      end
      title = string.format("Heap goal %s is %.1f x the live heap (GOGC=%s%s): at the goal the process needs %s of the %s limit",
                            fmt.bytes(next_gc), multiple or 0, gogc_s, memlimit and (", GOMEMLIMIT=" .. env.GOMEMLIMIT) or "",
                            fmt.pct(peak, limit), fmt.bytes(limit))
      summary = string.format("The GC lets the heap grow to live x (1 + GOGC/100) before collecting: %s of live data becomes a %s heap. The memory between the live data and the goal is garbage the GC has not yet collected, and it is what takes the container towards its limit.",
                              fmt.bytes(live), fmt.bytes(next_gc))
    end
    advice[#advice + 1] = caveat
    r:finding{
      severity = severity,
      confidence = 0.85,
      bytes = math.max(0, next_gc - (live or 0)),
      title = title,
      summary = summary,
      evidence = ev,
      advice = advice,
      refs = { "https://go.dev/doc/gc-guide#GOGC", "https://go.dev/doc/gc-guide#Memory_limit", "https://pkg.go.dev/runtime/debug#SetMemoryLimit" },
    }
  end,
}
