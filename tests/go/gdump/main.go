// gdump parks a few goroutines in each of the states a goroutine dump
// distinguishes (chan receive, chan send, select, mutex, sleep, IO wait on a
// pipe, a blocking syscall, locked to a thread), then prints one of the
// runtime's own reports to stdout and exits:
//
//	gdump goroutines   pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
//	gdump heap         pprof.Lookup("heap").WriteTo(os.Stdout, 1)
//	gdump memstats     runtime.MemStats as encoding/json writes it
//
// The outputs are the real-input fixtures of tests/unit-facts.c (see
// tests/data/README). Stdlib only; runs well under a second.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"
)

var (
	ready sync.WaitGroup
	never = make(chan int)      // nobody ever sends or closes
	full  = make(chan int)      // nobody ever receives
	quit  = make(chan struct{}) // never closed; the program just exits
	mu    sync.Mutex            // held by main for the whole run
	keep  [][]byte
)

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
	case <-quit:
	}
}

func lockMutex() {
	ready.Done()
	mu.Lock()
	mu.Unlock() //nolint
}

func sleeper() {
	ready.Done()
	time.Sleep(time.Hour)
}

// os.Pipe is non-blocking and parks the reader in the netpoller: "IO wait".
func readPipe(r *os.File) {
	var b [1]byte
	ready.Done()
	r.Read(b[:])
}

// A raw blocking read stays in the kernel: "syscall".
func readRaw(fd int) {
	var b [1]byte
	ready.Done()
	syscall.Read(fd, b[:])
}

func lockedReceiver() {
	runtime.LockOSThread()
	ready.Done()
	<-never
}

type server struct{ id int }

func (s *server) serve()  { s.handle() }
func (s *server) handle() { recvForever() }

func spawn(n int, f func()) {
	for i := 0; i < n; i++ {
		ready.Add(1)
		go f()
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gdump goroutines|heap|memstats")
		os.Exit(2)
	}
	time.AfterFunc(30*time.Second, func() { fmt.Fprintln(os.Stderr, "timeout"); os.Exit(3) })
	runtime.MemProfileRate = 4096
	mu.Lock()

	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer w.Close()
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	spawn(3, recvForever)
	spawn(2, func() { sendForever(1) })
	spawn(2, selectForever)
	spawn(2, lockMutex)
	spawn(2, sleeper)
	spawn(1, func() { readPipe(r) })
	spawn(1, func() { readRaw(fds[0]) })
	spawn(1, lockedReceiver)
	for i := 0; i < 2; i++ {
		s := &server{id: i}
		ready.Add(1)
		go s.serve()
	}
	for i := 0; i < 200; i++ {
		keep = append(keep, make([]byte, 64<<10))
	}
	ready.Wait()
	time.Sleep(100 * time.Millisecond)
	runtime.GC()

	switch os.Args[1] {
	case "goroutines":
		err = pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
	case "heap":
		err = pprof.Lookup("heap").WriteTo(os.Stdout, 1)
	case "memstats":
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		var b []byte
		if b, err = json.Marshal(&ms); err == nil {
			b = append(b, '\n')
			_, err = os.Stdout.Write(b)
		}
	default:
		err = fmt.Errorf("unknown report %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runtime.KeepAlive(keep)
}
