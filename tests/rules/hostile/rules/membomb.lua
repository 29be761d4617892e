-- Eats memory a mebibyte at a time: it reaches the case's small cap
-- (expect.json max_memory) in a few dozen steps, long before the watchdog,
-- however slow the machine.
return { id = "t-membomb", rung = "runtime", title = "eats memory",
  check = function(b, r)
    local t = {}
    for i = 1, 1e9 do t[i] = string.rep("x", 1 << 20) .. i end
  end }
