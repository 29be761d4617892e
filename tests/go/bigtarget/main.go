// bigtarget is the large Go service for tests/bench-collect.sh: a live heap
// of -heap MiB (64 KiB pointer-free chunks plus a pointerful tree, so the GC
// has real mark work), -goroutines parked goroutines a few frames deep, and
// with -memprofilerate/-stacks a heap profile with many distinct stacks. A
// goroutine on a 1 ms time.Ticker records the longest gap between ticks,
// served at /gap as {"max_gap_ms": X, "ticks": N} (since the last
// /gap?reset=1, which returns the figures and then resets them): a
// stop-the-world pause or a starved scheduler shows up there.
//
// It serves net/http/pprof and expvar on the default mux, prints
// "listening on HOST:PORT" on stdout once the heap and goroutines are set
// up, a runtime.GC() has run and the socket is bound, and always exits by
// itself (-exit-after).
//
// Distinct heap stacks: stack n in [0, -stacks) is the path
// grow(n, Depth) -> ... -> grow(n/8^k, Depth-k) -> ... -> alloc, where the
// level k call is made from one of 8 call sites chosen by the k-th base-8
// digit of n. Each call site has its own return PC, so every n has its own
// stack (8^6 = 262144 at most), without generated code.
package main

import (
	"encoding/json"
	"expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"sync"
	"time"
)

var (
	addr       = flag.String("addr", "127.0.0.1:0", "listen address")
	heapMiB    = flag.Int("heap", 0, "live heap to keep, in MiB")
	goroutines = flag.Int("goroutines", 0, "goroutines to park")
	memRate    = flag.Int("memprofilerate", -1, "runtime.MemProfileRate (default: Go's own)")
	stacks     = flag.Int("stacks", 0, "live objects allocated from this many distinct stacks (at most 262144)")
	exitAfter  = flag.Duration("exit-after", 5*time.Minute, "exit after this long")

	parked = make(chan struct{}) // never closed
	chunks [][]byte              // pointer-free part of the live heap
	tree   *node                 // pointerful part of the live heap
	objs   [][]byte              // one object per distinct stack

	gapMu    sync.Mutex
	maxGap   time.Duration
	ticks    int64
	lastTick time.Time
)

// Depth and Fanout bound the distinct stacks: Fanout^Depth.
const (
	Depth  = 6
	Fanout = 8
)

// node is 64 bytes with four pointers: the mark phase has to follow them.
type node struct {
	l, r, next *node
	buf        *[8]byte
	v          [3]uint64
}

func buildTree(n int) *node {
	// a balanced tree, its nodes also chained through next in allocation order
	var prev *node
	var mk func(n int) *node
	mk = func(n int) *node {
		if n <= 0 {
			return nil
		}
		x := &node{buf: new([8]byte)}
		x.v[0] = uint64(n)
		if prev != nil {
			prev.next = x
		}
		prev = x
		x.l = mk((n - 1) / 2)
		x.r = mk(n - 1 - (n-1)/2)
		return x
	}
	return mk(n)
}

//go:noinline
func alloc(n int) {
	b := make([]byte, 32)
	b[0] = byte(n)
	objs = append(objs, b)
}

// grow reaches alloc through depth levels, the call site at each level
// picked by one base-8 digit of n.
//
//go:noinline
func grow(n, depth int) {
	if depth == 0 {
		alloc(n)
		return
	}
	d := n % Fanout
	n /= Fanout
	switch d {
	case 0:
		grow(n, depth-1)
	case 1:
		grow(n, depth-1)
	case 2:
		grow(n, depth-1)
	case 3:
		grow(n, depth-1)
	case 4:
		grow(n, depth-1)
	case 5:
		grow(n, depth-1)
	case 6:
		grow(n, depth-1)
	default:
		grow(n, depth-1)
	}
}

// park holds a goroutine a few frames deep on a channel that never closes.
//
//go:noinline
func park(depth int, ready *sync.WaitGroup) {
	if depth > 0 {
		park(depth-1, ready)
		return
	}
	ready.Done()
	<-parked
}

func ticker() {
	t := time.NewTicker(time.Millisecond)
	for range t.C {
		now := time.Now()
		gapMu.Lock()
		if !lastTick.IsZero() && now.Sub(lastTick) > maxGap {
			maxGap = now.Sub(lastTick)
		}
		lastTick = now
		ticks++
		gapMu.Unlock()
	}
}

func gap(w http.ResponseWriter, r *http.Request) {
	gapMu.Lock()
	out := struct {
		MaxGapMs float64 `json:"max_gap_ms"`
		Ticks    int64   `json:"ticks"`
	}{float64(maxGap) / float64(time.Millisecond), ticks}
	if r.URL.Query().Get("reset") == "1" {
		maxGap, ticks = 0, 0
	}
	gapMu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func main() {
	flag.Parse()
	if *memRate >= 0 {
		runtime.MemProfileRate = *memRate
	}
	if *stacks < 0 || *stacks > 262144 {
		fmt.Fprintln(os.Stderr, "bigtarget: -stacks must be in [0, 262144]")
		os.Exit(2)
	}
	time.AfterFunc(*exitAfter, func() { fmt.Fprintln(os.Stderr, "bigtarget: exit-after"); os.Exit(3) })

	// 1/8 of the heap in 64-byte tree nodes (plus their 8-byte buffers),
	// the rest in 64 KiB pointer-free chunks
	total := *heapMiB << 20
	nodes := total / 8 / 80
	tree = buildTree(nodes)
	for rest := total - nodes*80; rest > 0; rest -= 64 << 10 {
		chunks = append(chunks, make([]byte, 64<<10))
		c := chunks[len(chunks)-1]
		for i := 0; i < len(c); i += 4096 {
			c[i] = 1 // touch every page: resident, not just reserved
		}
	}
	objs = make([][]byte, 0, *stacks)
	for n := 0; n < *stacks; n++ {
		grow(n, Depth)
	}
	var ready sync.WaitGroup
	ready.Add(*goroutines)
	for i := 0; i < *goroutines; i++ {
		go park(3+i%4, &ready)
	}
	ready.Wait()
	runtime.GC()
	runtime.GC() // the heap profile shows the allocations as of the last completed GC

	nrec, _ := runtime.MemProfile(nil, true)
	expvar.NewInt("heap_profile_records").Set(int64(nrec))
	expvar.NewInt("distinct_stacks").Set(int64(*stacks))
	http.HandleFunc("/gap", gap)
	go ticker()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bigtarget:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "bigtarget: heap %d MiB (%d chunks, %d tree nodes), %d goroutines, %d stacks, %d heap profile records\n",
		*heapMiB, len(chunks), nodes, *goroutines, *stacks, nrec)
	fmt.Println("listening on", ln.Addr())
	err = http.Serve(ln, nil)
	fmt.Fprintln(os.Stderr, "bigtarget:", err)
	runtime.KeepAlive(tree)
	os.Exit(1)
}
