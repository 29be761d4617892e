// edge-kubelet imitates the kubelet of triage's incident case 5
// (seeds/004): exec probes go through dockershim (a stand-in for
// k8s.io/kubernetes v1.19, deps/kubernetes) to the docker client (a
// stand-in for github.com/docker/docker, deps/docker), whose container
// inspects decode into millions of small objects that the exec records keep
// alive. The GC is busy marking them.
//
// It serves net/http/pprof on -addr, prints "listening on ADDR" and exits
// by itself after -exit-after.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"strings"
	"time"

	"github.com/docker/docker/client"
	"github.com/docker/docker/daemon"
	"k8s.io/kubernetes/pkg/kubelet/dockershim"

	"example.com/edge-kubelet/pkg/prober"
)

var (
	addr       = flag.String("addr", "127.0.0.1:0", "listen address for /debug/pprof/")
	exitAfter  = flag.Duration("exit-after", 90*time.Second, "exit after this long")
	containers = flag.Int("containers", 30, "containers on the node")
	burst      = flag.Int("burst-probes", 5500, "probes run back to back at start (every pod's probes starting)")
	rate       = flag.Int("probes-per-second", 60, "exec probes per second after the burst")
	outputKB   = flag.Int("probe-output-kb", 256, "size of each probe's output")
)

func main() {
	flag.Parse()
	time.AfterFunc(*exitAfter, func() { os.Exit(0) })

	d := daemon.New(*containers)
	var out strings.Builder
	for i := 0; out.Len() < *outputKB<<10; i++ {
		fmt.Fprintf(&out, `{"player":%d,"state":"idle","latency_ms":%d},`, i, i%97)
	}
	d.ExecOutput = []byte(out.String())
	c, err := client.NewClientWithOpts(client.WithDaemon(d))
	if err != nil {
		fmt.Fprintln(os.Stderr, "edge-kubelet:", err)
		os.Exit(1)
	}
	ds := dockershim.NewDockerService(c)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "edge-kubelet:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go func() {
		hs := &http.Server{ReadHeaderTimeout: 10 * time.Second}
		fmt.Fprintln(os.Stderr, "edge-kubelet:", hs.Serve(ln))
		os.Exit(1)
	}()
	p := &prober.Prober{Runtime: ds, Containers: d.Containers(), Ready: func() { fmt.Println("ready") }}
	go func() {
		for range time.Tick(5 * time.Second) {
			ok, failed := p.Counts()
			fmt.Printf("probes ok %d, failed %d, exec records %d\n", ok, failed, ds.TrackedExecs())
		}
	}()
	p.Run(*burst, *rate)
}
