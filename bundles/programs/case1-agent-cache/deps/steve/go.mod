module github.com/rancher/steve

go 1.19

require github.com/rancher/remotedialer v0.2.6-fake
