-- ownership: who owns the heap and the goroutines. Every function belongs
-- to the main module, a dependency (module@version from the binary's build
-- info), the standard library or the runtime. Heap samples are owned by the
-- innermost frame in the main module or a dependency (C: p:owners), so an
-- allocation in bytes.makeSlice made for a dependency counts against that
-- dependency, and main.main at the root does not swallow everything.

-- "github.com/a/b.(*T).M" -> "github.com/a/b" (as core/profile/aggregate.c does it)
local function package_of(fn)
  local s = fn:match("^[^%[]*") or fn
  local last = 0
  for i = 1, #s do if s:sub(i, i) == "/" then last = i end end
  local dot = s:find(".", last + 1, true)
  local pkg = dot and s:sub(1, dot - 1) or s
  return (pkg:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

return {
  name = "ownership",
  description = "owner (main / dependency@version / stdlib / runtime) of functions, heap and goroutines",
  build = function(b)
    -- without build info (or with one that lists no modules, as a binary
    -- built outside module mode has) the runtime and the standard library
    -- are still told apart; has_modules says whether dependencies could be
    local bi = b.buildinfo or {}
    local main = (bi.main and bi.main.path ~= "" and bi.main.path) or bi.path
    local deps, modules = {}, {}
    for _, d in ipairs(bi.deps or {}) do
      deps[d.path] = { version = d.version, replace = d.replace }
      modules[#modules + 1] = d.path
    end
    if main then modules[#modules + 1] = main end
    -- the main package's functions are named "main.f", not by module path
    modules[#modules + 1] = "main"

    local function module_of(pkg)
      local best
      for _, m in ipairs(modules) do
        if (pkg == m or pkg:sub(1, #m + 1) == m .. "/") and (not best or #m > #best) then best = m end
      end
      return best
    end

    -- kind, module, version for a function name
    local function classify(fn)
      local pkg = package_of(fn)
      local m = module_of(pkg)
      if m == "main" then return "main", main end
      if m and m == main then return "main", m end
      if m then return "dependency", m, deps[m].version end
      if pkg == "runtime" or pkg:sub(1, 8) == "runtime/" then return "runtime" end
      local first = pkg:match("^[^/]*")
      if first ~= "" and not first:find(".", 1, true) then return "stdlib" end
      return "unknown"
    end

    local own = { main = main, deps = deps, modules = modules, classify = classify,
                  package_of = package_of,
                  has_buildinfo = b.buildinfo ~= nil,
                  has_modules = b.buildinfo ~= nil and #(bi.deps or {}) > 0 }

    local function owners_of(p, sample)
      if not (p and p:ok()) then return nil end
      local ok_sample = false
      for _, t in ipairs(p:sample_types()) do if t.type == sample then ok_sample = true end end
      if not ok_sample then return nil end
      local rows, total = p:owners(modules, sample)
      local out = { total = total, main = 0, runtime = 0, stdlib = 0, other = 0, deps = {} }
      for _, r in ipairs(rows) do
        if r.name == main or r.name == "main" then out.main = out.main + r.value
        elseif r.name == "(runtime)" then out.runtime = r.value
        elseif r.name == "(stdlib)" then out.stdlib = r.value
        elseif r.name == "(other)" then out.other = r.value
        else
          out.deps[#out.deps + 1] = { module = r.name, version = deps[r.name] and deps[r.name].version,
                                      value = r.value, samples = r.samples }
        end
      end
      return out
    end

    local prof = b.profiles or {}
    own.heap = owners_of(prof.heap, "inuse_space")
    own.heap_objects = owners_of(prof.heap, "inuse_objects")
    own.goroutines = owners_of(prof.goroutine, "goroutine")
    own.cpu = owners_of(prof.cpu, "cpu")
    -- the newest heap profile over time: what a growing heap holds now
    local last = b.samples and b.samples[#b.samples]
    if last and last.profiles then own.heap_last = owners_of(last.profiles.heap, "inuse_space") end

    -- goroutine groups by the owner of the function that created them
    if b.goroutines then
      local creators = {}
      for _, g in ipairs(b.goroutines.groups) do
        local kind, m, v = "unknown", nil, nil
        if g.created_by then kind, m, v = classify(g.created_by) end
        creators[#creators + 1] = { count = g.count, kind = kind, module = m, version = v,
                                    created_by = g.created_by, top = g.top, state = g.state,
                                    max_wait_minutes = g.max_wait_minutes,
                                    created_by_entry = g.created_by_entry }
      end
      own.goroutine_groups = creators
      -- the largest group whose creator is of this kind ("main", "dependency", ...)
      own.largest_group = function(kind)
        local worst
        for _, g in ipairs(creators) do
          if g.kind == kind and (not worst or g.count > worst.count) then worst = g end
        end
        return worst
      end
    end
    return own
  end,
}
