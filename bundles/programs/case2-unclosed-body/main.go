// asset-sync imitates the service of triage's incident case 2 (seeds/001):
// it keeps downloading objects from S3 over HTTPS; most keys answer 403
// with a body, and the download code (internal/s3fetch) never closes the
// body of a non-200 response. Connections, their goroutine pairs and their
// TLS and bufio buffers pile up for as long as it runs. S3 is played by an
// in-process HTTPS stub on 127.0.0.1 (internal/s3stub).
//
// It serves net/http/pprof on -addr, prints "listening on ADDR" and exits
// by itself after -exit-after.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sync/atomic"
	"time"

	"example.com/asset-sync/internal/s3fetch"
	"example.com/asset-sync/internal/s3stub"
)

var (
	addr      = flag.String("addr", "127.0.0.1:0", "listen address for /debug/pprof/")
	exitAfter = flag.Duration("exit-after", 90*time.Second, "exit after this long")
	rate      = flag.Int("downloads-per-second", 60, "downloads per second")
	denied    = flag.Int("denied-percent", 90, "share of keys that answer 403")
)

var ok, failed int64

func main() {
	flag.Parse()
	time.AfterFunc(*exitAfter, func() { os.Exit(0) })

	s3, err := s3stub.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "asset-sync: s3 stub:", err)
		os.Exit(1)
	}
	client := s3fetch.New(s3.URL, s3.Roots)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "asset-sync:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go func() {
		hs := &http.Server{ReadHeaderTimeout: 10 * time.Second}
		fmt.Fprintln(os.Stderr, "asset-sync:", hs.Serve(ln))
		os.Exit(1)
	}()
	go func() {
		for range time.Tick(5 * time.Second) {
			fmt.Printf("downloads ok %d, failed %d\n", atomic.LoadInt64(&ok), atomic.LoadInt64(&failed))
		}
	}()

	fmt.Println("ready")
	n := 0
	for range time.Tick(time.Second / time.Duration(*rate)) {
		prefix := "public"
		if n%100 < *denied {
			prefix = "private"
		}
		key := fmt.Sprintf("%s/tiles/%d/%d.png", prefix, n/256, n%256)
		n++
		go func() {
			// A background context: nothing cancels the request later.
			if _, err := client.GetObject(context.Background(), "assets-prod", key); err != nil {
				atomic.AddInt64(&failed, 1)
			} else {
				atomic.AddInt64(&ok, 1)
			}
		}()
	}
}
