-- A team plugin in a rule directory: the service's budget, by main module.
local budgets = { ["example.com/token-cache"] = { rss = 256 * 1048576 } }
return {
  name = "acme",
  requires = { "buildinfo" },
  description = "ACME service budgets",
  build = function(b)
    local main = b.buildinfo.main and b.buildinfo.main.path
    local budget = budgets[main]
    if not budget then return nil end
    return { service = main, rss_budget = budget.rss }
  end,
}
