-- ledger: every byte of the number that hurt, explained once.
--
-- The headline is the number that can kill the service: the cgroup working
-- set when the cgroup has a memory limit (what the OOM killer, the kubelet
-- and cAdvisor look at), else the process RSS (with no limit nothing is
-- killed for the cgroup's sake; what hurts is the process's share of the
-- host).
--
-- Two views of it:
--   rows    the layers as each tool reports them (cgroup, RSS, Go runtime,
--           heap profile), each with its remainder named: for reading;
--   leaves  one attribution: every headline byte in exactly one leaf, so
--           the leaves sum to the headline. Findings take their bytes from
--           leaves (ledger.claim) and no leaf is claimed twice, so no byte
--           is explained by two findings.
--
-- Where a byte sits depends on the kernel: since Linux 4.12 pages freed
-- with MADV_FREE (LazyFree) move to the inactive file LRU, so the cgroup's
-- usage - inactive_file (the working set) no longer counts them, while RSS
-- still does.
local fmt = require("triage.fmt")

local function clamp0(n) return (n and n > 0) and n or 0 end

local function kernel_at_least(k, major, minor)
  if not k or not k.major then return nil end
  return k.major > major or (k.major == major and (k.minor or 0) >= minor)
end

-- The severity scale (docs/ladder.md): what a finding's bytes risk, as a
-- share of the limit and with the headroom left.
local function make_risk(limit, headline, oom_kills, b)
  return function(bytes)
    if not limit or limit <= 0 or not bytes then return "low" end
    local share = bytes / limit
    local headroom = 1 - headline / limit
    -- with samples: how soon the growing headline reaches the limit (growth
    -- plugin, read when a rule asks, after every plugin has run)
    local gs = b.growth and b.growth.series
    local minutes = gs and gs.headline and gs.headline.minutes_to_limit
    if oom_kills and oom_kills > 0 and share >= 0.25 then return "critical" end
    if share >= 0.5 and headroom < 0.1 then return "critical" end
    if minutes and minutes < 10 and share >= 0.1 then return "critical" end
    if share >= 0.5 or (share >= 0.2 and headroom < 0.2) then return "high" end
    if minutes and minutes < 60 and share >= 0.05 then return "high" end
    if share >= 0.2 or (share >= 0.05 and headroom < 0.2) then return "medium" end
    if share >= 0.02 then return "low" end
    return "info"
  end
end

return {
  name = "ledger",
  requires = { "ownership" },
  description = "memory ledger: the headline down to the heap profile, and one attribution of every headline byte",
  build = function(b)
    local cg, st, ms, sm = b.cgroup, b.status, b.memstats, b.smaps
    local own = b.ownership
    local rows, leaves, leaf = {}, {}, {}
    local limited = cg and cg.working_set and cg.usage and not cg.limit_unlimited and cg.limit and cg.limit > 0
    local meminfo = b.host and b.host.meminfo
    local headline
    if limited then
      headline = { name = "cgroup working set", bytes = cg.working_set, source = "cgroup", limit = cg.limit }
    elseif st and st.VmRSS then
      headline = { name = "process RSS", bytes = st.VmRSS, source = "proc" }
      if meminfo and meminfo.MemTotal then
        headline.host_total = meminfo.MemTotal
        headline.host_available = meminfo.MemAvailable
      end
      if cg and cg.working_set then headline.cgroup_working_set = cg.working_set end
    elseif cg and cg.working_set then
      -- no /proc/PID/status: the cgroup is all there is
      headline = { name = "cgroup working set (no limit)", bytes = cg.working_set, source = "cgroup" }
    else
      return nil
    end
    local H = headline.bytes
    -- mapped data files (not the binary or shared libraries), largest first,
    -- when they are a real part of RSS
    local data_files = {}
    local exe = b.manifest and b.manifest.target and b.manifest.target.exe
    for _, f in ipairs(b.mappings and b.mappings.files or {}) do
      local code = f.exec or f.path == exe or f.path:match("%.so$") or f.path:match("%.so%.[%d%.]+$")
      if not code and st and st.VmRSS and f.rss >= 8 * 1048576 and f.rss >= 0.05 * st.VmRSS and #data_files < 5 then
        data_files[#data_files + 1] = f
      end
    end
    local function row(depth, name, n, note)
      rows[#rows + 1] = { depth = depth, name = name, bytes = n,
                          share = (n and H > 0) and n / H or nil, note = note }
    end

    -- ---- the layers, as each tool reports them ----
    if cg and cg.usage then
      if limited then row(0, "cgroup limit", cg.limit, "memory.max / limit_in_bytes") end
      row(0, "cgroup usage", cg.usage, "what the kernel charges the cgroup")
      if cg.working_set then
        row(1, "working set = usage - inactive_file", cg.working_set, "kubelet eviction and cAdvisor alerts use this")
      end
      local anon, file, kern, shmem = cg.anon, cg.file, cg.kernel, cg.shmem
      if cg.inactive_file then row(1, "inactive page cache", cg.inactive_file, "reclaimable, not in the working set") end
      if cg.active_file then row(1, "active page cache", cg.active_file, "counted in the working set") end
      if anon then row(1, "anonymous memory", anon, "process heaps, stacks, Go runtime") end
      if kern then row(1, "kernel (slab, stacks, sockets)", kern, cg.kernel_source == "derived" and "derived: usage - rss - cache" or nil) end
      if shmem and shmem > 0 then row(1, "shmem / tmpfs", shmem, "counted as file on v2") end
      if anon and file and cg.kernel_source ~= "derived" then
        row(1, "unexplained in cgroup usage", cg.usage - anon - file - (kern or 0),
            "usage - anon - file - kernel (per-cpu charge slack)")
      end
    end
    local lazy = clamp0(sm and sm.LazyFree)
    if st and st.VmRSS then
      row(0, "process RSS (VmRSS)", st.VmRSS, "what top shows")
      if st.RssAnon then row(1, "anonymous RSS", st.RssAnon) end
      if st.RssFile then row(1, "file-backed RSS", st.RssFile, "binary, libraries, mapped files") end
      -- the data files the process maps, by name (per-mapping RSS from /proc/PID/smaps)
      for _, f in ipairs(data_files) do
        row(2, "mapped file " .. (f.path:match("[^/]+$") or f.path), f.rss, f.path .. ": " ..
            (f.writable and "writable" or "read-only") .. ", " .. (f.shared and "MAP_SHARED" or "private") ..
            "; counted in the cgroup's page cache too")
      end
      if st.RssShmem and st.RssShmem > 0 then row(1, "shared memory RSS", st.RssShmem) end
      if lazy > 0 then
        row(1, "LazyFree (MADV_FREE, not yet reclaimed)", lazy, "counted in RSS until the kernel needs it")
      end
      if sm and sm.AnonHugePages and sm.AnonHugePages > 0 then
        row(1, "of which transparent huge pages", sm.AnonHugePages)
      end
      if cg and cg.anon and st.RssAnon then
        row(1, "cgroup anon not in this process", cg.anon - st.RssAnon,
            "other processes in the cgroup, or memory this process no longer maps")
      end
    end
    local meta
    if ms and ms.Sys then
      row(0, "Go runtime Sys", ms.Sys, "address space the runtime obtained, not all resident")
      if ms.HeapInuse then row(1, "heap in use (HeapInuse)", ms.HeapInuse) end
      if ms.HeapIdle and ms.HeapReleased then
        row(1, "heap idle, retained (HeapIdle - HeapReleased)", ms.HeapIdle - ms.HeapReleased, "returnable to the OS")
        row(1, "heap released (HeapReleased)", ms.HeapReleased, "returned; resident only as LazyFree")
      end
      if ms.StackSys then row(1, "goroutine and thread stacks (StackSys)", ms.StackSys) end
      meta = (ms.MSpanSys or 0) + (ms.MCacheSys or 0) + (ms.BuckHashSys or 0) + (ms.GCSys or 0) + (ms.OtherSys or 0)
      row(1, "runtime metadata (MSpan+MCache+BuckHash+GC+Other)", meta)
      if st and st.RssAnon and ms.HeapReleased then
        row(1, "anonymous RSS not accounted by Go", st.RssAnon - lazy - (ms.Sys - ms.HeapReleased),
            "RssAnon - LazyFree - (Sys - HeapReleased): cgo/C allocations, other mappings; negative: Go memory not resident")
      end
    end
    local heap = b.profiles and b.profiles.heap
    local inuse
    if heap and heap:ok() then
      inuse = heap:total("inuse_space")
      row(0, "heap profile inuse_space", inuse, "sampled live objects as of the last GC")
      if ms and ms.HeapInuse then
        row(1, "HeapInuse not in the profile", ms.HeapInuse - inuse,
            "span fragmentation, objects allocated since the last GC, sampling error")
      end
      headline.profile_inuse = inuse
    end

    -- ---- one attribution: every headline byte in one leaf ----
    local function add_leaf(id, name, n, note)
      if not n or n == 0 then return end
      leaves[#leaves + 1] = { id = id, name = name, bytes = n, note = note,
                              share = H > 0 and n / H or nil }
      leaf[id] = (leaf[id] or 0) + n
    end
    local lazy_in_ws = kernel_at_least(b.kernel, 4, 12) == false
    local notes = {}

    -- The target's anonymous memory, split by what the Go runtime says it
    -- holds, in the order the runtime touches it: heap in use first, then
    -- stacks and metadata, idle heap last (the runtime counts address
    -- space; what did not fit is not resident). The rest is outside Go.
    local function split_anon(pool)
      if not (ms and ms.HeapInuse) then
        add_leaf("anon.process", "the process's anonymous memory (no MemStats to split it)", pool)
        return
      end
      local left = pool
      local function take(n)
        n = clamp0(n)
        local t = math.min(n, clamp0(left))
        left = left - t
        if t < n then notes[#notes + 1] = n - t end
        return t
      end
      local heap_res = take(ms.HeapInuse)
      local profiled = 0
      if inuse and inuse > 0 and own and own.heap and own.heap.total and own.heap.total > 0 then
        -- the profile's shares of the resident heap in use, by owner
        local base = math.min(inuse, heap_res)
        local scale = base / own.heap.total
        local function part(id, name, v)
          local n = math.floor(v * scale)
          add_leaf(id, name, n)
          profiled = profiled + n
        end
        part("heap.main", "heap in use: the service's code (" .. tostring(own.main or "main") .. ")", own.heap.main or 0)
        for _, d in ipairs(own.heap.deps or {}) do
          part("heap.dep:" .. d.module, "heap in use: " .. d.module .. (d.version and ("@" .. d.version) or ""), d.value)
        end
        part("heap.stdlib", "heap in use: standard library", own.heap.stdlib or 0)
        part("heap.runtime", "heap in use: runtime", own.heap.runtime or 0)
        part("heap.other", "heap in use: other frames", own.heap.other or 0)
      end
      add_leaf("heap.unprofiled", "heap in use, not in the profile",
               heap_res - profiled, "fragmentation, objects since the last GC, sampling error")

      -- stacks, with the share of large goroutine groups named by creator
      local stacks = take(ms.StackSys or ms.StackInuse)
      local named = 0
      local g = b.goroutines
      if g and g.count and g.count > 0 and g.groups then
        -- by creator: a connection's read and write loops are one cause
        local by, order = {}, {}
        for _, grp in ipairs(g.groups) do
          if grp.created_by then
            if not by[grp.created_by] then order[#order + 1] = grp.created_by end
            by[grp.created_by] = (by[grp.created_by] or 0) + grp.count
          end
        end
        for _, creator in ipairs(order) do
          local count = by[creator]
          if count >= 100 and count >= 0.1 * g.count then
            local n = math.floor(stacks * count / g.count)
            add_leaf("stacks.group:" .. creator, "stacks of " .. count ..
                     " goroutines created by " .. creator, n)
            named = named + n
          end
        end
      end
      add_leaf("stacks.other", "goroutine and thread stacks", stacks - named)
      add_leaf("runtime.metadata", "runtime metadata (spans, GC bitmaps, caches)", take(meta))
      add_leaf("heap.idle", "idle heap the runtime retains (HeapIdle - HeapReleased)",
               take(ms.HeapIdle and ms.HeapReleased and ms.HeapIdle - ms.HeapReleased or 0),
               "returnable to the OS")
      add_leaf("anon.outside_go", "anonymous memory outside the Go runtime", clamp0(left),
               "cgo and C libraries, anonymous mappings")
    end

    local target_anon = st and st.RssAnon and clamp0(st.RssAnon - lazy)
    if headline.source == "cgroup" and cg then
      local lazy_ws = lazy_in_ws and lazy or 0
      -- the cgroup's anonymous memory in the working set: LazyFree pages
      -- sit on the inactive file list on >= 4.12, outside it
      local anon_ws = clamp0((cg.anon or 0) - (lazy - lazy_ws))
      if target_anon then
        local mine = math.min(target_anon, anon_ws - lazy_ws)
        split_anon(mine)
        add_leaf("lazyfree", "LazyFree: freed with MADV_FREE, not yet reclaimed", lazy_ws,
                 "this kernel (< 4.12) still counts it in the working set")
        add_leaf("other_processes", "other processes' anonymous memory in the cgroup",
                 clamp0(anon_ws - lazy_ws - mine))
      else
        add_leaf("anon.cgroup", "anonymous memory in the cgroup", anon_ws)
      end
      -- page cache in the working set: cache minus what the inactive list
      -- holds of it (the inactive list also holds the LazyFree pages)
      local file_ws = clamp0((cg.file or 0) - ((cg.inactive_file or 0) - (lazy - lazy_ws)))
      local active = math.min(clamp0(cg.active_file), file_ws)
      add_leaf("page_cache.active", "active page cache", active, "file pages read or written recently")
      add_leaf("page_cache.other", "other file pages (shmem, unevictable)", file_ws - active)
      add_leaf("kernel", "kernel memory (slab, sockets, page tables)", clamp0(cg.kernel))
    elseif st and st.VmRSS then
      split_anon(target_anon or 0)
      add_leaf("lazyfree", "LazyFree: freed with MADV_FREE, not yet reclaimed", lazy,
               "counted in RSS (top, container_memory_rss) until the kernel needs it")
      local named = 0
      for _, f in ipairs(data_files) do
        local n = math.min(f.rss, clamp0(st.RssFile) - named)
        add_leaf("file:" .. f.path, "mapped file " .. (f.path:match("[^/]+$") or f.path), n,
                 f.path .. ": " .. (f.writable and "writable" or "read-only") .. (f.shared and ", MAP_SHARED" or ", private"))
        named = named + n
      end
      add_leaf("file_rss", "file-backed RSS (binary, libraries, other files)", clamp0(st.RssFile) - named)
      add_leaf("shmem_rss", "shared memory RSS", clamp0(st.RssShmem))
    end
    local sum = 0
    for _, l in ipairs(leaves) do sum = sum + l.bytes end
    add_leaf("unattributed", "not attributed (accounting slack between the sources)", H - sum)
    local not_resident = 0
    for _, n in ipairs(notes) do not_resident = not_resident + n end

    row(0, "attribution: where each headline byte is", H, "every byte once; findings claim these rows")
    for _, l in ipairs(leaves) do row(1, l.name, l.bytes, l.note) end
    if not_resident > 0 then
      row(1, "(runtime counts not resident)", not_resident, "address space the runtime holds that is not in RSS; not part of the sum")
    end

    local limit = headline.limit or headline.host_total
    local oom = cg and (cg.oom_kill or cg.oom_events)
    return {
      headline = headline, rows = rows, leaves = leaves, leaf = leaf,
      lazy_in_headline = (headline.source == "proc" and lazy > 0) or (lazy_in_ws and lazy > 0),
      limit = limit, limited = limited and true or false,
      -- bytes and ids of the leaves matching ids (exact) or prefixes ending in '.' or ':'
      claim = function(...)
        local total, ids = 0, {}
        for _, want in ipairs({ ... }) do
          for _, l in ipairs(leaves) do
            local last = want:sub(-1)
            if l.id == want or ((last == "." or last == ":") and l.id:sub(1, #want) == want) then
              total = total + l.bytes
              ids[#ids + 1] = l.id
            end
          end
        end
        return total, ids
      end,
      risk = make_risk(limit, H, oom, b),
      fmt_share = function(n) return fmt.pct(n, limit) end,
    }
  end,
}
