// growth is a Go service for the growth test (tests/growth-e2e.sh). It
// serves net/http/pprof and does one of two things, at a rate kept against
// the wall clock so that a loaded machine delays it but does not slow it:
//
//	-mode leak    retains -rate bytes per second in a map, from the named
//	              function main.(*registry).acquire: a leak of known rate
//	-mode steady  keeps -live bytes alive in main.(*cache).fill and
//	              allocates and drops -rate bytes per second: GC cycling
//	              around a plateau
//
// Every page it keeps is written, so what it retains is resident. It prints
// "listening on HOST:PORT" once the socket is bound and exits by itself
// after -exit-after.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"sync"
	"time"
)

var (
	mode      = flag.String("mode", "leak", "leak or steady")
	rate      = flag.Int("rate", 2<<20, "bytes per second retained (leak) or churned (steady)")
	live      = flag.Int("live", 32<<20, "steady: live bytes kept")
	chunk     = flag.Int("chunk", 64<<10, "allocation size")
	exitAfter = flag.Duration("exit-after", 5*time.Minute, "exit after this long")
)

type registry struct {
	mu sync.Mutex
	m  map[string][]byte
}

// touch writes one byte a page, so the pages are resident and counted.
func touch(b []byte, v byte) {
	for i := 0; i < len(b); i += 4096 {
		b[i] = v
	}
}

// acquire is where the leak is: every request's buffer stays in the map
// under a key that never repeats.
//
//go:noinline
func (r *registry) acquire(id int) {
	b := make([]byte, *chunk)
	touch(b, byte(id))
	r.mu.Lock()
	r.m[fmt.Sprintf("req-%d", id)] = b
	r.mu.Unlock()
}

type cache struct {
	slots [][]byte
}

// fill builds the steady live set once.
//
//go:noinline
func (c *cache) fill() {
	for n := 0; n < *live; n += *chunk {
		b := make([]byte, *chunk)
		touch(b, 1)
		c.slots = append(c.slots, b)
	}
}

var (
	sink []byte
	// the steady live set, reachable for the program's whole life
	kept *cache
)

// churn allocates a buffer and drops it: garbage the GC collects.
//
//go:noinline
func churn(id int) {
	b := make([]byte, *chunk)
	touch(b, byte(id))
	sink = b
}

// paced calls f once per chunk of rate bytes per second of wall-clock time.
func paced(f func(int)) {
	start := time.Now()
	done, id := int64(0), 0
	for {
		want := int64(time.Since(start).Seconds() * float64(*rate))
		for done+int64(*chunk) <= want {
			f(id)
			id++
			done += int64(*chunk)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func main() {
	flag.Parse()
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go http.Serve(ln, mux)
	go func() {
		time.Sleep(*exitAfter)
		os.Exit(0)
	}()
	switch *mode {
	case "leak":
		r := &registry{m: make(map[string][]byte)}
		paced(r.acquire)
	case "steady":
		kept = &cache{}
		kept.fill()
		paced(churn)
	default:
		fmt.Fprintf(os.Stderr, "unknown -mode %q\n", *mode)
		os.Exit(2)
	}
}
