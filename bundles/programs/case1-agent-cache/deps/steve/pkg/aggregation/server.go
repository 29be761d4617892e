// Package aggregation is a stand-in for
// github.com/rancher/steve/pkg/aggregation, written for the triage incident
// corpus (case 1, seeds/000): every short HTTP request to the aggregation
// endpoint starts a remotedialer session in its own goroutine, and nothing
// ever closes it when the request ends.
package aggregation

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/rancher/remotedialer"
)

var sessions int64

// Handler serves /v1/aggregation/connect.
type Handler struct{}

func (h *Handler) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	serve(rw, req)
}

// serve starts the session and returns: the goroutine outlives the request.
//
//go:noinline
func serve(rw http.ResponseWriter, req *http.Request) {
	id := atomic.AddInt64(&sessions, 1)
	s := remotedialer.NewSession(fmt.Sprintf("%s/%d", req.RemoteAddr, id))
	go s.Serve(context.Background()) // BUG: never closed; the request's context is not passed
	rw.WriteHeader(http.StatusOK)
	fmt.Fprintf(rw, "session %d\n", id)
}

// Sessions is how many sessions were started.
func Sessions() int64 { return atomic.LoadInt64(&sessions) }
