// Package concurrency is a stand-in for
// github.com/coreos/etcd/clientv3/concurrency as of v3.1.3: sessions and a
// distributed mutex whose waiters watch the previous holder's key.
package concurrency

import (
	"context"
	"fmt"

	v3 "github.com/coreos/etcd/clientv3"
)

// Session is a lease kept for the life of a lock holder.
type Session struct {
	client *v3.Client
	id     v3.LeaseID
}

// NewSession grants a lease of ttl seconds.
func NewSession(client *v3.Client, ttl int64) (*Session, error) {
	id, err := client.Grant(context.TODO(), ttl)
	if err != nil {
		return nil, err
	}
	return &Session{client: client, id: id}, nil
}

// Close revokes the lease.
func (s *Session) Close() error { return s.client.Revoke(context.TODO(), s.id) }

// Mutex implements the sync Locker interface with etcd
type Mutex struct {
	s     *Session
	pfx   string
	myKey string
	myRev int64
}

// NewMutex returns a mutex on pfx.
func NewMutex(s *Session, pfx string) *Mutex {
	return &Mutex{s: s, pfx: pfx + "/"}
}

// Lock locks the mutex with a cancellable context. If the context is
// cancelled while trying to acquire the lock, the mutex tries to clean its
// stale lock entry.
func (m *Mutex) Lock(ctx context.Context) error {
	client := m.s.client
	m.myKey = v3.LeaseKey(m.pfx, m.s.id)
	resp, err := client.Put(ctx, m.myKey, "", m.s.id)
	if err != nil {
		return err
	}
	m.myRev = resp.Revision
	// wait for deletion revisions prior to myKey
	err = waitDeletes(ctx, client, m.pfx, m.myRev-1)
	// release lock key if cancelled
	select {
	case <-ctx.Done():
		m.Unlock(client.Ctx())
	default:
	}
	return err
}

// Unlock releases the mutex.
func (m *Mutex) Unlock(ctx context.Context) error {
	_, err := m.s.client.Delete(ctx, m.myKey)
	return err
}

// Key is the mutex's key.
func (m *Mutex) Key() string { return m.myKey }

func waitDelete(ctx context.Context, client *v3.Client, key string, rev int64) error {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var wr v3.WatchResponse
	wch := client.Watch(cctx, key, rev)
	for wr = range wch {
		for _, ev := range wr.Events {
			if ev.Type == v3.EventTypeDelete {
				return nil
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return fmt.Errorf("lost watcher waiting for delete")
}

// waitDeletes efficiently waits until all keys matching the prefix and no
// greater than the create revision are deleted.
func waitDeletes(ctx context.Context, client *v3.Client, pfx string, maxCreateRev int64) error {
	for {
		resp, err := client.GetPrefix(ctx, pfx, maxCreateRev)
		if err != nil {
			return err
		}
		if len(resp.Kvs) == 0 {
			return nil
		}
		lastKey := resp.Kvs[len(resp.Kvs)-1].Key
		if err = waitDelete(ctx, client, lastKey, resp.Revision); err != nil {
			return err
		}
	}
}
