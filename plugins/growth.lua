-- growth: how fast memory grows, what grows, and when the limit is reached,
-- from the samples over time (triage collect --samples N, or several
-- bundles analyzed together) and against an earlier bundle (--base). One
-- snapshot cannot tell a leak from a plateau; a series can, and when it
-- cannot (too few samples, too short a span, no GC between samples) this
-- says so instead of calling it steady.
local fmt = require("triage.fmt")

local MiB = 1048576
-- below these a series is too thin to call a trend
local MIN_SPAN = 5          -- seconds between the first and last sample
-- a change smaller than this over the span is a plateau: max(absolute, relative to the level)
local FLAT_BYTES, FLAT_SHARE = 4 * MiB, 0.03

local function delta(a, b, key)
  if a and b and a[key] and b[key] then return b[key] - a[key] end
  return nil
end

-- What changed between two snapshots (kept for the rules that read it).
local function compare(first, last, label)
  local g = { label = label }
  g.heap_inuse = delta(first.memstats, last.memstats, "HeapInuse")
  g.heap_alloc = delta(first.memstats, last.memstats, "HeapAlloc")
  g.stack_inuse = delta(first.memstats, last.memstats, "StackInuse")
  g.sys = delta(first.memstats, last.memstats, "Sys")
  g.num_gc = delta(first.memstats, last.memstats, "NumGC")
  g.rss = delta(first.status, last.status, "VmRSS")
  g.cgroup_usage = delta(first.cgroup, last.cgroup, "usage")
  g.working_set = delta(first.cgroup, last.cgroup, "working_set")
  g.active_file = delta(first.cgroup, last.cgroup, "active_file")
  local fp, lp = first.profiles or {}, last.profiles or {}
  if fp.heap and lp.heap and fp.heap:ok() and lp.heap:ok() then
    g.heap_top = lp.heap:top{ sample = "inuse_space", base = fp.heap, n = 15 }
    g.heap_profile = lp.heap:total("inuse_space") - fp.heap:total("inuse_space")
  end
  if fp.goroutine and lp.goroutine and fp.goroutine:ok() and lp.goroutine:ok() then
    g.goroutines = lp.goroutine:total() - fp.goroutine:total()
    g.goroutines_first = fp.goroutine:total()
    g.goroutines_last = lp.goroutine:total()
    g.goroutine_top = lp.goroutine:top{ base = fp.goroutine, n = 10 }
  end
  return g
end

-- Theil-Sen: the median of the slopes between every pair of points, per
-- second. One odd sample (a GC just before it) moves it far less than it
-- moves a first-to-last rate.
local function theil_sen(pts)
  -- pairs grow with the square of the samples (collect takes up to 1000):
  -- past 100 points, evenly spaced ones keep the cost within a rule's budget
  if #pts > 100 then
    local thin = {}
    for i = 0, 99 do thin[#thin + 1] = pts[1 + (i * (#pts - 1)) // 99] end
    pts = thin
  end
  local s = {}
  for i = 1, #pts do
    for j = i + 1, #pts do
      local dt = pts[j].t - pts[i].t
      if dt > 0 then s[#s + 1] = (pts[j].v - pts[i].v) / dt end
    end
  end
  if #s == 0 then return nil end
  table.sort(s)
  local m = (#s + 1) // 2
  if #s % 2 == 1 then return s[m] end
  return (s[m] + s[m + 1]) / 2
end

-- The series of one key: first, last, change, rate and slope per minute, trend.
local function metric(rows, key, bytes)
  local pts = {}
  for _, r in ipairs(rows) do
    if r[key] and r.t then pts[#pts + 1] = { t = r.t, v = r[key] } end
  end
  if #pts < 2 then return nil end
  local span = pts[#pts].t - pts[1].t
  local m = { first = pts[1].v, last = pts[#pts].v, n = #pts, span = span }
  m.change = m.last - m.first
  local lo, hi = m.first, m.first
  for _, p in ipairs(pts) do lo = math.min(lo, p.v); hi = math.max(hi, p.v) end
  m.min, m.max = lo, hi
  if span > 0 then
    m.rate_per_min = m.change / span * 60
    local s = theil_sen(pts)
    m.slope_per_min = s and s * 60
  end
  if bytes and m.slope_per_min then
    local moved = m.slope_per_min * span / 60
    local flat = math.max(FLAT_BYTES, FLAT_SHARE * math.max(m.first, m.last))
    if moved >= flat then m.trend = "growing"
    elseif moved <= -flat then m.trend = "shrinking"
    else m.trend = "plateau" end
  elseif m.slope_per_min then
    local flat = math.max(2, 0.05 * math.max(m.first, m.last))
    local moved = m.slope_per_min * span / 60
    m.trend = moved >= flat and "growing" or moved <= -flat and "shrinking" or "plateau"
  end
  return m
end

local BYTE_KEYS = { "working_set", "usage", "anon", "file", "active_file", "rss", "rss_anon", "rss_file",
                    "lazyfree", "HeapInuse", "HeapAlloc", "HeapIdle", "HeapReleased", "StackInuse", "Sys",
                    "NextGC", "heap_profile_inuse" }
local COUNT_KEYS = { "goroutines", "NumGC", "NumForcedGC", "heap_profile_objects", "HeapObjects" }

-- What grew in the heap profile between the first and last sample, by
-- function, package and module; goroutine groups that grew.
-- heap_rate (bytes/min): how fast the live heap grows in real time. A
-- row's rate is its share of the profile's growth at that pace: a profile
-- is as of a GC up to two cycles back, so its own first-to-last change
-- over the samples' span understates the rate unless every sample forced
-- a GC (--gc-heap).
local function what_grew(b, first, last, span, heap_rate)
  local g = {}
  local fp, lp = first.profiles or {}, last.profiles or {}
  local modules = b.ownership and b.ownership.modules
  if fp.heap and lp.heap and fp.heap:ok() and lp.heap:ok() then
    local function rows(by, sample, cum)
      local opts = { sample = sample, base = fp.heap, n = 10, by = by, cum = cum }
      if by == "module" then
        if not modules then return nil end
        opts.modules = modules
      end
      local ok, t = pcall(lp.heap.top, lp.heap, opts)
      if not ok then return nil end
      local out = {}
      local grown = lp.heap:total(sample) - fp.heap:total(sample)
      for _, r in ipairs(t) do
        local v = cum and r.cum or r.flat
        if v ~= 0 then
          local row = { name = r.name, change = v }
          if sample == "inuse_space" and heap_rate and grown > 0 then
            -- other rows may shrink while this one grows: no row is more than all of it
            row.share = math.min(v / grown, 1)
            row.rate_per_min = row.share * heap_rate
          elseif span > 0 then
            row.rate_per_min = v / span * 60
          end
          out[#out + 1] = row
        end
      end
      return out
    end
    g.functions = rows("function", "inuse_space", false)
    g.functions_cum = rows("function", "inuse_space", true)
    g.packages = rows("package", "inuse_space", false)
    g.modules = rows("module", "inuse_space", false)
    g.objects = rows("function", "inuse_objects", false)
  end
  if fp.goroutine and lp.goroutine and fp.goroutine:ok() and lp.goroutine:ok() then
    -- by cum, past the runtime's own frames: every goroutine's leaf is
    -- runtime.gopark, the frames that say what it waits in are above it
    local ok, t = pcall(lp.goroutine.top, lp.goroutine, { base = fp.goroutine, n = 40, cum = true })
    if ok then
      g.goroutines = {}
      for _, r in ipairs(t) do
        -- a handful come and go with every request (the collector's own, too)
        if r.cum >= 10 and not r.name:match("^runtime[%.]") and #g.goroutines < 10 then
          g.goroutines[#g.goroutines + 1] = { name = r.name, change = r.cum }
        end
      end
    end
  end
  return g
end

local function build_series(b, out)
  local rows = b.series
  if not rows or #rows < 2 then return end
  local first, last = rows[1], rows[#rows]
  local s = { n = #rows, first_time = first.time, last_time = last.time,
              span = (first.t and last.t) and (last.t - first.t) or nil, metrics = {}, reasons = {}, notes = {} }
  out.series = s
  for _, k in ipairs(BYTE_KEYS) do s.metrics[k] = metric(rows, k, true) end
  for _, k in ipairs(COUNT_KEYS) do s.metrics[k] = metric(rows, k, false) end

  -- the headline: what the OOM killer or the kubelet acts on, and its limit
  local h
  local mt = s.metrics
  if mt.working_set then
    h = { key = "working_set", name = "cgroup working set" }
    if last.limit then h.limit, h.limit_name = last.limit, "cgroup limit" end
  elseif mt.rss then
    h = { key = "rss", name = "process RSS" }
    local mem = b.host and b.host.meminfo and b.host.meminfo.MemTotal
    if mem then h.limit, h.limit_name = mem, "host memory (MemTotal)" end
  end
  if h then
    for k, v in pairs(mt[h.key]) do h[k] = v end
    s.headline = h
  end

  -- when the evidence cannot decide, say why
  if not s.span then
    s.reasons[#s.reasons + 1] = "the samples have no collection times"
  elseif s.span < MIN_SPAN then
    s.reasons[#s.reasons + 1] = string.format("the samples span only %s (need %d s or more)", fmt.duration(s.span), MIN_SPAN)
  end
  if #rows == 2 then
    s.notes[#s.notes + 1] = "only 2 samples: a rate between two points, not a trend (collect --samples 4 or more)"
  end

  -- GC between samples: a heap profile is as of the last GC, so without one
  -- between two samples they show the same heap whatever happened since
  local gc = mt.NumGC
  s.gc_cycles = gc and gc.change
  s.forced_gc = mt.NumForcedGC and mt.NumForcedGC.change or nil
  local heap_key, heap_note
  if gc and gc.change == 0 then
    s.no_gc = true
    local hi = mt.HeapInuse
    heap_note = "no GC between samples: the heap profile cannot show growth"
    if hi then heap_note = heap_note .. "; HeapInuse " .. (hi.change >= 0 and "grew" or "shrank") .. " by " .. fmt.bytes(math.abs(hi.change)) end
    s.notes[#s.notes + 1] = heap_note
    heap_key = "HeapInuse"
  elseif mt.heap_profile_inuse and gc then
    -- GCs ran: each profile is the live heap at some GC, the live set's own curve
    heap_key = "heap_profile_inuse"
    if gc.change < #rows - 1 and not (s.forced_gc and s.forced_gc > 0) then
      s.notes[#s.notes + 1] = string.format("%d GC cycles over %d samples: some samples show the same heap profile", gc.change, #rows)
    end
  elseif mt.HeapInuse then
    heap_key = "HeapInuse"
  end
  if heap_key and mt[heap_key] then
    s.heap = { key = heap_key }
    for k, v in pairs(mt[heap_key]) do s.heap[k] = v end
    -- HeapInuse under GC cycling swings up to GOGC% between samples: only a
    -- live-heap measure (the profile after GCs) can call a plateau
    if heap_key == "HeapInuse" and gc and gc.change and gc.change > 0 and s.heap.trend == "plateau" then
      s.heap.trend = nil
    end
    -- without a GC between samples HeapInuse rises towards NextGC in any
    -- program: growth is a leak's sign only when the headline grows with it
    if s.no_gc then
      local hm = h and mt[h.key]
      if not (s.heap.trend == "growing" and hm and hm.trend == "growing" and hm.change >= 0.5 * s.heap.change) then
        s.heap.trend = nil
        s.heap.undecided = "no GC between samples: HeapInuse rises towards NextGC in any program"
      end
    elseif not s.heap.trend then
      s.heap.undecided = "HeapInuse swings with each GC cycle: it cannot tell a plateau"
    end
    -- what cannot decide the headline cannot decide the heap either
    if #s.reasons > 0 then
      s.heap.trend = nil
      s.heap.undecided = s.reasons[1]
    end
  end

  -- the verdict on the headline
  if #s.reasons > 0 or not h or not h.trend then
    s.verdict = "cannot decide"
    if not h then s.reasons[#s.reasons + 1] = "no headline number (cgroup working set or RSS) in the samples" end
  else
    s.verdict = h.trend
    -- a GC-cycling program's RSS swings by up to a GC cycle (NextGC minus
    -- the live heap) as the runtime grows and scavenges the heap: a rise
    -- or a fall within that, while the live heap after GCs is flat, is no
    -- trend (four samples of a sawtooth can all land on its way down)
    local hs = s.heap
    if (s.verdict == "growing" or s.verdict == "shrinking") and hs and hs.key == "heap_profile_inuse"
       and hs.trend == "plateau" and last.NextGC then
      local cycle = last.NextGC - hs.last
      if cycle > 0 and math.abs(h.change) <= cycle then
        s.notes[#s.notes + 1] = string.format("the %s %s %s, within one GC cycle (NextGC %s - live heap %s = %s), while the live heap after GCs stayed flat",
          h.name, s.verdict == "growing" and "rose" or "fell", fmt.bytes(math.abs(h.change)),
          fmt.bytes(last.NextGC), fmt.bytes(hs.last), fmt.bytes(cycle))
        s.verdict = "plateau"
      end
    end
  end

  -- time to the limit, when the headline is growing
  if h and s.verdict == "growing" and h.limit and h.slope_per_min and h.slope_per_min > 0 then
    local left = h.limit - h.last
    if left <= 0 then
      h.minutes_to_limit = 0
      h.projection = string.format("at %s the %s is already at the %s %s", fmt.rate(h.slope_per_min), h.name,
                                   fmt.bytes(h.limit), h.limit_name)
    else
      h.minutes_to_limit = left / h.slope_per_min
      h.projection = string.format("at %s the %s %s is reached in about %s", fmt.rate(h.slope_per_min),
                                   fmt.bytes(h.limit), h.limit_name, fmt.duration(h.minutes_to_limit * 60))
    end
  end

  -- one line for people
  if h then
    local line = string.format("%s %s -> %s (%s) over %s: %s (%s first to last), %d samples",
      h.name, fmt.bytes(h.first), fmt.bytes(h.last), (h.change >= 0 and "+" or "") .. fmt.bytes(h.change),
      fmt.duration(s.span or 0), h.slope_per_min and fmt.rate(h.slope_per_min) or "?",
      h.rate_per_min and fmt.rate(h.rate_per_min) or "?", s.n)
    if s.verdict == "plateau" then
      line = line .. string.format("; a plateau between %s and %s", fmt.bytes(h.min), fmt.bytes(h.max))
    elseif s.verdict == "cannot decide" then
      line = line .. "; cannot decide"
    else
      line = line .. "; " .. s.verdict
    end
    s.summary = line
  end

  local fs, ls = b.samples[1], b.samples[#b.samples]
  -- the live heap's pace in real time: the profile's own when each sample
  -- forced a GC, else HeapInuse's
  local forced_each = s.forced_gc and s.forced_gc >= #rows - 1
  local pace = forced_each and mt.heap_profile_inuse or mt.HeapInuse or mt.heap_profile_inuse
  s.heap_rate_per_min = pace and pace.slope_per_min
  s.heap_rate_source = pace and (pace == mt.HeapInuse and "HeapInuse" or "heap_profile_inuse")
  s.grew = what_grew(b, fs, ls, s.span or 0, s.heap_rate_per_min)
  -- the ledger's rows that grew, largest first
  local LEDGER = { working_set = "working set", usage = "cgroup usage", anon = "cgroup anon", file = "page cache",
                   active_file = "active page cache", rss = "RSS", rss_anon = "RssAnon", rss_file = "RssFile",
                   lazyfree = "LazyFree", HeapInuse = "HeapInuse", StackInuse = "StackInuse", Sys = "Go Sys",
                   HeapIdle = "HeapIdle", HeapReleased = "HeapReleased" }
  local ledger = {}
  for k, label in pairs(LEDGER) do
    local m = mt[k]
    if m and m.trend == "growing" then ledger[#ledger + 1] = { name = label, key = k, change = m.change, rate_per_min = m.slope_per_min } end
  end
  table.sort(ledger, function(x, y) if x.change ~= y.change then return x.change > y.change end return x.key < y.key end)
  if #ledger > 0 then s.grew.ledger = ledger end

  -- empty lists would read as {} in the JSON report: leave them out
  if #s.reasons == 0 then s.reasons = nil end
  if #s.notes == 0 then s.notes = nil end
  if s.grew.goroutines and #s.grew.goroutines == 0 then s.grew.goroutines = nil end
  if s.no_gc then s.grew.profile_note = "no GC ran between the first and last sample: the heap profile diff shows nothing" end
end

return {
  name = "growth",
  after = { "series", "ownership" },
  description = "rates, trend and time to the limit over the samples; what grew; against --base",
  build = function(b)
    local out = {}
    if b.samples and #b.samples >= 2 then
      out.samples = compare(b.samples[1], b.samples[#b.samples],
                            string.format("samples %s..%s", b.samples[1].id, b.samples[#b.samples].id))
      out.samples.first_time = b.samples[1].time
      out.samples.last_time = b.samples[#b.samples].time
      out.nr_samples = #b.samples
      build_series(b, out)
    end
    if b.base then
      out.base = compare(b.base, b, "against --base " .. tostring(b.base.path))
    end
    if not out.samples and not out.base then return nil end
    out.best = out.samples or out.base
    return out
  end,
}
