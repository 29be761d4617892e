return { id = "t-undefined-global", rung = "tooling", title = "typo",
  check = function(b, r)
    return undefined_thing + 1
  end }
