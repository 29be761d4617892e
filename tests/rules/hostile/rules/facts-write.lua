return { id = "t-facts-write", rung = "runtime", title = "writes facts",
  check = function(b, r)
    b.memstats = nil
  end }
