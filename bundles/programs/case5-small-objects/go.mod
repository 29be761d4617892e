module example.com/edge-kubelet

go 1.19

require (
	github.com/docker/docker v19.3.13-fake+incompatible
	k8s.io/kubernetes v1.19.0-fake
)

// Stand-ins for the real modules, written for the triage incident corpus:
// same module and package paths, much less code.
replace (
	github.com/docker/docker => ./deps/docker
	k8s.io/kubernetes => ./deps/kubernetes
)
