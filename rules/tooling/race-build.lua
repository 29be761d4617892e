-- A binary built with -race: the race detector's shadow memory and
-- per-goroutine state multiply memory use (5-10x, per the Go race detector
-- docs), so its memory says nothing about the production build. gin
-- issue 3789 ("Memory Leak in Gin K8s deployment") was such a build
-- (../shared/reference/known-issues.md, stdlib notes).
local fmt = require("triage.fmt")
return {
  id = "tooling-race-build",
  rung = "tooling",
  title = "The binary was built with the race detector",
  requires = { "buildinfo" },
  check = function(b, r)
    local s = b.buildinfo.settings or {}
    if s["-race"] ~= "true" then
      return	-- a narrow check: no opinion on the rung when it does not apply
    end
    -- the race runtime (ThreadSanitizer) allocates outside the Go runtime: anonymous RSS above Go's own
    local extra
    local ms, st = b.memstats, b.status
    if ms and ms.Sys and st and st.RssAnon then extra = math.max(0, st.RssAnon - (ms.Sys - (ms.HeapReleased or 0))) end
    local ev = { "build info: -race=true", "CGO_ENABLED=" .. tostring(s.CGO_ENABLED or "?") }
    if extra then
      ev[#ev + 1] = string.format("anonymous RSS %s, of which %s is outside the Go runtime (the race detector's shadow memory and state)",
                                  fmt.bytes(st.RssAnon), fmt.bytes(extra))
    end
    r:finding{
      severity = "high",
      confidence = 0.9,
      bytes = extra,
      title = "The binary is a -race build: memory use is several times that of a normal build",
      summary = "The race detector keeps shadow memory for every word the program touches and extra state per goroutine; memory use grows 5-10x and goroutines cost far more. Memory numbers of this build say nothing about the production binary.",
      evidence = ev,
      advice = { "deploy a binary built without -race; use -race builds in tests and canaries with their own limits" },
      refs = { "https://go.dev/doc/articles/race_detector#Runtime_Overheads", "https://github.com/gin-gonic/gin/issues/3789" },
    }
  end,
}
