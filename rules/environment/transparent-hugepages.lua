-- Transparent huge pages set to "always" can round memory up to 2 MiB
-- pages and inflate RSS for sparse heaps.
local fmt = require("triage.fmt")
return {
  id = "environment-thp",
  rung = "environment",
  title = "Transparent huge pages inflate RSS",
  requires = { "host", "smaps", "status" },
  check = function(b, r)
    local thp = b.host.thp_enabled
    local huge = b.smaps.AnonHugePages or 0
    local rss = b.status.VmRSS or 0
    if thp == "always" and huge >= 64 * 1048576 and huge >= 0.3 * rss then
      r:finding{
        severity = "low",
        confidence = 0.5,
        bytes = huge,
        title = string.format("%s of RSS is in transparent huge pages (THP: always)", fmt.bytes(huge)),
        summary = "With THP set to always, the kernel backs anonymous memory with 2 MiB pages. A sparse heap then occupies more resident memory than it uses, and freed memory is returned only in whole huge pages.",
        evidence = { "transparent_hugepage/enabled: always", "AnonHugePages " .. fmt.bytes(huge) .. " of RSS " .. fmt.bytes(rss) },
        advice = { "set THP to madvise on the node, or check whether the Go version's huge page handling fits the workload" },
        refs = { "https://docs.kernel.org/admin-guide/mm/transhuge.html" },
      }
    else
      r:rule_out{ reason = string.format("THP is '%s' and AnonHugePages is %s", tostring(thp or "?"), fmt.bytes(huge)) }
    end
  end,
}
