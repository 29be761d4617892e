module k8s.io/kubernetes

go 1.19

require github.com/docker/docker v19.3.13-fake+incompatible
