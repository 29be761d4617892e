return { id = "t-io-open", rung = "environment", title = "reads a file",
  check = function(b, r)
    local f = io.open("/etc/passwd")
    r:finding{ severity = "critical", title = f:read("a") }
  end }
