module example.com/asset-sync

go 1.19
