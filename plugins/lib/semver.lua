-- triage.semver (local semver = require("triage.semver")): compare module versions ("v3.1.3", "v0.0.0-20220301-abc",
-- "v1.19.0-fake") and Go versions ("go1.19.8"), for rules that know which
-- release fixed something.
local function parts(v)
  v = tostring(v or ""):gsub("^go", ""):gsub("^v", "")
  local main, pre = v:match("^([%d%.]+)(.*)$")
  if not main then return nil end
  local nums = {}
  for n in main:gmatch("%d+") do nums[#nums + 1] = tonumber(n) end
  while #nums < 3 do nums[#nums + 1] = 0 end
  return nums, pre
end

-- true when a < b; pre-release versions sort before their release; nil
-- when either is not a version at all ("(devel)" for a local replacement)
local function less(a, b)
  local na, pa = parts(a)
  local nb, pb = parts(b)
  if not na or not nb then return nil end
  for i = 1, math.max(#na, #nb) do
    local x, y = na[i] or 0, nb[i] or 0
    if x ~= y then return x < y end
  end
  if pa ~= "" and pb == "" then return true end
  if pa == "" and pb ~= "" then return false end
  return pa < pb
end

return {
  less = less,
  -- nil when v is not a version: callers must decide what unknown means
  at_least = function(v, min)
    local l = less(v, min)
    if l == nil then return nil end
    return not l
  end,
  parses = function(v) return parts(v) ~= nil end,
}
