// Package lock is the platform's distributed lock on etcd, used around
// every job that must run once across replicas (like kube-odin's
// lock.New(client, lock.WithTTL(...)).Trylock in seeds/002).
package lock

import (
	"context"
	"time"

	"github.com/coreos/etcd/clientv3"
	"github.com/coreos/etcd/clientv3/concurrency"
)

// Locker hands out locks with a bounded wait.
type Locker struct {
	client *clientv3.Client
	ttl    time.Duration
}

// New returns a locker whose Trylock gives up after ttl.
func New(client *clientv3.Client, ttl time.Duration) *Locker {
	return &Locker{client: client, ttl: ttl}
}

// Trylock takes the lock named key, waiting at most the locker's ttl.
func (l *Locker) Trylock(ctx context.Context, key string) (unlock func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	ctx, cancelTimeout := context.WithTimeout(ctx, l.ttl)
	s, err := concurrency.NewSession(l.client, int64(l.ttl/time.Second)+1)
	if err != nil {
		cancelTimeout()
		cancel()
		return nil, err
	}
	m := concurrency.NewMutex(s, key)
	if err := m.Lock(ctx); err != nil {
		s.Close()
		cancelTimeout()
		cancel()
		return nil, err
	}
	return func() {
		m.Unlock(context.TODO())
		s.Close()
		cancelTimeout()
		cancel()
	}, nil
}
