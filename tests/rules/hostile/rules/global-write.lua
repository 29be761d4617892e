return { id = "t-global-write", rung = "runtime", title = "creates a global",
  check = function(b, r)
    leaked = 1
  end }
