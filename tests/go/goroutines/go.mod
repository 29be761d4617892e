module example.com/triage-test/goroutines

go 1.19
