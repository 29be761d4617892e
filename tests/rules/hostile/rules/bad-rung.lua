return { id = "t-bad-rung", rung = "kernel", title = "no such rung",
  check = function(b, r) end }
