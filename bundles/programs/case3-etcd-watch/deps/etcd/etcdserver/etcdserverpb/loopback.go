// Package etcdserverpb is a stand-in for etcd's gRPC API package, written
// for the triage incident corpus (case 3, seeds/002). Instead of gRPC
// clients it offers Loopback: an in-process, single-member key-value store
// with revisions and watches, enough for clientv3's KV, Lease and Watch.
package etcdserverpb

import (
	"sort"
	"strings"
	"sync"
)

// Event types.
const (
	PUT    = 0
	DELETE = 1
)

// KeyValue is one key at one revision.
type KeyValue struct {
	Key            string
	Value          string
	CreateRevision int64
	ModRevision    int64
	Lease          int64
}

// Event is one change.
type Event struct {
	Type int
	Kv   *KeyValue
}

// WatchResponse carries events for one watch.
type WatchResponse struct {
	WatchId  int64
	Revision int64
	Events   []*Event
}

type watch struct {
	id  int64
	key string
	ch  chan<- *WatchResponse
}

// Loopback is the "cluster".
type Loopback struct {
	mu      sync.Mutex
	rev     int64
	lease   int64
	watchID int64
	kvs     map[string]*KeyValue
	watches map[string]map[int64]*watch
}

// NewLoopback returns an empty store at revision 1.
func NewLoopback() *Loopback {
	return &Loopback{rev: 1, kvs: map[string]*KeyValue{}, watches: map[string]map[int64]*watch{}}
}

func (l *Loopback) notify(key string, ev *Event) {
	for _, w := range l.watches[key] {
		select {
		case w.ch <- &WatchResponse{WatchId: w.id, Revision: l.rev, Events: []*Event{ev}}:
		default: // a slow watcher misses events; the client resumes
		}
	}
}

// Put stores key and returns its revision.
func (l *Loopback) Put(key, value string, lease int64) *KeyValue {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rev++
	kv := &KeyValue{Key: key, Value: value, CreateRevision: l.rev, ModRevision: l.rev, Lease: lease}
	if old, ok := l.kvs[key]; ok {
		kv.CreateRevision = old.CreateRevision
	}
	l.kvs[key] = kv
	l.notify(key, &Event{Type: PUT, Kv: kv})
	return kv
}

// Delete removes key.
func (l *Loopback) Delete(key string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if kv, ok := l.kvs[key]; ok {
		l.rev++
		delete(l.kvs, key)
		l.notify(key, &Event{Type: DELETE, Kv: &KeyValue{Key: key, ModRevision: l.rev, CreateRevision: kv.CreateRevision}})
	}
	return l.rev
}

// Range returns the keys under prefix whose create revision is at most
// maxCreateRev (0: any), sorted by create revision.
func (l *Loopback) Range(prefix string, maxCreateRev int64) ([]*KeyValue, int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*KeyValue
	for k, kv := range l.kvs {
		if strings.HasPrefix(k, prefix) && (maxCreateRev == 0 || kv.CreateRevision <= maxCreateRev) {
			out = append(out, kv)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreateRevision < out[j].CreateRevision })
	return out, l.rev
}

// Grant returns a new lease ID.
func (l *Loopback) Grant() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lease++
	return 0x694d0000 + l.lease
}

// Watch sends the events on key to ch from now on; if key does not exist,
// a DELETE is sent at once, as replaying the history from rev would.
func (l *Loopback) Watch(key string, rev int64, ch chan<- *WatchResponse) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.watchID++
	w := &watch{id: l.watchID, key: key, ch: ch}
	if l.watches[key] == nil {
		l.watches[key] = map[int64]*watch{}
	}
	l.watches[key][w.id] = w
	if _, ok := l.kvs[key]; !ok {
		select {
		case ch <- &WatchResponse{WatchId: w.id, Revision: l.rev, Events: []*Event{{Type: DELETE, Kv: &KeyValue{Key: key, ModRevision: l.rev}}}}:
		default:
		}
	}
	return w.id
}

// CancelWatch stops a watch.
func (l *Loopback) CancelWatch(key string, id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.watches[key], id)
	if len(l.watches[key]) == 0 {
		delete(l.watches, key)
	}
}
