// Package prober runs the exec liveness probes of the node's pods through
// the container runtime service.
package prober

import (
	"context"
	"sync/atomic"
	"time"

	"k8s.io/kubernetes/pkg/kubelet/dockershim"
)

// Prober probes containers.
type Prober struct {
	Runtime    dockershim.DockerService
	Containers []string
	Ready      func() // called once the burst is over
	ok, failed int64
}

// Run probes the containers in turn: burst probes back to back, then
// perSecond probes a second, forever.
func (p *Prober) Run(burst, perSecond int) {
	n := 0
	for ; n < burst; n++ {
		p.probe(n)
	}
	if p.Ready != nil {
		p.Ready()
	}
	for range time.Tick(time.Second / time.Duration(perSecond)) {
		p.probe(n)
		n++
	}
}

func (p *Prober) probe(n int) {
	cmd := []string{"/bin/sh", "-c", "/usr/local/bin/healthcheck --port 7777 --dump-state"}
	id := p.Containers[n%len(p.Containers)]
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, err := p.Runtime.ExecSync(ctx, &dockershim.ExecSyncRequest{ContainerId: id, Cmd: cmd, Timeout: 5})
	cancel()
	if err != nil {
		atomic.AddInt64(&p.failed, 1)
	} else {
		atomic.AddInt64(&p.ok, 1)
	}
}

// Counts returns probes ok and failed.
func (p *Prober) Counts() (int64, int64) { return atomic.LoadInt64(&p.ok), atomic.LoadInt64(&p.failed) }
