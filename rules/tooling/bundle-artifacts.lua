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
    -- nothing to say when the evidence is complete: this rule does not
    -- judge the tooling rung, it qualifies every other verdict
    if #ev == 0 then return end
    r:finding{
      severity = "info",
      confidence = 1,
      title = string.format("%d pieces of evidence are missing or unusable", #ev),
      summary = "Rules that needed them were skipped (see the rules section). Collect again with triage collect if the process is still running; check the manifest with triage show.",
      evidence = ev,
      advice = { "triage show BUNDLE lists what failed during collection and why" },
    }
  end,
}
