// slot-index keeps session slots in an open-addressing hash table that is
// preallocated once, "to never resize", in an anonymous mapping it asks the
// kernel to back with transparent huge pages (madvise MADV_HUGEPAGE, as
// allocators and caches do for TLB efficiency). The keys hash uniformly, so
// a few thousand 64-byte slots touch every 2 MiB region of the table: with
// huge pages each first touch makes a whole 2 MiB page resident, and RSS is
// the table's full size while the data in it is a few hundred KiB.
//
// It serves net/http/pprof on -addr, prints "ready" once the slots are in
// and exits by itself after -exit-after.
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"hash/fnv"
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
	tableMB   = flag.Int("table-mb", 768, "preallocated table size, MiB")
	sessions  = flag.Int("sessions", 12000, "session slots stored")
)

const slotSize = 64

type table struct {
	mem   []byte
	slots uint64
}

func newTable(size int) (*table, error) {
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, err
	}
	const madvHugepage = 14
	if err := syscall.Madvise(mem, madvHugepage); err != nil {
		fmt.Fprintln(os.Stderr, "slot-index: madvise(MADV_HUGEPAGE):", err)
	}
	return &table{mem: mem, slots: uint64(size / slotSize)}, nil
}

// put stores a session id in its slot (linear probing on collision).
func (t *table) put(id uint64) {
	h := fnv.New64a()
	var k [8]byte
	binary.LittleEndian.PutUint64(k[:], id)
	h.Write(k[:])
	for i := h.Sum64() % t.slots; ; i = (i + 1) % t.slots {
		s := t.mem[i*slotSize : (i+1)*slotSize]
		if binary.LittleEndian.Uint64(s) == 0 {
			binary.LittleEndian.PutUint64(s, id)
			binary.LittleEndian.PutUint64(s[8:], uint64(time.Now().Unix()))
			return
		}
	}
}

func main() {
	flag.Parse()
	time.AfterFunc(*exitAfter, func() { os.Exit(0) })
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "slot-index:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go func() {
		fmt.Fprintln(os.Stderr, "slot-index:", http.Serve(ln, nil))
		os.Exit(1)
	}()
	t, err := newTable(*tableMB << 20)
	if err != nil {
		fmt.Fprintln(os.Stderr, "slot-index:", err)
		os.Exit(1)
	}
	for i := 1; i <= *sessions; i++ {
		t.put(uint64(i))
	}
	fmt.Printf("ready: %d sessions in a %d MiB table\n", *sessions, *tableMB)
	for range time.Tick(time.Second) {
	}
}
