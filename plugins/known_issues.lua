-- known_issues: memory problems of widely used Go modules that are fixed in
-- a known version (or are usage traps), kept as data in
-- plugins/data/known_issues.lua plus any team rule directory's
-- data/known_issues.lua (b.data.known_issues, later ids replacing earlier
-- ones). This plugin checks each entry and fills in the defaults; the
-- libraries/known-issue rule matches the entries against the binary's
-- build info and the profiles.
local WHERE = { heap = true, goroutines = true, any = true }
local MiB = 1048576

local function strings(v)
  if type(v) == "string" then return { v } end
  local out = {}
  if type(v) == "table" then
    for _, s in ipairs(v) do if type(s) == "string" then out[#out + 1] = s end end
  end
  return out
end

return {
  name = "known_issues",
  requires = { "data" },
  description = "known memory issues of Go modules, from plugins/data/known_issues.lua and team data/ directories",
  build = function(b)
    local out = {}
    for _, e in ipairs(b.data.known_issues or {}) do
      local sigs = strings(e.signatures)
      local mods = strings(e.module)
      -- an entry that cannot match anything is left out rather than guessed at
      if #sigs > 0 and #mods > 0 and type(e.title) == "string" then
        out[#out + 1] = {
          id = e.id, module = mods, fixed_in = strings(e.fixed_in), introduced = e.introduced,
          affected = type(e.affected) == "string" and e.affected or "",
          signatures = sigs, where = WHERE[e.where] and e.where or "any",
          min_heap_share = tonumber(e.min_heap_share) or 0.1,
          min_heap_bytes = tonumber(e.min_heap_bytes) or 4 * MiB,
          min_goroutines = tonumber(e.min_goroutines) or 100,
          go_line = type(e.go_line) == "table" and { version = e.go_line.version, godebug = e.go_line.godebug } or nil,
          title = e.title, fix = type(e.fix) == "string" and e.fix or "", refs = strings(e.refs),
          origin = e.origin, file = e.file,
        }
      end
    end
    return out
  end,
}
