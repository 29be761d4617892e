return { id = "t-missing-fact", rung = "tooling", title = "needs what is not there",
  requires = { "no_such_fact" },
  check = function(b, r) error("must not run") end }
