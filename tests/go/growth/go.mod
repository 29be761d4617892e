module example.com/triage-test/growth

go 1.19
