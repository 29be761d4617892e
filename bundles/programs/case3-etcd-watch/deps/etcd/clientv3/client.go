// Package clientv3 is a stand-in for github.com/coreos/etcd/clientv3 as of
// v3.1.3, written for the triage incident corpus (case 3, seeds/002). Its
// watcher caches gRPC watch streams in a map keyed by fmt.Sprintf("%v",
// ctx); for a context with a deadline the printed form includes the time
// left, so the key is never found again: every Watch makes a new stream,
// and closeStream, which recomputes the key, never deletes it. The map and
// everything its streams hold grow for the life of the client. The key
// derivation changed in 3.2.20 (per the incident write-up).
package clientv3

import (
	"context"
	"fmt"
	"strconv"

	pb "github.com/coreos/etcd/etcdserver/etcdserverpb"
)

// Config is the client configuration.
type Config struct {
	Endpoints []string
}

// Client is an etcd v3 client.
type Client struct {
	Watcher
	cfg    Config
	remote *pb.Loopback
	ctx    context.Context
	cancel context.CancelFunc
}

// New creates a client; the only endpoint understood is the loopback.
func New(cfg Config) (*Client, error) {
	if len(cfg.Endpoints) == 0 {
		return nil, fmt.Errorf("etcdclient: no available endpoints")
	}
	c := &Client{cfg: cfg, remote: pb.NewLoopback()}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.Watcher = NewWatcher(c)
	return c, nil
}

// Close shuts the client down.
func (c *Client) Close() error {
	c.cancel()
	return c.Watcher.Close()
}

// LeaseID is a lease.
type LeaseID int64

// Grant creates a lease.
func (c *Client) Grant(ctx context.Context, ttl int64) (LeaseID, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return LeaseID(c.remote.Grant()), nil
}

// Revoke ends a lease (its keys are deleted by the caller here).
func (c *Client) Revoke(ctx context.Context, id LeaseID) error { return nil }

// PutResponse is the answer to Put.
type PutResponse struct{ Revision int64 }

// Put writes key with an optional lease.
func (c *Client) Put(ctx context.Context, key, val string, lease LeaseID) (*PutResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	kv := c.remote.Put(key, val, int64(lease))
	return &PutResponse{Revision: kv.ModRevision}, nil
}

// GetResponse is the answer to Get.
type GetResponse struct {
	Revision int64
	Kvs      []*pb.KeyValue
}

// GetPrefix returns the keys under prefix created at or before maxCreateRev
// (0: all), oldest first.
func (c *Client) GetPrefix(ctx context.Context, prefix string, maxCreateRev int64) (*GetResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	kvs, rev := c.remote.Range(prefix, maxCreateRev)
	return &GetResponse{Revision: rev, Kvs: kvs}, nil
}

// Delete removes key.
func (c *Client) Delete(ctx context.Context, key string) (int64, error) {
	return c.remote.Delete(key), nil
}

// LeaseKey is how concurrency names a session's key.
func LeaseKey(prefix string, id LeaseID) string {
	return prefix + strconv.FormatInt(int64(id), 16)
}

// Ctx is the client's context.
func (c *Client) Ctx() context.Context { return c.ctx }
