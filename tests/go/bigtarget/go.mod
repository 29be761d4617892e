module example.com/triage-test/bigtarget

go 1.19
