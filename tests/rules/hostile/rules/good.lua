-- runs after the bad ones (files load in name order) and must still report
return { id = "t-good", rung = "tooling", title = "still runs",
  check = function(b, r)
    r:finding{ severity = "low", confidence = 1, title = "the good rule ran",
               evidence = { "goroutines: " .. tostring(b.goroutines and b.goroutines.count) } }
  end }
