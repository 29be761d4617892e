module example.com/render-service

go 1.19
