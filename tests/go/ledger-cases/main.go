// ledger-cases holds memory in one of the shapes the ledger must tell
// apart, then serves net/http/pprof until it is killed or -exit-after:
//
//	-mode madvfree  allocates -mb MiB of heap, drops it and returns it to
//	                the OS; run with GODEBUG=madvdontneed=0 the pages stay
//	                in RSS as LazyFree (MADV_FREE)
//	-mode cgo       mallocs and touches -mb MiB in C, outside the Go heap
//	-mode mapfile   maps the file -file (-mb MiB, written first) read-only
//	                and reads every page, as a service reading a database
//	                file through mmap does
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
	"syscall"
	"time"
)

var mapped []byte

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
	mode := flag.String("mode", "madvfree", "madvfree, cgo or mapfile")
	file := flag.String("file", "", "with -mode mapfile: the data file")
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
	case "mapfile":
		if err := mapFile(*file, *mb); err != nil {
			fmt.Fprintln(os.Stderr, err)
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

// mapFile writes mb MiB of data to path, maps it read-only and reads a byte
// of every page, so the whole file is resident in RSS and the page cache.
func mapFile(path string, mb int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i)
	}
	for i := 0; i < mb; i++ {
		if _, err := f.Write(chunk); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	f, err = os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	mapped, err = syscall.Mmap(int(f.Fd()), 0, mb<<20, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return err
	}
	sum := 0
	for i := 0; i < len(mapped); i += 4096 {
		sum += int(mapped[i])
	}
	fmt.Fprintln(os.Stderr, "read", len(mapped), "bytes, sum", sum)
	return nil
}
