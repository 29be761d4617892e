module example.com/catalog-api

go 1.19
