-- triage.severity (local sev = require("triage.severity")): comparing and
-- bounding severities by name, so rules can say "at most low without a
-- limit" or "at least high when growing" without a table of their own.
local order = { info = 1, low = 2, medium = 3, high = 4, critical = 5 }
local names = { "info", "low", "medium", "high", "critical" }

local function rank(s)
  local r = order[s]
  if not r then error("not a severity: " .. tostring(s), 3) end
  return r
end

return {
  -- the higher of the two (nil is ignored)
  max = function(a, b)
    if a == nil then return b end
    if b == nil then return a end
    return names[math.max(rank(a), rank(b))]
  end,
  -- the lower of the two (nil is ignored)
  min = function(a, b)
    if a == nil then return b end
    if b == nil then return a end
    return names[math.min(rank(a), rank(b))]
  end,
  at_least = function(s, floor) return rank(s) >= rank(floor) end,
}
