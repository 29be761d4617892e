// agent imitates the Rancher agent of triage's incident case 1 (seeds/000):
// its API lists resources through steve's proxy store, which caches every
// list result (JSON, hundreds of KB) in an LRU of 1000 entries, and edge
// clusters call the aggregation endpoint, whose every short request leaves a
// remotedialer session goroutine behind, blocked in io.CopyBuffer on a
// channel. A built-in client plays the edge clusters and the UI over
// loopback HTTP, so the heap and the goroutine count grow for as long as the
// program runs.
//
// It serves net/http/pprof on -addr, prints "listening on ADDR" and exits
// by itself after -exit-after.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"time"

	"github.com/rancher/rancher/pkg/agent/api"
	"github.com/rancher/steve/pkg/aggregation"
	"github.com/rancher/steve/pkg/stores/proxy"
)

var (
	addr      = flag.String("addr", "127.0.0.1:0", "listen address (API and /debug/pprof/)")
	exitAfter = flag.Duration("exit-after", 90*time.Second, "exit after this long")
	warmLists = flag.Int("warm-lists", 250, "lists made at start (the UI opening every page)")
	listRate  = flag.Int("lists-per-second", 12, "list requests per second after that")
	connRate  = flag.Int("connects-per-second", 60, "aggregation connects per second")
)

var types = []string{"pods", "deployments", "services", "configmaps", "secrets", "nodes", "events", "clusters.management.cattle.io"}

func get(c *http.Client, url string, user string) error {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Remote-User", user)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// ui plays the browsers: lists of every type, namespace and user.
func ui(c *http.Client, base string) {
	n := 0
	list := func() {
		url := fmt.Sprintf("%s/v1/%s?namespace=ns-%d", base, types[n%len(types)], n%23)
		if err := get(c, url, fmt.Sprintf("u-%d", n%7)); err != nil {
			fmt.Fprintln(os.Stderr, "agent: list:", err)
		}
		n++
	}
	for i := 0; i < *warmLists; i++ {
		list()
	}
	fmt.Println("ready")
	for range time.Tick(time.Second / time.Duration(*listRate)) {
		list()
	}
}

// edge plays the downstream clusters: short aggregation requests.
func edge(c *http.Client, base string) {
	for range time.Tick(time.Second / time.Duration(*connRate)) {
		if err := get(c, base+"/v1/aggregation/connect", "system:cattle-cluster-agent"); err != nil {
			fmt.Fprintln(os.Stderr, "agent: connect:", err)
		}
	}
}

func main() {
	flag.Parse()
	time.AfterFunc(*exitAfter, func() { os.Exit(0) })

	srv := &api.Server{Store: proxy.NewProxyStore()}
	srv.Register(http.DefaultServeMux) // next to /debug/pprof/

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go func() {
		base := "http://" + ln.Addr().String()
		c := &http.Client{Timeout: 10 * time.Second}
		go edge(c, base)
		ui(c, base)
	}()
	go func() {
		for range time.Tick(5 * time.Second) {
			fmt.Printf("cached lists %d, aggregation sessions %d\n", srv.Store.CacheLen(), aggregation.Sessions())
		}
	}()
	hs := &http.Server{Handler: http.DefaultServeMux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintln(os.Stderr, "agent:", hs.Serve(ln))
	os.Exit(1)
}
