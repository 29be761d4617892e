return { id = "t-loop", rung = "runtime", title = "never returns",
  check = function(b, r)
    local n = 0
    while true do n = n + 1 end
  end }
