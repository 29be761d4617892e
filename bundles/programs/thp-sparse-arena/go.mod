module example.com/slot-index

go 1.19
