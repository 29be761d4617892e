module example.com/session-store

go 1.19
