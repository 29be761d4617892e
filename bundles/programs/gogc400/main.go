// session-store keeps ~240 MiB of live sessions and churns short-lived
// request garbage, the way a service tuned with GOGC=400 "for less GC CPU"
// does: the heap goal is live × (1 + GOGC/100), so the heap grows to about
// five times the live data before each collection. Run under a container
// limit without GOMEMLIMIT, that goal is what approaches the limit.
//
// It serves net/http/pprof on -addr, prints "ready" once the live set is
// built and exits by itself after -exit-after.
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"time"
)

var (
	addr      = flag.String("addr", "127.0.0.1:0", "listen address (/debug/pprof/)")
	exitAfter = flag.Duration("exit-after", 120*time.Second, "exit after this long")
	liveMB    = flag.Int("live-mb", 220, "live session data, MiB")
	churnMBps = flag.Int("churn-mb-per-second", 400, "request garbage allocated per second, MiB")
)

type session struct {
	id    int
	attrs map[string]string
	blob  []byte
}

var sessions = map[int]*session{}

// newSession allocates one session of about 8 KiB: a blob and a few attributes.
func newSession(id int) *session {
	s := &session{id: id, attrs: map[string]string{"user": fmt.Sprint("u", id), "region": "eu-west-1"}}
	s.blob = make([]byte, 8<<10)
	for i := range s.blob {
		s.blob[i] = byte(id + i)
	}
	return s
}

var sink []byte

// handleRequest builds a response the size of a session and drops it: pure garbage.
func handleRequest(rnd *rand.Rand) {
	s := sessions[rnd.Intn(len(sessions))]
	buf := make([]byte, 0, 64<<10)
	for len(buf) < 60<<10 {
		buf = append(buf, s.blob[:4<<10]...)
	}
	sink = buf
}

func main() {
	flag.Parse()
	time.AfterFunc(*exitAfter, func() { os.Exit(0) })
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "session-store:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go func() {
		fmt.Fprintln(os.Stderr, "session-store:", http.Serve(ln, nil))
		os.Exit(1)
	}()
	n := (*liveMB << 20) / (9 << 10)
	for i := 0; i < n; i++ {
		sessions[i] = newSession(i)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("ready: %d sessions, HeapAlloc %d MiB, NextGC %d MiB\n", n, ms.HeapAlloc>>20, ms.NextGC>>20)
	rnd := rand.New(rand.NewSource(1))
	perTick := (*churnMBps << 20) / (64 << 10) / 100
	for range time.Tick(10 * time.Millisecond) {
		for i := 0; i < perTick; i++ {
			handleRequest(rnd)
		}
	}
}
