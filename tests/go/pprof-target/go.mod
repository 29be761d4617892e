module example.com/triage-test/pprof-target

go 1.19
