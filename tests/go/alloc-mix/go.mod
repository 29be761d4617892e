module example.com/triage-test/alloc-mix

go 1.19
