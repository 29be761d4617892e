// goroutines parks several hundred goroutines blocked on channels, selects,
// mutexes, condition variables, wait groups and sleeps, each kind in its own
// stack (some behind a few levels of distinct callers), then writes
// goroutine.pb.gz, heap.pb.gz and threadcreate.pb.gz into the directory given
// as its only argument, and exits. Run time well under a second.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

var (
	ready   sync.WaitGroup
	never   = make(chan int)      // nobody ever sends or closes
	full    = make(chan int)      // nobody ever receives
	release = make(chan struct{}) // closed never; programs just exit
	mu      sync.Mutex            // held by main for the whole run
	rw      sync.RWMutex          // write-locked by main
	cond    = sync.NewCond(&sync.Mutex{})
	wg      sync.WaitGroup
	keep    [][]byte
	keepMu  sync.Mutex
)

func hold(n int) {
	b := make([]byte, n)
	keepMu.Lock()
	keep = append(keep, b)
	keepMu.Unlock()
}

func recvForever() {
	ready.Done()
	<-never
}

func sendForever(i int) {
	ready.Done()
	full <- i
}

func selectForever() {
	ready.Done()
	select {
	case <-never:
	case <-release:
	}
}

func selectNoCases() {
	ready.Done()
	select {}
}

func nilChan() {
	var c chan int
	ready.Done()
	<-c
}

func lockMutex() {
	ready.Done()
	mu.Lock()
	mu.Unlock() //nolint
}

func readLock() {
	ready.Done()
	rw.RLock()
	rw.RUnlock()
}

func waitCond() {
	cond.L.Lock()
	ready.Done()
	cond.Wait()
	cond.L.Unlock()
}

func waitGroup() {
	ready.Done()
	wg.Wait()
}

func sleeper() {
	ready.Done()
	time.Sleep(time.Hour)
}

// Layered callers so that the same leaf appears under different stacks.
type worker struct{ id int }

func (w *worker) serve()   { hold(1024 + w.id); w.handle() }
func (w *worker) handle()  { w.process() }
func (w *worker) process() { recvForever() }

func pipelineStage1(i int) { hold(4096); pipelineStage2(i) }
func pipelineStage2(i int) { pipelineStage3(i) }
func pipelineStage3(i int) { sendForever(i) }

func poolA() { selectForever() }
func poolB() { selectForever() }

func nested(depth int) {
	if depth == 0 {
		lockMutex()
		return
	}
	nested(depth - 1)
}

func spawn(n int, f func()) {
	for i := 0; i < n; i++ {
		ready.Add(1)
		go f()
	}
}

func write(dir, name string) {
	f, err := os.Create(filepath.Join(dir, name+".pb.gz"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goroutines OUTDIR")
		os.Exit(2)
	}
	time.AfterFunc(30*time.Second, func() { fmt.Fprintln(os.Stderr, "timeout"); os.Exit(3) })
	runtime.MemProfileRate = 1024
	mu.Lock()
	rw.Lock()
	wg.Add(1)

	spawn(120, recvForever)
	spawn(40, func() { sendForever(1) })
	spawn(60, selectForever)
	spawn(10, selectNoCases)
	spawn(15, nilChan)
	spawn(50, lockMutex)
	spawn(30, readLock)
	spawn(25, waitCond)
	spawn(35, waitGroup)
	spawn(45, sleeper)
	for i := 0; i < 70; i++ {
		w := &worker{id: i}
		ready.Add(1)
		go w.serve()
	}
	for i := 0; i < 55; i++ {
		i := i
		ready.Add(1)
		go pipelineStage1(i)
	}
	spawn(20, poolA)
	spawn(22, poolB)
	for d := 0; d < 6; d++ {
		d := d
		spawn(8+d, func() { nested(d) })
	}
	ready.Wait()
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
	dir := os.Args[1]
	write(dir, "goroutine")
	write(dir, "heap")
	write(dir, "threadcreate")
}
