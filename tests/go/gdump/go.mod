module example.com/triage-test/gdump

go 1.19
