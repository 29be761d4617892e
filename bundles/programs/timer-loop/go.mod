module example.com/event-relay

go 1.19
