return { id = "t-error", rung = "business", title = "raises",
  check = function(b, r)
    error("boom")
  end }
