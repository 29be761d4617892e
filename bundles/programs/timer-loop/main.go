// event-relay forwards events from a channel and gives up on a slow
// consumer after a minute, with the classic time.After in a select loop.
// Before Go 1.23 timer semantics (toolchain >= 1.23 and a main module
// declaring go >= 1.23), each time.After timer stays in the heap until it
// fires, a minute later: at -rate events a second that is rate x 60 live
// timers.
//
// It serves net/http/pprof on -addr, prints "ready" and exits by itself
// after -exit-after.
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
	addr      = flag.String("addr", "127.0.0.1:0", "listen address (/debug/pprof/)")
	exitAfter = flag.Duration("exit-after", 120*time.Second, "exit after this long")
	rate      = flag.Int("rate", 40000, "events per second")
)

// relay forwards one event, or drops it when nobody takes it within a minute.
func relay(ev int, out chan<- int) bool {
	select {
	case out <- ev:
		return true
	case <-time.After(time.Minute):
		return false
	}
}

func main() {
	flag.Parse()
	time.AfterFunc(*exitAfter, func() { os.Exit(0) })
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "event-relay:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go func() {
		fmt.Fprintln(os.Stderr, "event-relay:", http.Serve(ln, nil))
		os.Exit(1)
	}()
	out := make(chan int, 1024)
	go func() {
		for range out {
		}
	}()
	fmt.Println("ready")
	perTick := *rate / 100
	ev := 0
	for range time.Tick(10 * time.Millisecond) {
		for i := 0; i < perTick; i++ {
			relay(ev, out)
			ev++
		}
	}
}
