return { id = "t-membomb", rung = "runtime", title = "eats memory",
  check = function(b, r)
    local t = {}
    for i = 1, 1e9 do t[i] = string.rep("x", 1000) .. i end
  end }
