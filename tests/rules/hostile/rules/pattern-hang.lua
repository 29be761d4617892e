-- string patterns run in C, where the instruction cap cannot reach: the
-- per-rule watchdog has to stop this one
return { id = "t-pattern-hang", rung = "libraries", title = "backtracks for hours",
  check = function(b, r)
    string.find(("a"):rep(40), ("a*"):rep(14) .. "b")
  end }
