// ledger-cases holds memory in one of the shapes the ledger must tell
// apart, then serves net/http/pprof until it is killed or -exit-after:
//
//	-mode madvfree  allocates -mb MiB of heap, drops it and returns it to
//	                the OS; run with GODEBUG=madvdontneed=0 the pages stay
//	                in RSS as LazyFree (MADV_FREE)
//	-mode cgo       mallocs and touches -mb MiB in C, outside the Go heap
//
// It prints "ready" on stderr once the memory is in place and "listening
// on ADDR" once the endpoint is up.
package main

/*
#include <stdlib.h>
#include <string.h>

static void *hold(size_t n)
{
	void *p = malloc(n);
	if (p)
		memset(p, 1, n);
	return p;
}
*/
import "C"

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"time"
)

var keep [][]byte

//go:noinline
func fillHeap(mb int) {
	for i := 0; i < mb; i++ {
		b := make([]byte, 1<<20)
		for j := range b {
			b[j] = byte(j)
		}
		keep = append(keep, b)
	}
}

func main() {
	mode := flag.String("mode", "madvfree", "madvfree or cgo")
	mb := flag.Int("mb", 700, "MiB to hold")
	exitAfter := flag.Duration("exit-after", 3*time.Minute, "exit after this long")
	flag.Parse()
	time.AfterFunc(*exitAfter, func() { os.Exit(0) })

	switch *mode {
	case "madvfree":
		fillHeap(*mb)
		keep = nil
		runtime.GC()
		debug.FreeOSMemory()
	case "cgo":
		if C.hold(C.size_t(*mb)<<20) == nil {
			fmt.Fprintln(os.Stderr, "malloc failed")
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", *mode)
		os.Exit(2)
	}
	fmt.Fprintln(os.Stderr, "ready")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "listening on", ln.Addr())
	fmt.Fprintln(os.Stderr, http.Serve(ln, nil))
}
