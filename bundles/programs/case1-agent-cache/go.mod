module github.com/rancher/rancher

go 1.19

require (
	github.com/rancher/remotedialer v0.2.6-fake
	github.com/rancher/steve v0.0.0-20220301-fake
)

// Stand-ins for the real modules, written for the triage incident corpus:
// same module paths and package layout, much less code.
replace (
	github.com/rancher/remotedialer => ./deps/remotedialer
	github.com/rancher/steve => ./deps/steve
)
