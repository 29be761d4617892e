-- series: the samples over time as one table of numbers, a row per sample,
-- so that growth, rates and the report's GROWTH table read the same values.
-- A sample is b.samples[i] (triage collect --samples N, or one point per
-- bundle when several bundles are analyzed together).

-- MemStats fields the ledger and the growth logic use.
local MEMSTATS = { "HeapInuse", "HeapAlloc", "HeapIdle", "HeapReleased", "HeapSys", "HeapObjects",
                   "StackInuse", "StackSys", "Sys", "MSpanSys", "MCacheSys", "BuckHashSys", "GCSys",
                   "OtherSys", "NextGC", "NumGC", "NumForcedGC", "TotalAlloc", "Mallocs", "Frees",
                   "LastGC" }

local function total(p, sample)
  if not (p and p:ok()) then return nil end
  local ok, v = pcall(p.total, p, sample)
  if ok then return v end
  return nil
end

return {
  name = "series",
  requires = { "samples" },
  description = "the samples over time as rows of numbers",
  build = function(b)
    local rows = {}
    local limit = b.cgroup and not b.cgroup.limit_unlimited and b.cgroup.limit or nil
    for _, s in ipairs(b.samples) do
      local cg, st, sm, ms = s.cgroup or {}, s.status or {}, s.smaps or {}, s.memstats or {}
      local row = { id = s.id, time = s.time, t = s.t, bundle = s.bundle,
                    usage = cg.usage, working_set = cg.working_set, anon = cg.anon, file = cg.file,
                    active_file = cg.active_file, inactive_file = cg.inactive_file,
                    -- samples on cgroup v1 do not collect the limit: the main snapshot's applies
                    limit = (cg.limit and not cg.limit_unlimited) and cg.limit or limit,
                    rss = st.VmRSS, rss_anon = st.RssAnon, rss_file = st.RssFile, lazyfree = sm.LazyFree }
      for _, k in ipairs(MEMSTATS) do row[k] = ms[k] end
      local p = s.profiles or {}
      row.heap_profile_inuse = total(p.heap, "inuse_space")
      row.heap_profile_objects = total(p.heap, "inuse_objects")
      row.goroutines = total(p.goroutine)
      if p.goroutine and p.goroutine:ok() then
        local ok, top = pcall(p.goroutine.top, p.goroutine, { n = 5, cum = false })
        if ok then
          row.goroutine_top = {}
          for i, g in ipairs(top) do row.goroutine_top[i] = { name = g.name, count = g.flat } end
        end
      end
      rows[#rows + 1] = row
    end
    -- in time order; samples without a time keep their place
    local have_t = true
    for _, r in ipairs(rows) do have_t = have_t and r.t ~= nil end
    if have_t then
      for i, r in ipairs(rows) do r.order = i end
      table.sort(rows, function(x, y) if x.t ~= y.t then return x.t < y.t end return x.order < y.order end)
      for _, r in ipairs(rows) do r.order = nil end
      for _, r in ipairs(rows) do r.elapsed = r.t - rows[1].t end
    end
    return rows
  end,
}
