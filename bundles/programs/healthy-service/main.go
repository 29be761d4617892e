// catalog-api is the healthy Go service of the triage corpus: an HTTP API
// with a bounded cache (full after warm-up, then evicting), a few worker
// goroutines and steady traffic from a built-in client that closes every
// response body. Heap, goroutines and RSS stay flat.
//
// It serves net/http/pprof on -addr, prints "listening on ADDR" and exits
// by itself after -exit-after.
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"time"

	"example.com/catalog-api/internal/catalog"
)

var (
	addr      = flag.String("addr", "127.0.0.1:0", "listen address (API and /debug/pprof/)")
	exitAfter = flag.Duration("exit-after", 90*time.Second, "exit after this long")
	cacheSize = flag.Int("cache-size", 8000, "product pages cached")
	products  = flag.Int("products", 50000, "products in the catalog")
	rate      = flag.Int("requests-per-second", 200, "requests per second")
	clients   = flag.Int("clients", 4, "client goroutines")
)

func main() {
	flag.Parse()
	time.AfterFunc(*exitAfter, func() { os.Exit(0) })

	cache := catalog.NewCache(*cacheSize)
	for i := 0; i < *cacheSize; i++ { // warm-up
		cache.Get(i)
	}
	http.Handle("/products/", cache.Handler())

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "catalog-api:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go func() {
		hs := &http.Server{ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 30 * time.Second}
		fmt.Fprintln(os.Stderr, "catalog-api:", hs.Serve(ln))
		os.Exit(1)
	}()
	go func() {
		for range time.Tick(5 * time.Second) {
			n, hits, misses := cache.Stats()
			fmt.Printf("cache %d pages, hits %d, misses %d\n", n, hits, misses)
		}
	}()
	fmt.Println("ready")

	base := "http://" + ln.Addr().String()
	work := make(chan int, 16)
	for i := 0; i < *clients; i++ {
		go func() {
			c := &http.Client{Timeout: 5 * time.Second}
			for id := range work {
				resp, err := c.Get(fmt.Sprintf("%s/products/%d", base, id))
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	rnd := rand.New(rand.NewSource(1))
	for range time.Tick(time.Second / time.Duration(*rate)) {
		id := int(rnd.ExpFloat64() * float64(*cacheSize)) // a few hot products, a long tail
		if id >= *products {
			id = rnd.Intn(*products)
		}
		work <- id
	}
}
