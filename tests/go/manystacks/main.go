// manystacks writes a heap profile (heap.pb.gz, into the directory given as
// its argument) with a chosen number of distinct allocation stacks. With
// runtime.MemProfileRate = 1 every allocation is recorded; n in [0, stacks)
// takes the path root -> lv1_{d0} -> ... -> lv5_{d4} -> leaf, where d0..d4
// are the base-16 digits of n, so each n gives its own stack.
//
//go:generate sh -c "go run ./gen > stacks_gen.go"
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

var live [][]byte

// keepEvery controls how much stays live: every keepEvery-th allocation.
const keepEvery = 3

var counter int

//go:noinline
func leaf(size int) {
	b := make([]byte, size)
	if counter%keepEvery == 0 {
		live = append(live, b)
	}
	counter++
}

func main() {
	stacks := flag.Int("stacks", 100000, "number of distinct allocation stacks")
	serve := flag.String("serve", "", "instead of writing heap.pb.gz, serve net/http/pprof on this address (a large live target for benchmarks)")
	goroutines := flag.Int("goroutines", 0, "with -serve: goroutines to park")
	exitAfter := flag.Duration("exit-after", 120*time.Second, "exit after this long")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: manystacks [-stacks N] OUTDIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 && *serve == "" {
		flag.Usage()
		os.Exit(2)
	}
	max := 1
	for i := 0; i < Levels; i++ {
		max *= Fanout
	}
	if *stacks < 1 || *stacks > max {
		fmt.Fprintf(os.Stderr, "manystacks: -stacks must be in [1, %d]\n", max)
		os.Exit(2)
	}
	time.AfterFunc(*exitAfter, func() { fmt.Fprintln(os.Stderr, "timeout"); os.Exit(3) })
	runtime.MemProfileRate = 1
	live = make([][]byte, 0, *stacks/keepEvery+1)
	for n := 0; n < *stacks; n++ {
		root(n)
	}
	runtime.GC()
	if *serve != "" {
		park := make(chan struct{})
		for i := 0; i < *goroutines; i++ {
			go func() { <-park }()
		}
		ln, err := net.Listen("tcp", *serve)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "listening on", ln.Addr())
		fmt.Fprintln(os.Stderr, http.Serve(ln, nil))
		runtime.KeepAlive(live)
		os.Exit(1)
	}
	f, err := os.Create(filepath.Join(flag.Arg(0), "heap.pb.gz"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runtime.KeepAlive(live)
}
