return { id = "t-finding-key", rung = "business", title = "bad finding",
  check = function(b, r)
    r:finding{ severity = "high", title = "x", confidense = 0.5 }
  end }
