// alloc-mix allocates memory in several distinct ways from main-module
// functions, keeps part of it live, parks goroutines in a few stacks and burns
// CPU in a few functions (including recursion and inlined helpers), and makes
// goroutines contend on mutexes and block on channels, a wait group and a
// condition variable. It then writes heap.pb.gz, allocs.pb.gz,
// goroutine.pb.gz, cpu.pb.gz, mutex.pb.gz and block.pb.gz into the directory
// given as its only argument, and exits. Deterministic workload, bounded run
// time (about 3 s).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"
)

// live keeps memory reachable so that inuse differs from alloc.
var live []interface{}

// sink defeats dead-code elimination for values that are not kept.
var sink interface{}

type record struct {
	ID    int               `json:"id"`
	Name  string            `json:"name"`
	Tags  []string          `json:"tags"`
	Attrs map[string]string `json:"attrs"`
	Score float64           `json:"score"`
}

type cache struct {
	entries map[string][]byte
	order   []string
}

// put is a method on a pointer receiver that allocates.
func (c *cache) put(key string, size int) {
	if c.entries == nil {
		c.entries = make(map[string][]byte)
	}
	c.entries[key] = make([]byte, size)
	c.order = append(c.order, key)
}

// collect is a generic function; it allocates a new slice per call.
func collect[T any](n int, f func(int) T) []T {
	out := make([]T, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, f(i))
	}
	return out
}

func buildMaps(n int) map[int]string {
	m := make(map[int]string)
	for i := 0; i < n; i++ {
		m[i] = strconv.Itoa(i * 7)
	}
	return m
}

func buildSlices(n, size int) [][]int64 {
	s := make([][]int64, 0)
	for i := 0; i < n; i++ {
		s = append(s, make([]int64, size))
	}
	return s
}

func buildStrings(n int) []string {
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, strings.Repeat("x", 64+i%200)+fmt.Sprint(i))
	}
	return out
}

func decodeRecords(n int) []record {
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"rec-%d","tags":["a","b%d"],"attrs":{"k":"v%d"},"score":%d.5}`, i, i, i, i, i)
	}
	b.WriteByte(']')
	var recs []record
	if err := json.Unmarshal([]byte(b.String()), &recs); err != nil {
		panic(err)
	}
	return recs
}

// makeCounters returns closures that each capture (and allocate) state.
func makeCounters(n int) []func() int {
	fs := make([]func() int, 0, n)
	for i := 0; i < n; i++ {
		state := make([]int, 16+i%32)
		fs = append(fs, func() int {
			state[0]++
			return state[0] + len(state)
		})
	}
	return fs
}

// smallBox is inlined into its callers, so allocations and CPU in it show
// up as inline frames.
func smallBox(i int) *[4]int {
	return &[4]int{i, i + 1, i + 2, i + 3}
}

func boxes(n int) []*[4]int {
	out := make([]*[4]int, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, smallBox(i))
	}
	return out
}

// viaFunc calls f through a function value, so f is not inlined here while
// it is inlined elsewhere: pprof labels such nodes "(partial-inline)".
//
//go:noinline
func viaFunc(f func(int) *[4]int, n int) []*[4]int {
	out := make([]*[4]int, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, f(i))
	}
	return out
}

// churn allocates garbage only: it appears in alloc_* but not in inuse_*.
func churn(rounds int) {
	for i := 0; i < rounds; i++ {
		b := make([]byte, 4096+i%4096)
		b[0] = byte(i)
		sink = b
	}
}

func allocate() {
	for round := 0; round < 3; round++ {
		m := buildMaps(20000)
		s := buildSlices(2000, 128)
		strs := buildStrings(20000)
		recs := decodeRecords(5000)
		cs := makeCounters(5000)
		bx := boxes(20000)
		vf := viaFunc(smallBox, 10000)
		sq := collect(30000, func(i int) string { return strconv.Itoa(i * i) })
		pts := collect(10000, func(i int) *record { return &record{ID: i} })
		c := &cache{}
		for i := 0; i < 3000; i++ {
			c.put("key-"+strconv.Itoa(i), 256+i%1024)
		}
		churn(20000)
		if round == 2 {
			// Keep the last round alive (except the churn).
			live = append(live, m, s, strs, recs, cs, bx, vf, sq, pts, c)
		} else {
			sink = []interface{}{m, s, strs, recs, cs, bx, vf, sq, pts, c}
		}
	}
}

// --- CPU work ---

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

// mix is small enough to be inlined into hashLoop.
func mix(h, v uint64) uint64 {
	h ^= v
	h *= 0x100000001b3
	return h
}

// hashVia calls its mixer through a function value (not inlined).
//
//go:noinline
func hashVia(f func(h, v uint64) uint64, n int) uint64 {
	var h uint64 = 0xcbf29ce484222325
	for i := 0; i < n; i++ {
		h = f(h, uint64(i))
	}
	return h
}

func hashLoop(n int) uint64 {
	var h uint64 = 0xcbf29ce484222325
	for i := 0; i < n; i++ {
		h = mix(h, uint64(i))
	}
	return h
}

// Mutual recursion: even/odd walk a tree-shaped call pattern.
func walkEven(n int) int {
	if n <= 0 {
		return 1
	}
	return walkOdd(n-1) + walkOdd(n-2)
}

func walkOdd(n int) int {
	if n <= 0 {
		return 0
	}
	return walkEven(n-1) + 1
}

func sortLike(n int) int {
	a := make([]int, n)
	for i := range a {
		a[i] = (i * 7919) % n
	}
	swaps := 0
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j-1] > a[j]; j-- {
			a[j-1], a[j] = a[j], a[j-1]
			swaps++
		}
	}
	return swaps
}

func burn(d time.Duration) {
	deadline := time.Now().Add(d)
	acc := 0
	for time.Now().Before(deadline) {
		acc += fib(24)
		acc += int(hashLoop(200000))
		acc += int(hashVia(mix, 100000))
		acc += walkEven(40)
		acc += sortLike(1500)
	}
	sink = acc
}

// --- contention (mutex and block profiles) ---

// counters is a mutex-protected map: several goroutines fight over mu, and
// hold it for a little work so that waiters really wait.
type counters struct {
	mu sync.Mutex
	m  map[int]int
}

func (c *counters) bump(k int) {
	c.mu.Lock()
	for i := 0; i < 200; i++ {
		c.m[(k+i)%64]++
	}
	runtime.Gosched() // yield while holding mu: the others queue up
	c.mu.Unlock()
}

// hammer bumps through a method (one stack for the mutex profile).
func hammer(c *counters, id, n int, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < n; i++ {
		c.bump(id*n + i)
	}
}

// hammerDirect locks the same mutex from a second, distinct stack.
func hammerDirect(c *counters, n int, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < n; i++ {
		c.mu.Lock()
		c.m[i%64] += 2
		time.Sleep(20 * time.Microsecond)
		c.mu.Unlock()
	}
}

// rwReader and rwWriter contend on a sync.RWMutex.
func rwReader(rw *sync.RWMutex, shared *[64]int, n int, wg *sync.WaitGroup) {
	defer wg.Done()
	s := 0
	for i := 0; i < n; i++ {
		rw.RLock()
		for _, v := range shared {
			s += v
		}
		if i%4 == 0 {
			runtime.Gosched() // yield while read-locked: the writer waits
		}
		rw.RUnlock()
	}
	sink = s
}

func rwWriter(rw *sync.RWMutex, shared *[64]int, n int, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < n; i++ {
		rw.Lock()
		shared[i%64]++
		time.Sleep(10 * time.Microsecond)
		rw.Unlock()
	}
}

// producer sends on an unbuffered channel to a slow consumer: it blocks in
// chansend; the consumer blocks in chanrecv when the producer is slower.
func producer(ch chan<- int, n int) {
	for i := 0; i < n; i++ {
		ch <- i
	}
	close(ch)
}

func slowConsumer(ch <-chan int, done chan<- int) {
	s := 0
	for v := range ch {
		s += v
		if v%8 == 0 {
			time.Sleep(100 * time.Microsecond)
		}
	}
	done <- s
}

// selectWaiter blocks in select on two channels.
func selectWaiter(a, b <-chan int, n int, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < n; i++ {
		select {
		case <-a:
		case <-b:
		}
	}
}

// condWaiter blocks on a condition variable until its turn comes.
func condWaiter(cond *sync.Cond, turn *int, me int, wg *sync.WaitGroup) {
	defer wg.Done()
	cond.L.Lock()
	for *turn != me {
		cond.Wait()
	}
	*turn++
	cond.Broadcast()
	cond.L.Unlock()
}

func contend() {
	// The mutex profile is scaled by the fraction in force when it is
	// written, so main resets that one only after writing mutex.pb.gz.
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	defer runtime.SetBlockProfileRate(0)

	var wg sync.WaitGroup
	c := &counters{m: make(map[int]int)}
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go hammer(c, g, 400, &wg)
	}
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go hammerDirect(c, 150, &wg)
	}

	var rw sync.RWMutex
	var shared [64]int
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go rwReader(&rw, &shared, 2000, &wg)
	}
	wg.Add(1)
	go rwWriter(&rw, &shared, 300, &wg)

	ch := make(chan int)
	done := make(chan int)
	go producer(ch, 2000)
	go slowConsumer(ch, done)

	a, b := make(chan int), make(chan int)
	wg.Add(1)
	go selectWaiter(a, b, 200, &wg)
	for i := 0; i < 100; i++ {
		time.Sleep(50 * time.Microsecond)
		a <- i
		b <- i
	}

	cond := sync.NewCond(&sync.Mutex{})
	turn := 0
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go condWaiter(cond, &turn, 15-g, &wg)
	}

	wg.Wait() // main blocks in sync.(*WaitGroup).Wait
	sink = <-done
}

// --- parked goroutines ---

type parked struct {
	ch    chan int
	mu    sync.Mutex
	wg    sync.WaitGroup
	ready sync.WaitGroup
	stop  chan struct{}
}

func waitChan(p *parked) {
	p.ready.Done()
	<-p.ch
}

func waitSelect(p *parked, tick chan int) {
	p.ready.Done()
	select {
	case <-p.stop:
	case <-tick:
	}
}

func waitMutex(p *parked) {
	p.ready.Done()
	p.mu.Lock()
	p.mu.Unlock() //nolint
}

func waitGroup(p *parked) {
	p.ready.Done()
	p.wg.Wait()
}

func parkGoroutines() *parked {
	p := &parked{ch: make(chan int), stop: make(chan struct{})}
	p.mu.Lock()
	p.wg.Add(1)
	tick := make(chan int)
	for i := 0; i < 20; i++ {
		p.ready.Add(1)
		go waitChan(p)
	}
	for i := 0; i < 12; i++ {
		p.ready.Add(1)
		go waitSelect(p, tick)
	}
	for i := 0; i < 10; i++ {
		p.ready.Add(1)
		go waitMutex(p)
	}
	for i := 0; i < 8; i++ {
		p.ready.Add(1)
		go waitGroup(p)
	}
	p.ready.Wait()
	time.Sleep(50 * time.Millisecond) // let them block
	return p
}

func write(dir, name string, f func(*os.File) error) {
	fh, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f(fh); err != nil {
		fmt.Fprintln(os.Stderr, name, err)
		os.Exit(1)
	}
	if err := fh.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: alloc-mix OUTDIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	// Hard stop in case anything hangs.
	time.AfterFunc(30*time.Second, func() { fmt.Fprintln(os.Stderr, "timeout"); os.Exit(3) })
	runtime.MemProfileRate = 4096

	cpu, err := os.Create(filepath.Join(dir, "cpu.pb.gz"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	allocate()
	burn(2 * time.Second)
	pprof.StopCPUProfile()
	cpu.Close()

	contend()
	write(dir, "mutex.pb.gz", func(f *os.File) error { return pprof.Lookup("mutex").WriteTo(f, 0) })
	runtime.SetMutexProfileFraction(0)
	write(dir, "block.pb.gz", func(f *os.File) error { return pprof.Lookup("block").WriteTo(f, 0) })

	p := parkGoroutines()
	runtime.GC()
	write(dir, "heap.pb.gz", func(f *os.File) error { return pprof.Lookup("heap").WriteTo(f, 0) })
	write(dir, "allocs.pb.gz", func(f *os.File) error { return pprof.Lookup("allocs").WriteTo(f, 0) })
	write(dir, "goroutine.pb.gz", func(f *os.File) error { return pprof.Lookup("goroutine").WriteTo(f, 0) })
	runtime.KeepAlive(live)
	runtime.KeepAlive(p)
}
