-- a team rule with a built-in's id replaces the built-in
return { id = "runtime-stacks", rung = "runtime", title = "team version of runtime-stacks",
  check = function(b, r)
    r:finding{ severity = "info", title = "team override ran" }
  end }
