// render-service imitates the file-heavy services of triage's incident
// case 4 (seeds/003): image/PDF/QR generation that reads large assets and
// writes and uploads output files all day. Its Go heap and RSS stay small;
// the page cache of its files fills its memory cgroup, and the cgroup's
// usage and working set (usage minus inactive_file, what the kubelet and
// container_memory_working_set_bytes count) sit near the limit.
//
// It serves net/http/pprof on -addr, prints "listening on ADDR" and exits
// by itself after -exit-after, removing its files.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/render-service/internal/render"
)

var (
	addr      = flag.String("addr", "127.0.0.1:0", "listen address for /debug/pprof/")
	exitAfter = flag.Duration("exit-after", 90*time.Second, "exit after this long")
	dir       = flag.String("dir", "", "work directory on a disk file system (required; its contents are removed at exit)")
	assetsMB  = flag.Int("assets-mb", 96, "MiB of asset files read by every job")
	keep      = flag.Int("keep", 40, "output files kept on disk")
	rate      = flag.Int("jobs-per-second", 10, "render jobs per second")
)

func main() {
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "render-service: -dir is required")
		os.Exit(2)
	}
	work, err := os.MkdirTemp(*dir, "render-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "render-service:", err)
		os.Exit(1)
	}
	quit := func(code int) { os.RemoveAll(work); os.Exit(code) }
	time.AfterFunc(*exitAfter, func() { quit(0) })
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-sig; quit(0) }()

	r, err := render.New(work, *assetsMB, *keep)
	if err != nil {
		fmt.Fprintln(os.Stderr, "render-service:", err)
		quit(1)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "render-service:", err)
		quit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go func() {
		hs := &http.Server{ReadHeaderTimeout: 10 * time.Second}
		fmt.Fprintln(os.Stderr, "render-service:", hs.Serve(ln))
		quit(1)
	}()
	fmt.Println("ready")
	jobs := 0
	for range time.Tick(time.Second / time.Duration(*rate)) {
		if err := r.Job(); err != nil {
			fmt.Fprintln(os.Stderr, "render-service:", err)
			quit(1)
		}
		if jobs++; jobs%(5**rate) == 0 {
			fmt.Printf("jobs %d\n", jobs)
		}
	}
}
