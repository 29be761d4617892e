return { id = "t-bad-key", rung = "business", title = "typo in a key", severty = "high",
  check = function(b, r) end }
