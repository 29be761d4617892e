-- File-backed RSS from memory-mapped data files: the process maps a file
-- (a database, an index, a GeoIP file) and every page it touches is
-- resident and counted in RSS, in the cgroup's file_mapped and page cache.
-- pprof and MemStats never see it. The per-mapping view is /proc/PID/smaps
-- (proc(5)); bbolt/BoltDB maps its whole database file this way
-- (../shared/reference/known-issues.md #29: "not a leak").
local fmt = require("triage.fmt")
local MiB = 1048576

local function is_code(f, exe)
  return f.exec or f.path == exe or f.path:match("%.so$") or f.path:match("%.so%.[%d%.]+$") ~= nil
end

return {
  id = "tooling-mapped-files",
  rung = "tooling",
  title = "Memory-mapped files hold the RSS",
  requires = { "mappings" },
  check = function(b, r)
    local m = b.mappings
    local exe = b.manifest and b.manifest.target and b.manifest.target.exe
    local rss = (b.status and b.status.VmRSS) or m.rss
    local data, total = {}, 0
    for _, f in ipairs(m.files or {}) do
      if not is_code(f, exe) and f.rss > 0 then
        data[#data + 1] = f
        total = total + f.rss
      end
    end
    if total < 64 * MiB or not rss or total < 0.25 * rss then
      r:rule_out{ reason = string.format("mapped data files hold %s of %s RSS", fmt.bytes(total), fmt.bytes(rss or 0)) }
      return
    end
    local top = data[1]
    local writable = false
    for _, f in ipairs(data) do writable = writable or f.writable end
    local dirty = top.shared_dirty + top.private_dirty
    local kind = top.shared and "MAP_SHARED" or "MAP_PRIVATE"
    local ev = {}
    for i = 1, math.min(3, #data) do
      local f = data[i]
      ev[#ev + 1] = string.format("%s: RSS %s of %s mapped (%s, %s%s): shared clean %s, shared dirty %s, private clean %s, private dirty %s",
        f.path, fmt.bytes(f.rss), fmt.bytes(f.size), f.writable and "writable" or "read-only",
        f.shared and "MAP_SHARED" or "MAP_PRIVATE", f.mappings > 1 and (", " .. f.mappings .. " mappings") or "",
        fmt.bytes(f.shared_clean), fmt.bytes(f.shared_dirty), fmt.bytes(f.private_clean), fmt.bytes(f.private_dirty))
    end
    ev[#ev + 1] = string.format("mapped data files %s of RSS %s (%s); anonymous memory %s", fmt.bytes(total), fmt.bytes(rss),
                                fmt.pct(total, rss), fmt.bytes(m.anonymous))
    local cg = b.cgroup
    if cg then
      local fm = cg.file_mapped or (cg.stat and (cg.stat.total_mapped_file or cg.stat.mapped_file))
      ev[#ev + 1] = string.format("cgroup: mapped file pages %s, active page cache %s, inactive %s", fmt.bytes(fm or 0),
                                  fmt.bytes(cg.active_file or 0), fmt.bytes(cg.inactive_file or 0))
    end
    local om = b.offheap_modules
    for _, p in ipairs(om and om.present or {}) do
      if p.kind == "mmap-file" then
        ev[#ev + 1] = string.format("the binary links %s@%s, which %s", p.module, tostring(p.version), p.what)
      end
    end
    if b.memstats and b.memstats.HeapInuse then
      ev[#ev + 1] = "the Go heap is " .. fmt.bytes(b.memstats.HeapInuse) .. ": pprof and MemStats do not see mapped files"
    end
    if cg and cg.inactive_file and cg.active_file then
      ev[#ev + 1] = cg.active_file >= total / 2 and "most mapped pages are on the active list: they count in the working set the kubelet evicts on"
                    or "most mapped pages are on the inactive list: reclaimable, and outside the working set the kubelet evicts on"
    end
    if not top.writable and dirty > 0 then
      ev[#ev + 1] = string.format("%s of its pages are dirty in the page cache (written through write(2), not through this read-only mapping); the kernel writes them back within seconds", fmt.bytes(dirty))
    end
    local advice
    if writable then
      advice = {
        "the mapping is writable: dirty pages must be written back before the kernel can drop them, so they behave like the program's own memory until synced",
        "for bbolt/BoltDB-style databases the whole file is mapped and RSS follows the pages the workload touches: compact the database (bbolt compact), delete old buckets, keep hot data small",
        "size the container for the database's working set, and alert on anonymous memory (container_memory_rss) rather than RSS",
      }
    else
      advice = {
        "the mapping is read-only: once written back its pages are clean, and the kernel can drop them under memory pressure and re-read them from disk, so this RSS is cache, not a leak",
        "they count in RSS and in the cgroup's page cache (active pages in the working set): alert on anonymous memory, and size the limit for the part of the file the workload really touches",
        "if only a part is hot, madvise(MADV_RANDOM) stops read-ahead from filling RSS, and splitting the file or reading with pread keeps cold data out of RSS",
      }
    end
    -- the ledger's leaves for these files (when the headline is RSS)
    local claims = {}
    for _, f in ipairs(data) do claims[#claims + 1] = "file:" .. f.path end
    r:finding{
      severity = (total >= 0.5 * rss and total >= 256 * MiB) and "high" or "medium",
      confidence = 0.95,
      bytes = total,
      claims = claims,
      title = string.format("%s of RSS is the memory-mapped file %s (%s, %s)", fmt.bytes(top.rss), top.path,
                            top.writable and "writable" or "read-only", kind),
      summary = "The process maps data files into memory; every page it reads is resident and counted in RSS and in the cgroup's page cache, while the Go heap stays small. Per-mapping RSS from /proc/PID/smaps names the file.",
      evidence = ev,
      advice = advice,
      refs = { "https://man7.org/linux/man-pages/man5/proc.5.html", "https://github.com/etcd-io/bbolt/issues/234",
               "shared/reference/known-issues.md #29" },
    }
  end,
}
