// Package remotedialer is a stand-in for github.com/rancher/remotedialer,
// written for the triage incident corpus (case 1, seeds/000): a Session
// multiplexes a tunnel; Serve reads its first message and serveMessage
// copies the message stream into the backend with io.CopyBuffer. When the
// peer goes away without closing the session, the copy waits forever on the
// session's message channel, holding its 32 KiB copy buffer.
package remotedialer

import (
	"context"
	"io"
	"sync"
)

// message is one frame of the tunnel.
type message struct {
	connID int64
	data   []byte
}

// Session is one tunnel to a downstream agent.
type Session struct {
	sync.Mutex
	clientKey string
	incoming  chan *message // frames from the peer; nobody closes it when the peer leaves
	conns     map[int64]*connection
	backend   io.Writer
}

// connection is the reading side of one multiplexed stream.
type connection struct {
	s      *Session
	connID int64
	buf    []byte
}

// Read blocks until the peer sends a frame: a channel receive.
//
//go:noinline
func (c *connection) Read(p []byte) (int, error) {
	if len(c.buf) == 0 {
		m, ok := <-c.s.incoming
		if !ok {
			return 0, io.EOF
		}
		c.buf = m.data
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

// discard is the backend of a session whose target is gone.
type discard struct{ n int64 }

func (d *discard) Write(p []byte) (int, error) { d.n += int64(len(p)); return len(p), nil }

// NewSession creates a session for clientKey.
func NewSession(clientKey string) *Session {
	return &Session{
		clientKey: clientKey,
		incoming:  make(chan *message, 16),
		conns:     map[int64]*connection{},
		backend:   &discard{},
	}
}

// Serve runs the session until the peer closes it.
func (s *Session) Serve(ctx context.Context) (int, error) {
	c := &connection{s: s, connID: 1}
	s.Lock()
	s.conns[c.connID] = c
	s.Unlock()
	return 0, s.serveMessage(ctx, c)
}

// serveMessage copies the stream of one connection to the backend. It does
// not watch ctx: only the end of the message stream stops it.
//
//go:noinline
func (s *Session) serveMessage(ctx context.Context, c *connection) error {
	_, err := io.CopyBuffer(s.backend, c, nil)
	return err
}

// Close ends the session; callers that forget it leak Serve.
func (s *Session) Close() { close(s.incoming) }
