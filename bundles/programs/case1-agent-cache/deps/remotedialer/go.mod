module github.com/rancher/remotedialer

go 1.19
