module example.com/ledger-cases

go 1.19
