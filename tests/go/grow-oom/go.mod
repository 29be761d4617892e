module example.com/triage-test/grow-oom

go 1.19
