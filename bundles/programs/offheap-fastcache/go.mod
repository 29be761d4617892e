module example.com/token-cache

go 1.19

require github.com/VictoriaMetrics/fastcache v1.12.0

require (
	github.com/cespare/xxhash v1.1.0 // indirect
	github.com/golang/snappy v0.0.4 // indirect
	golang.org/x/sys v0.3.0 // indirect
)

// The modules as Debian packages them (golang-github-victoriametrics-fastcache-dev
// 1.12.0 and its dependencies, in /usr/share/gocode/src); the replacements keep
// the module paths and versions in the binary's build info. Debian's fastcache
// imports github.com/cespare/xxhash (not /v2), so that path is replaced by
// Debian's xxhash 2.1.1 source (golang-github-cespare-xxhash-dev); its v1.1.0
// is only the requirement the go command recorded for the path. The modules
// under stubs/ are required only by fastcache's go.mod for its tests (or are
// the /v2 path nothing imports): empty go.mod files, never compiled.
replace (
	github.com/VictoriaMetrics/fastcache => /usr/share/gocode/src/github.com/VictoriaMetrics/fastcache
	github.com/allegro/bigcache => ./stubs/bigcache
	github.com/cespare/xxhash => /usr/share/gocode/src/github.com/cespare/xxhash
	github.com/cespare/xxhash/v2 => ./stubs/xxhash-v2
	github.com/davecgh/go-spew => ./stubs/go-spew
	github.com/golang/snappy => /usr/share/gocode/src/github.com/golang/snappy
	github.com/stretchr/testify => ./stubs/testify
	golang.org/x/sys => /usr/share/gocode/src/golang.org/x/sys
)
