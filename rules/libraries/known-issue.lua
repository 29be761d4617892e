-- Known memory issues of dependencies (the known_issues plugin's table),
-- matched on the module and version from build info and on the issue's
-- signature frames in the profiles.
local fmt = require("triage.fmt")
local semver = require("triage.semver")

-- "go1.19.8" -> "go1.19", "v0.4.0" -> "v0.4": the release line a fix belongs to
local function line(v)
  return type(v) == "string" and v:match("^(v?g?o?%d+%.%d+)") or nil
end

-- true: older than the fix; false: fixed; nil: cannot tell (unparseable version)
local function older_than_fix(v, fixes)
  if #fixes == 0 then return true end
  local l = line(v)
  if not l then return nil end
  local lowest
  for _, f in ipairs(fixes) do
    if line(f) == l then return semver.less(v, f) end
    if not lowest or semver.less(f, lowest) then lowest = f end
  end
  -- a release line without its own fix: affected when older than every fixed line
  return semver.less(v, lowest)
end

-- Go 1.23 timer semantics apply only when the main module's go line is
-- 1.23 or later: the go command then leaves asynctimerchan out of the
-- binary's DefaultGODEBUG (build info), and GODEBUG can still turn it back.
local function go_line_affected(b, gl)
  local gover = b.buildinfo.go_version
  if semver.less(gover, gl.version) ~= false then
    return true, string.format("built with %s, older than %s", tostring(gover), gl.version)
  end
  local dflt = b.buildinfo.settings and b.buildinfo.settings.DefaultGODEBUG or ""
  local env = b.env and b.env.GODEBUG or ""
  local off = gl.godebug .. "=1"
  if env:find(off, 1, true) then
    return true, string.format("GODEBUG=%s in the environment restores the old behaviour", off)
  end
  if dflt:find(off, 1, true) then
    return true, string.format("built with %s, but the main module's go line is older than %s (build info DefaultGODEBUG has %s)",
                               gover, gl.version:gsub("^go", ""), off)
  end
  return false, string.format("built with %s and a main module declaring go >= %s", gover, gl.version:gsub("^go", ""))
end

return {
  id = "libraries-known-issue",
  rung = "libraries",
  title = "A dependency version with a known memory issue",
  requires = { "known_issues", "buildinfo" },
  check = function(b, r)
    local deps = {}
    for _, d in ipairs(b.buildinfo.deps or {}) do deps[d.path] = d.version end
    local gover = b.buildinfo.go_version
    local heap = b.profiles and b.profiles.heap
    local gor = b.profiles and b.profiles.goroutine
    local heap_total = heap and heap:ok() and heap:total("inuse_space") or 0
    local gor_total = gor and gor:ok() and gor:total() or 0
    local matched = 0
    for _, issue in ipairs(b.known_issues) do
      local mod, ver
      for _, m in ipairs(issue.module) do
        if m == "std" then mod, ver = "go", gover
        elseif deps[m] then mod, ver = m, deps[m] end
        if mod then break end
      end
      local affected, sure, why = false, true, nil
      if mod then
        if issue.go_line then
          affected, why = go_line_affected(b, issue.go_line)
        elseif issue.introduced and semver.less(ver, issue.introduced) then
          affected = false
        else
          local older = older_than_fix(ver, issue.fixed_in)
          -- an unparseable version ("(devel)", a local replacement) may be affected
          affected = older ~= false
          sure = #issue.fixed_in == 0 or older == true
        end
      end
      if affected then
        local best, where = 0, nil
        for _, sig in ipairs(issue.signatures) do
          if issue.where ~= "goroutines" and heap_total > 0 then
            local v = heap:cum_matching(sig, "inuse_space")
            if v > best then best, where = v, "heap" end
          end
          if issue.where ~= "heap" and gor_total > 0 then
            local v = gor:cum_matching(sig)
            if v > 0 and (where ~= "heap") and v > best then best, where = v, "goroutines" end
          end
        end
        local strong = (where == "heap" and best >= issue.min_heap_share * heap_total and best >= issue.min_heap_bytes)
                       or (where == "goroutines" and best >= issue.min_goroutines)
        if strong then
          matched = matched + 1
          local fixed = #issue.fixed_in > 0 and (", fixed in " .. table.concat(issue.fixed_in, " / ")) or
                        (issue.go_line and "" or ", no fixed release known")
          local ev = { string.format("the binary uses %s %s%s", mod, ver, fixed) }
          if why then ev[#ev + 1] = why end
          if where == "heap" then
            ev[#ev + 1] = string.format("%s of in-use heap (%s) under its signature frames", fmt.bytes(best), fmt.pct(best, heap_total))
          else
            ev[#ev + 1] = string.format("%s goroutines in its signature frames", fmt.count(best))
          end
          ev[#ev + 1] = issue.affected
          if not sure then ev[#ev + 1] = "version '" .. tostring(ver) .. "' cannot be compared with " .. table.concat(issue.fixed_in, " / ") end
          if issue.origin and issue.origin ~= "built-in" then
            ev[#ev + 1] = string.format("known issue '%s' from %s (%s)", issue.id, issue.origin, tostring(issue.file))
          end
          -- the ledger leaves this issue explains: the module's share of the
          -- heap, or the stacks of the goroutines its functions created
          local claims, seen = {}, {}
          if where == "heap" and mod ~= "go" then
            -- every module of the issue the binary has (a fix spans forks)
            for _, m in ipairs(issue.module) do
              if deps[m] then claims[#claims + 1] = "heap.dep:" .. m end
            end
          elseif where == "goroutines" and b.goroutines then
            -- the groups whose stacks show the issue's frames, by creator
            for _, g in ipairs(b.goroutines.groups or {}) do
              local hit = false
              for _, fr in ipairs(g.frames or {}) do
                for _, sig in ipairs(issue.signatures) do
                  if fr:find(sig, 1, true) then hit = true end
                end
              end
              if hit and g.created_by and not seen[g.created_by] then
                seen[g.created_by] = true
                claims[#claims + 1] = "stacks.group:" .. g.created_by
              end
            end
          end
          r:finding{
            severity = (where == "heap" and best >= 0.4 * heap_total) and "critical" or "high",
            confidence = sure and 0.9 or 0.7,
            bytes = where == "heap" and best or nil,
            claims = claims,
            title = issue.title .. " (" .. (mod == "go" and tostring(ver) or (mod .. " " .. ver)) .. ")",
            summary = "A known issue of this dependency version matches what the profiles show: " .. issue.affected .. ".",
            evidence = ev,
            advice = { issue.fix },
            refs = issue.refs,
          }
        end
      end
    end
    if matched == 0 and #(b.buildinfo.deps or {}) == 0 then
      -- no module list: absence of a match is not evidence
      r:inconclusive{ reason = "the build info lists no dependency modules to match known issues against",
                      evidence = { string.format("%d known issues not checked", #b.known_issues) } }
    elseif matched == 0 then
      r:rule_out{ reason = "no known issue matches the binary's dependencies and profiles",
                  evidence = { string.format("%d known issues checked against %d dependencies", #b.known_issues,
                                             #(b.buildinfo.deps or {})) } }
    end
  end,
}
