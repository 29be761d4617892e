-- ledger: every byte from the number that hurt (the cgroup working set the
-- OOM killer and the dashboards use, else the process RSS) down to the heap
-- profile, layer by layer, with each layer's unexplained remainder named and
-- sized. This is the table the author of casebook case 4 had to build by
-- hand.
local function clamp0(n) return (n and n > 0) and n or 0 end

return {
  name = "ledger",
  description = "memory ledger: headline number down to the heap profile, remainders named",
  build = function(b)
    local cg, st, ms, sm = b.cgroup, b.status, b.memstats, b.smaps
    local rows = {}
    local headline
    if cg and cg.working_set and cg.usage then
      local limited = not cg.limit_unlimited and cg.limit and cg.limit > 0
      headline = { name = limited and "cgroup working set" or "cgroup working set (no limit)",
                   bytes = cg.working_set, source = "cgroup" }
      if limited then headline.limit = cg.limit end
    elseif st and st.VmRSS then
      headline = { name = "process RSS", bytes = st.VmRSS, source = "proc" }
    else
      return nil
    end
    local H = headline.bytes
    local function row(depth, name, n, note)
      rows[#rows + 1] = { depth = depth, name = name, bytes = n,
                          share = (n and H > 0) and n / H or nil, note = note }
    end

    if cg and cg.usage then
      if cg.limit and not cg.limit_unlimited then
        row(0, "cgroup limit", cg.limit, "memory.max / limit_in_bytes")
      end
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
      if anon and file then
        local explained = anon + file + (kern or 0)
        local rest = cg.usage - explained
        if cg.kernel_source ~= "derived" then
          row(1, "unexplained in cgroup usage", rest, "usage - anon - file - kernel (per-cpu charge slack)")
        end
      end
    end

    if st and st.VmRSS then
      row(0, "process RSS (VmRSS)", st.VmRSS, "what top shows")
      if st.RssAnon then row(1, "anonymous RSS", st.RssAnon) end
      if st.RssFile then row(1, "file-backed RSS", st.RssFile, "binary, libraries, mapped files") end
      if st.RssShmem and st.RssShmem > 0 then row(1, "shared memory RSS", st.RssShmem) end
      if sm and sm.LazyFree and sm.LazyFree > 0 then
        row(1, "LazyFree (MADV_FREE, not yet reclaimed)", sm.LazyFree, "counted in RSS until the kernel needs it")
      end
      if sm and sm.AnonHugePages and sm.AnonHugePages > 0 then
        row(1, "of which transparent huge pages", sm.AnonHugePages)
      end
      if cg and cg.anon and st.RssAnon then
        row(1, "cgroup anon not in this process", cg.anon - st.RssAnon,
            "other processes in the cgroup, or memory this process no longer maps")
      end
    end

    if ms and ms.Sys then
      row(0, "Go runtime Sys", ms.Sys, "address space the runtime obtained, not all resident")
      if ms.HeapInuse then row(1, "heap in use (HeapInuse)", ms.HeapInuse) end
      if ms.HeapIdle and ms.HeapReleased then
        row(1, "heap idle, retained (HeapIdle - HeapReleased)", ms.HeapIdle - ms.HeapReleased, "returnable to the OS")
        row(1, "heap released (HeapReleased)", ms.HeapReleased, "returned; resident only as LazyFree")
      end
      if ms.StackSys then row(1, "goroutine and thread stacks (StackSys)", ms.StackSys) end
      local meta = (ms.MSpanSys or 0) + (ms.MCacheSys or 0) + (ms.BuckHashSys or 0) + (ms.GCSys or 0) + (ms.OtherSys or 0)
      row(1, "runtime metadata (MSpan+MCache+BuckHash+GC+Other)", meta)
      if st and st.RssAnon and ms.HeapReleased then
        local go_resident = ms.Sys - ms.HeapReleased
        row(1, "anonymous RSS not accounted by Go", st.RssAnon - go_resident,
            "RssAnon - (Sys - HeapReleased): cgo/C allocations, other mappings; negative: Go memory not resident")
      end
    end

    local heap = b.profiles and b.profiles.heap
    if heap and heap:ok() then
      local inuse = heap:total("inuse_space")
      row(0, "heap profile inuse_space", inuse, "sampled live objects as of the last GC")
      if ms and ms.HeapInuse then
        row(1, "HeapInuse not in the profile", ms.HeapInuse - inuse,
            "span fragmentation, objects allocated since the last GC, sampling error")
      end
      headline.profile_inuse = inuse
    end
    return { headline = headline, rows = rows }
  end,
}
