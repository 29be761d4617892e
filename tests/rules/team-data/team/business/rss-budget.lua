local fmt = require("triage.fmt")
return {
  id = "acme-rss-budget",
  rung = "business",
  title = "RSS above the service's budget",
  requires = { "acme.rss_budget", "status" },
  check = function(b, r)
    local rss = b.status.VmRSS or 0
    if rss <= b.acme.rss_budget then r:rule_out("RSS within the budget") return end
    r:finding{ severity = "low", confidence = 0.5,
               title = string.format("RSS %s is above %s's budget of %s", fmt.bytes(rss), b.acme.service, fmt.bytes(b.acme.rss_budget)) }
  end,
}
