// geo-lookup serves lookups from a large read-only data file that it maps
// into memory (syscall.Mmap, PROT_READ, MAP_SHARED) instead of loading it
// into the Go heap, as GeoIP readers, bbolt and other mmap-based stores do.
// Every page it reads becomes resident, file-backed RSS: the heap stays tiny
// while RSS and the container's page cache hold the file.
//
// It writes the file first when it does not exist (-size-mb), maps it,
// reads it all once and then keeps reading random records. It serves
// net/http/pprof on -addr, prints "ready" after the first full pass and
// exits by itself after -exit-after.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"syscall"
	"time"
)

var (
	addr      = flag.String("addr", "127.0.0.1:0", "listen address (/debug/pprof/)")
	exitAfter = flag.Duration("exit-after", 120*time.Second, "exit after this long")
	path      = flag.String("file", "geo.db", "the data file")
	sizeMB    = flag.Int("size-mb", 600, "size of the data file when it is created, MB")
)

func writeFile(name string, size int64) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rec := make([]byte, 4096)
	for off := int64(0); off < size; off += int64(len(rec)) {
		for i := range rec {
			rec[i] = byte(off>>12) ^ byte(i)
		}
		if _, err := w.Write(rec); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil { // a data file as shipped: on disk, clean in the page cache
		f.Close()
		return err
	}
	return f.Close()
}

func main() {
	flag.Parse()
	time.AfterFunc(*exitAfter, func() { os.Exit(0) })
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "geo-lookup:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go func() {
		fmt.Fprintln(os.Stderr, "geo-lookup:", http.Serve(ln, nil))
		os.Exit(1)
	}()
	if _, err := os.Stat(*path); err != nil {
		if err := writeFile(*path, int64(*sizeMB)*1000*1000); err != nil {
			fmt.Fprintln(os.Stderr, "geo-lookup:", err)
			os.Exit(1)
		}
	}
	f, err := os.Open(*path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "geo-lookup:", err)
		os.Exit(1)
	}
	st, _ := f.Stat()
	data, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		fmt.Fprintln(os.Stderr, "geo-lookup: mmap:", err)
		os.Exit(1)
	}
	var sum byte
	for i := 0; i < len(data); i += 4096 { // the first pass: every page resident
		sum ^= data[i]
	}
	fmt.Printf("ready: %d bytes mapped from %s (checksum %d)\n", len(data), *path, sum)
	rnd := rand.New(rand.NewSource(1))
	for range time.Tick(10 * time.Millisecond) {
		for i := 0; i < 1000; i++ {
			sum ^= data[rnd.Intn(len(data))]
		}
	}
}
