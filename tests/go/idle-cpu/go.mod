module example.com/idle-cpu

go 1.19
