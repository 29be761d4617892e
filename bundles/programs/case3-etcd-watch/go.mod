module example.com/kube-odin

go 1.19

require github.com/coreos/etcd v3.1.3-fake+incompatible

// A stand-in for the etcd client v3.1.3, written for the triage incident
// corpus: same module and package paths, the watch-stream cache of 3.1.3,
// and an in-process loopback in place of the gRPC connection to a cluster.
replace github.com/coreos/etcd => ./deps/etcd
