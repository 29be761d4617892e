module example.com/triage-test/manystacks

go 1.19
