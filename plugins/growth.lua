-- growth: what changed between the first and the last sample of the bundle
-- (triage collect --samples N), or against an earlier bundle (--base). One
-- snapshot cannot tell a leak from a plateau; two can.
local function delta(a, b, key)
  if a and b and a[key] and b[key] then return b[key] - a[key] end
  return nil
end

local function compare(first, last, label)
  local g = { label = label }
  g.heap_inuse = delta(first.memstats, last.memstats, "HeapInuse")
  g.heap_alloc = delta(first.memstats, last.memstats, "HeapAlloc")
  g.stack_inuse = delta(first.memstats, last.memstats, "StackInuse")
  g.sys = delta(first.memstats, last.memstats, "Sys")
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

return {
  name = "growth",
  description = "growth between the first and last samples, or against --base",
  build = function(b)
    local out = {}
    if b.samples and #b.samples >= 2 then
      out.samples = compare(b.samples[1], b.samples[#b.samples],
                            string.format("samples %s..%s", b.samples[1].id, b.samples[#b.samples].id))
      out.samples.first_time = b.samples[1].time
      out.samples.last_time = b.samples[#b.samples].time
      out.nr_samples = #b.samples
    end
    if b.base then
      out.base = compare(b.base, b, "against --base " .. tostring(b.base.path))
    end
    if not out.samples and not out.base then return nil end
    out.best = out.samples or out.base
    return out
  end,
}
