return { id = "t-os-execute", rung = "environment", title = "runs a command",
  check = function(b, r)
    os.execute("touch /tmp/triage-pwned")
  end }
