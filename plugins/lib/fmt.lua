-- triage.fmt (local fmt = require("triage.fmt")): small formatting helpers every rule uses, so numbers in reports
-- read the same everywhere ("1.4 GiB", "38%").
local function bytes(n)
  if n == nil then return "?" end
  local neg = n < 0
  local v = neg and -n or n
  local units = {"B", "KiB", "MiB", "GiB", "TiB"}
  local i = 1
  while v >= 1024 and i < #units do
    v = v / 1024
    i = i + 1
  end
  local s
  if i == 1 then
    s = string.format("%d B", math.floor(v))
  elseif v < 10 then
    s = string.format("%.2f %s", v, units[i])
  elseif v < 100 then
    s = string.format("%.1f %s", v, units[i])
  else
    s = string.format("%.0f %s", v, units[i])
  end
  return neg and ("-" .. s) or s
end

local function pct(part, whole)
  if not part or not whole or whole == 0 then return "?" end
  return string.format("%.0f%%", 100 * part / whole)
end

local function count(n)
  local neg = n < 0
  local s = tostring(math.floor(neg and -n or n))
  local out = s:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
  return (neg and "-" or "") .. out
end

-- a change per minute with its sign: "+54.0 MiB/min", "-1.00 KiB/min", "+0 B/min"
local function rate(per_min)
  if per_min == nil then return "?" end
  return (per_min >= 0 and "+" or "") .. bytes(per_min) .. "/min"
end

-- a span of time for people: "45 s", "3.5 min", "2.0 h", "3.1 days"
local function duration(sec)
  if sec == nil then return "?" end
  if sec < 90 then return string.format("%.0f s", sec) end
  if sec < 90 * 60 then return string.format("%.1f min", sec / 60) end
  if sec < 48 * 3600 then return string.format("%.1f h", sec / 3600) end
  return string.format("%.1f days", sec / 86400)
end

return { bytes = bytes, pct = pct, count = count, rate = rate, duration = duration }
