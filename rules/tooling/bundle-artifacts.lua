-- What the evidence itself is worth: artifacts the collector could not get,
-- and artifacts that are in the bundle but unusable (a corrupt or hostile
-- profile). A diagnosis without them is weaker, and the report says so.
return {
  id = "tooling-missing-evidence",
  rung = "tooling",
  title = "Evidence missing or unusable in the bundle",
  check = function(b, r)
    local ev = {}
    for _, kind in ipairs({ "heap", "allocs", "goroutine", "cpu" }) do
      local p = b.profiles and b.profiles[kind]
      if p then
        local ok, why = p:ok()
        if not ok then ev[#ev + 1] = "profile " .. kind .. " is unusable: " .. tostring(why) end
      end
    end
    local names = {}
    for name, why in pairs(b.unavailable or {}) do
      local optional = name == "base" or name == "samples" or name == "growth" or name == "series"
        or name == "profiles.mutex" or name == "profiles.block" or name == "profiles.threadcreate"
      if not optional then
        names[#names + 1] = name .. ": " .. why
      end
    end
    table.sort(names)
    for i = 1, math.min(#names, 12) do ev[#ev + 1] = names[i] end
    -- a profile without samples is valid evidence of idleness, not a failure
    local cpu = b.profiles and b.profiles.cpu
    if cpu and cpu:ok() and cpu:count() == 0 then
      local secs = (cpu:duration_nanos() or 0) / 1e9
      ev[#ev + 1] = string.format("CPU profile: idle during the %.0f s (no samples)", secs)
    end
    -- nothing to say when the evidence is complete: this rule does not
    -- judge the tooling rung, it qualifies every other verdict
    if #ev == 0 then return end

    -- which rungs the missing evidence blinds: a collection that got no
    -- profile at all must top the report, not hide at #4
    local function usable(kind)
      local p = b.profiles and b.profiles[kind]
      return p and p:ok() and p:count() > 0
    end
    local blind = {}
    local severity = "info"
    if not usable("heap") and not usable("goroutine") then
      blind[#blind + 1] = "business and libraries (no heap or goroutine profile)"
      severity = "high"
    elseif not usable("heap") then
      blind[#blind + 1] = "business and libraries heap findings (no heap profile)"
      severity = "medium"
    end
    if not b.memstats then
      blind[#blind + 1] = "runtime (no MemStats)"
      if severity == "info" then severity = "medium" end
    end
    if not b.cgroup then
      blind[#blind + 1] = "environment (no cgroup memory files)"
      if severity == "info" then severity = "low" end
    end
    local why = b.unavailable and (b.unavailable["profiles.heap"] or b.unavailable["memstats"])
    r:finding{
      severity = severity,
      confidence = 1,
      title = #blind > 0 and ("The collection is incomplete: " .. table.concat(blind, "; ") .. " cannot be judged")
        or string.format("%d pieces of evidence are missing or unusable", #ev),
      summary = "Rules that needed them were skipped (see the rules section)" ..
        (why and (": " .. why) or "") .. ". Collect again with triage collect if the process is still running; check the manifest with triage show.",
      evidence = ev,
      advice = { "triage show BUNDLE lists what failed during collection and why",
                 "if the service serves pprof elsewhere, give it: triage collect --pprof-url http://HOST:PORT/PREFIX/debug/pprof/ PID" },
    }
  end,
}
