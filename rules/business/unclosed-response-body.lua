-- Unclosed http.Response bodies (casebook case 2): every response whose
-- body is never closed keeps its connection, and the connection's read and
-- write goroutines, alive. The frames are in net/http, but the fix is in
-- the caller, so this is a business-code finding.
local fmt = require("triage.fmt")
return {
  id = "business-unclosed-response-body",
  rung = "business",
  title = "HTTP response bodies are not closed",
  requires = { "goroutines" },
  check = function(b, r)
    local readers, writers = 0, 0
    for _, g in ipairs(b.goroutines.groups) do
      for _, f in ipairs(g.frames) do
        if f == "net/http.(*persistConn).readLoop" then readers = readers + g.count break end
        if f == "net/http.(*persistConn).writeLoop" then writers = writers + g.count break end
      end
    end
    if readers < 50 then
      r:rule_out{ reason = "few HTTP client connections are open",
                  evidence = { string.format("%d persistConn readLoop and %d writeLoop goroutines", readers, writers) } }
      return
    end
    local ev = { string.format("%s net/http.(*persistConn).readLoop and %s writeLoop goroutines, created by (*Transport).dialConn",
                               fmt.count(readers), fmt.count(writers)) }
    local bytes
    local heap = b.profiles and b.profiles.heap
    if heap and heap:ok() then
      local v = heap:cum_matching("net/http.(*Transport).dialConn", "inuse_space")
      if v > 0 then
        bytes = v
        ev[#ev + 1] = fmt.bytes(v) .. " of in-use heap under net/http.(*Transport).dialConn (connection buffers)"
      end
    end
    -- the frames are net/http's; the fix is in the caller: find the
    -- service's functions that make the requests (innermost main-module
    -- frame above net/http.(*Client).do in the allocation profiles)
    local caller
    if b.ownership and b.ownership.main then
      local mods = { b.ownership.main, "main" }
      for _, src in ipairs({ { "allocs", "alloc_space" }, { "heap", "alloc_space" }, { "heap", "inuse_space" } }) do
        local p = b.profiles and b.profiles[src[1]]
        if p and p:ok() and not caller then
          local ok_sample = false
          for _, t in ipairs(p:sample_types()) do if t.type == src[2] then ok_sample = true end end
          if ok_sample then
            local rows = p:callers("net/http.(*Client).do", mods, src[2])
            if rows[1] then caller = rows[1].name end
            for i = 1, math.min(#rows, 3) do
              ev[#ev + 1] = string.format("HTTP requests made from %s (%s allocated under net/http.(*Client).do, %s profile)",
                                          rows[i].name, fmt.bytes(rows[i].value), src[1])
            end
          end
        end
      end
    end
    local grow = b.growth and b.growth.best and b.growth.best.goroutines
    if grow and grow > 0 then
      ev[#ev + 1] = string.format("goroutines grew by %s over %s", fmt.count(grow), b.growth.best.label)
    end
    r:finding{
      severity = (readers >= 500 or (grow and grow > 0)) and "high" or "medium",
      confidence = math.abs(readers - writers) <= readers * 0.2 and 0.85 or 0.6,
      bytes = bytes,
      -- what the ledger attributes to them: the connections' goroutine
      -- stacks (their buffers sit in the standard library's heap share)
      claims = { "stacks.group:net/http.(*Transport).dialConn" },
      title = string.format("%s HTTP connections are held open: response bodies are not closed%s", fmt.count(readers),
                            caller and (" (requests from " .. caller .. ")") or ""),
      summary = "Each net/http client connection has a readLoop and a writeLoop goroutine. Matched pairs that keep growing mean responses whose Body is never closed (often error responses, like a 403 with a body), so the connections and their TLS and bufio buffers can never be reused or freed.",
      evidence = ev,
      advice = {
        (caller and ("in " .. caller .. " and every other http.Client call: ") or "after every http.Client call: ") ..
          "defer resp.Body.Close(), including when the status is not 2xx",
        "drain the body (io.Copy(io.Discard, resp.Body)) before closing if the connection should be reused",
        "find the callers: triage top --profile heap --cum and look for the main-module frames above net/http",
      },
      refs = { "https://pkg.go.dev/net/http#Client.Do", "shared/casebook.md case 2" },
    }
  end,
}
