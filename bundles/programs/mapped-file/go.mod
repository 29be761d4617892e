module example.com/geo-lookup

go 1.19
