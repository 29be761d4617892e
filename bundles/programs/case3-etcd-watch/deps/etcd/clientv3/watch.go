package clientv3

import (
	"context"
	"fmt"
	"sync"

	pb "github.com/coreos/etcd/etcdserver/etcdserverpb"
)

// Event types.
const (
	EventTypeDelete = pb.DELETE
	EventTypePut    = pb.PUT
)

// WatchResponse is what a WatchChan delivers.
type WatchResponse struct {
	Events   []*pb.Event
	Canceled bool
}

// WatchChan delivers watch responses.
type WatchChan <-chan WatchResponse

// Watcher watches keys.
type Watcher interface {
	Watch(ctx context.Context, key string, rev int64) WatchChan
	Close() error
}

// watcher implements the Watcher interface
type watcher struct {
	remote *pb.Loopback

	// mu protects the grpc streams map
	mu sync.RWMutex

	// streams holds all the active grpc streams keyed by ctx value.
	streams map[string]*watchGrpcStream
}

// watchGrpcStream tracks all watch resources attached to a single grpc stream.
type watchGrpcStream struct {
	owner  *watcher
	remote *pb.Loopback

	// ctx controls internal remote.Watch requests
	ctx context.Context
	// ctxKey is the key used when looking up this stream's context
	ctxKey string
	cancel context.CancelFunc

	// substreams holds all active watchers on this grpc stream
	substreams map[int64]*watcherStream
	// resuming holds all resuming watchers on this grpc stream
	resuming []*watcherStream

	// reqc sends a watch request from Watch() to the main goroutine
	reqc chan *watchRequest
	// respc receives data from the watch client
	respc chan *pb.WatchResponse
	// donec closes to broadcast shutdown
	donec chan struct{}
	// errc transmits errors from grpc Recv to the watch stream reconn logic
	errc chan error
	// closingc gets the watcherStream of closing watchers
	closingc chan *watcherStream
	// resumec closes to signal that all substreams should begin resuming
	resumec chan struct{}
	// closeErr is the error that closed the watch stream
	closeErr error
}

// watchRequest is issued by the subscriber to start a new watcher
type watchRequest struct {
	ctx context.Context
	key string
	rev int64
	// retc receives a chan WatchResponse once the watcher is established
	retc chan chan WatchResponse
}

// watcherStream represents a registered watcher
type watcherStream struct {
	initReq watchRequest
	// outc publishes watch responses to subscriber
	outc chan WatchResponse
	// recvc buffers watch responses before publishing
	recvc chan *pb.WatchResponse
	// donec closes when the watcherStream goroutine stops.
	donec chan struct{}
	// closing is set to true when stream should be scheduled to shutdown.
	closing bool
	// id is the registered watch id on the grpc stream
	id int64
}

// NewWatcher returns the client's watcher.
func NewWatcher(c *Client) Watcher {
	return &watcher{remote: c.remote, streams: make(map[string]*watchGrpcStream)}
}

// never closes
var valCtxCh = make(chan struct{})

// ctx with only the values; never Done
type valCtx struct{ context.Context }

func (vc *valCtx) Done() <-chan struct{} { return valCtxCh }
func (vc *valCtx) Err() error            { return nil }

func (w *watcher) newWatcherGrpcStream(inctx context.Context) *watchGrpcStream {
	ctx, cancel := context.WithCancel(&valCtx{inctx})
	wgs := &watchGrpcStream{
		owner:      w,
		remote:     w.remote,
		ctx:        ctx,
		ctxKey:     fmt.Sprintf("%v", inctx),
		cancel:     cancel,
		substreams: make(map[int64]*watcherStream),

		respc:    make(chan *pb.WatchResponse),
		reqc:     make(chan *watchRequest),
		donec:    make(chan struct{}),
		errc:     make(chan error, 1),
		closingc: make(chan *watcherStream),
		resumec:  make(chan struct{}),
	}
	go wgs.run()
	return wgs
}

// Watch posts a watch request to run() and waits for a new watcher channel
func (w *watcher) Watch(ctx context.Context, key string, rev int64) WatchChan {
	wr := &watchRequest{ctx: ctx, key: key, rev: rev, retc: make(chan chan WatchResponse, 1)}

	ctxKey := fmt.Sprintf("%v", ctx)

	// find or allocate appropriate grpc watch stream
	w.mu.Lock()
	if w.streams == nil {
		// closed
		w.mu.Unlock()
		ch := make(chan WatchResponse)
		close(ch)
		return ch
	}
	wgs := w.streams[ctxKey]
	if wgs == nil {
		wgs = w.newWatcherGrpcStream(ctx)
		w.streams[ctxKey] = wgs
	}
	donec := wgs.donec
	reqc := wgs.reqc
	w.mu.Unlock()

	// couldn't create channel; return closed channel
	closeCh := make(chan WatchResponse, 1)

	// submit request
	select {
	case reqc <- wr:
	case <-wr.ctx.Done():
		close(closeCh)
		return closeCh
	case <-donec:
		close(closeCh)
		return closeCh
	}

	// receive channel
	select {
	case ret := <-wr.retc:
		return ret
	case <-ctx.Done():
	case <-donec:
	}
	close(closeCh)
	return closeCh
}

func (w *watcher) Close() (err error) {
	w.mu.Lock()
	streams := w.streams
	w.streams = nil
	w.mu.Unlock()
	for _, wgs := range streams {
		wgs.cancel()
	}
	return nil
}

func (w *watcher) closeStream(wgs *watchGrpcStream) {
	w.mu.Lock()
	close(wgs.donec)
	wgs.cancel()
	if w.streams != nil {
		delete(w.streams, wgs.ctxKey)
	}
	w.mu.Unlock()
}

// run is the root of the goroutines for managing a watcher client
func (w *watchGrpcStream) run() {
	defer w.owner.closeStream(w)
	for {
		select {
		case wr := <-w.reqc:
			ws := &watcherStream{
				initReq: *wr,
				outc:    make(chan WatchResponse, 1),
				recvc:   make(chan *pb.WatchResponse, 4),
				donec:   make(chan struct{}),
			}
			ws.id = w.remote.Watch(wr.key, wr.rev, ws.recvc)
			w.substreams[ws.id] = ws
			go w.serveSubstream(ws, w.resumec)
			wr.retc <- ws.outc
		case ws := <-w.closingc:
			w.remote.CancelWatch(ws.initReq.key, ws.id)
			delete(w.substreams, ws.id)
			close(ws.outc)
			if len(w.substreams) == 0 {
				// no more watchers on this stream, shutdown
				return
			}
		case <-w.ctx.Done():
			return
		}
	}
}

// serveSubstream forwards watch responses from run() to the subscriber
func (w *watchGrpcStream) serveSubstream(ws *watcherStream, resumec chan struct{}) {
	defer close(ws.donec)
	for {
		select {
		case r := <-ws.recvc:
			select {
			case ws.outc <- WatchResponse{Events: r.Events}:
			case <-ws.initReq.ctx.Done():
			}
		case <-ws.initReq.ctx.Done():
			w.closingc <- ws
			return
		case <-w.ctx.Done():
			return
		}
	}
}
