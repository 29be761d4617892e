// token-cache keeps authentication tokens in a github.com/VictoriaMetrics/fastcache
// cache. fastcache allocates its 64 KiB chunks with mmap (malloc_mmap.go), outside
// the Go heap: the cache's bytes are anonymous RSS that neither pprof nor
// MemStats see.
//
// It fills the cache to -fill-mb, then keeps serving gets and sets. It serves
// net/http/pprof on -addr, prints "ready" once filled and exits by itself
// after -exit-after.
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"time"

	"github.com/VictoriaMetrics/fastcache"
)

var (
	addr      = flag.String("addr", "127.0.0.1:0", "listen address (/debug/pprof/)")
	exitAfter = flag.Duration("exit-after", 120*time.Second, "exit after this long")
	maxMB     = flag.Int("max-mb", 512, "fastcache size, MiB")
	fillMB    = flag.Int("fill-mb", 400, "token bytes stored before ready, MiB")
)

func main() {
	flag.Parse()
	time.AfterFunc(*exitAfter, func() { os.Exit(0) })
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "token-cache:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go func() {
		fmt.Fprintln(os.Stderr, "token-cache:", http.Serve(ln, nil))
		os.Exit(1)
	}()
	c := fastcache.New(*maxMB << 20)
	key := make([]byte, 8)
	val := make([]byte, 1000)
	n := (*fillMB << 20) / (len(val) + 8 + 4)
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint64(key, uint64(i))
		for j := range val {
			val[j] = byte(i + j)
		}
		c.Set(key, val)
	}
	var st fastcache.Stats
	c.UpdateStats(&st)
	fmt.Printf("ready: %d entries, %d bytes\n", st.EntriesCount, st.BytesSize)
	rnd := rand.New(rand.NewSource(1))
	var buf []byte
	for range time.Tick(10 * time.Millisecond) {
		for i := 0; i < 200; i++ {
			binary.LittleEndian.PutUint64(key, uint64(rnd.Intn(n)))
			buf = c.Get(buf[:0], key)
		}
	}
}
