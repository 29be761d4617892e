-- offheap_modules: the modules of b.data.offheap_modules (plugins/data/ and
-- team data/ directories) that the binary links, with their versions, so
-- the off-heap and mapped-file rules can name the likely holder of memory
-- that pprof and MemStats cannot see.
local function strings(v)
  if type(v) == "string" then return { v } end
  local out = {}
  if type(v) == "table" then for _, s in ipairs(v) do if type(s) == "string" then out[#out + 1] = s end end end
  return out
end

return {
  name = "offheap_modules",
  requires = { "data", "buildinfo" },
  description = "modules known to hold memory outside the Go heap, matched against build info",
  build = function(b)
    local deps = {}
    for _, d in ipairs(b.buildinfo.deps or {}) do deps[d.path] = d end
    local entries, present = {}, {}
    for _, e in ipairs(b.data.offheap_modules or {}) do
      local entry = { id = e.id, module = strings(e.module), kind = e.kind or "cgo", cgo = e.cgo == true,
                      what = e.what or "", advice = e.advice or "", refs = strings(e.refs), origin = e.origin, file = e.file }
      entries[#entries + 1] = entry
      for _, m in ipairs(entry.module) do
        local d = deps[m]
        if d then
          local v = d.version
          if d.replace and d.replace.version and d.replace.version ~= "(devel)" and d.replace.version ~= "" then v = d.replace.version end
          present[#present + 1] = { id = entry.id, module = m, version = v, kind = entry.kind, cgo = entry.cgo,
                                    what = entry.what, advice = entry.advice, refs = entry.refs,
                                    origin = entry.origin, file = entry.file }
          break
        end
      end
    end
    local cgo = b.buildinfo.settings and b.buildinfo.settings.CGO_ENABLED
    return { entries = entries, present = present, cgo_enabled = cgo }
  end,
}
