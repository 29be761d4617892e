// kube-odin imitates the platform backend of triage's incident case 3
// (seeds/002): jobs that must run once across replicas take an etcd lock
// around their work, with a timeout. The etcd client (a stand-in for
// github.com/coreos/etcd v3.1.3, in deps/etcd) caches a watch stream per
// fmt.Sprintf("%v", ctx), and a context with a deadline never prints the
// same twice: every contended lock leaves a stream in the cache forever.
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

	"github.com/coreos/etcd/clientv3"

	"example.com/kube-odin/internal/lock"
)

var (
	addr      = flag.String("addr", "127.0.0.1:0", "listen address for /debug/pprof/")
	exitAfter = flag.Duration("exit-after", 90*time.Second, "exit after this long")
	workers   = flag.Int("workers", 40, "job runners")
	locks     = flag.Int("locks", 8, "distinct lock names")
	rate      = flag.Int("locks-per-second", 2500, "lock attempts per second, all runners together")
	hold      = flag.Duration("hold", time.Millisecond, "how long a job holds its lock")
)

var taken, failed int64

// runJobs takes the lock of job i, does the job's (tiny) work and unlocks.
func runJobs(locker *lock.Locker, id int, tick <-chan time.Time) {
	for n := id; ; n++ {
		<-tick
		key := fmt.Sprintf("/kube-odin/locks/cluster-sync/%d", n%*locks)
		unlock, err := locker.Trylock(context.TODO(), key)
		if err != nil {
			atomic.AddInt64(&failed, 1)
			continue
		}
		atomic.AddInt64(&taken, 1)
		time.Sleep(*hold) // the job
		unlock()
	}
}

func main() {
	flag.Parse()
	time.AfterFunc(*exitAfter, func() { os.Exit(0) })

	client, err := clientv3.New(clientv3.Config{Endpoints: []string{"loopback"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "kube-odin:", err)
		os.Exit(1)
	}
	locker := lock.New(client, 2*time.Second)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kube-odin:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go func() {
		for range time.Tick(5 * time.Second) {
			fmt.Printf("locks taken %d, failed %d\n", atomic.LoadInt64(&taken), atomic.LoadInt64(&failed))
		}
	}()
	tick := make(chan time.Time)
	go func() {
		t := time.NewTicker(time.Second / time.Duration(*rate/100))
		for now := range t.C {
			for i := 0; i < 100; i++ {
				tick <- now
			}
		}
	}()
	for i := 0; i < *workers; i++ {
		go runJobs(locker, i, tick)
	}
	fmt.Println("ready")
	hs := &http.Server{ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintln(os.Stderr, "kube-odin:", hs.Serve(ln))
	os.Exit(1)
}
