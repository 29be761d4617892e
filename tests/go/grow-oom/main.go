// grow-oom is the service tests/watch-e2e.sh lets the kernel OOM-kill: it
// serves net/http/pprof and, once the gate file exists (at once without
// -gate), grows its live heap by -rate MiB per second into a map from one
// named function, hoardReports, until its memory cgroup's limit kills it.
// The test asserts that triage names that function.
//
// It prints "listening on HOST:PORT" once the socket is bound, and exits by
// itself after -exit-after so a test that loses track of it leaks nothing
// for long.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"time"
)

var (
	addr      = flag.String("addr", "127.0.0.1:0", "listen address")
	rate      = flag.Int("rate", 20, "growth in MiB per second")
	gate      = flag.String("gate", "", "start growing once this file exists")
	exitAfter = flag.Duration("exit-after", 5*time.Minute, "exit after this long")

	reports = map[int][]byte{}
)

// hoardReports keeps one more 256 KiB report that nothing ever frees. Every
// page is written so the memory is resident, not just reserved.
//
//go:noinline
func hoardReports(id int) {
	b := make([]byte, 256<<10)
	for i := range b {
		b[i] = byte(id + i)
	}
	reports[id] = b
}

func main() {
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go http.Serve(ln, nil)
	time.AfterFunc(*exitAfter, func() { os.Exit(3) })

	for *gate != "" {
		if _, err := os.Stat(*gate); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// four 256 KiB reports per MiB, spread over the second in 50 ms ticks
	perTick := *rate * 4 / 20
	if perTick < 1 {
		perTick = 1
	}
	id := 0
	for range time.Tick(50 * time.Millisecond) {
		for i := 0; i < perTick; i++ {
			hoardReports(id)
			id++
		}
	}
}
