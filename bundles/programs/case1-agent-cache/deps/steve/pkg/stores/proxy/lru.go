package proxy

import (
	"container/list"
	"sync"
	"time"
)

// LRUExpireCache is a copy in spirit of k8s.io/apimachinery's: a size-bounded
// LRU whose entries also expire.
type LRUExpireCache struct {
	mu      sync.Mutex
	maxSize int
	ll      *list.List
	entries map[interface{}]*list.Element
}

type cacheEntry struct {
	key        interface{}
	value      interface{}
	expireTime time.Time
}

// NewLRUExpireCache creates a cache of at most maxSize entries.
func NewLRUExpireCache(maxSize int) *LRUExpireCache {
	return &LRUExpireCache{maxSize: maxSize, ll: list.New(), entries: map[interface{}]*list.Element{}}
}

// Add adds value under key until ttl passes or it is evicted.
func (c *LRUExpireCache) Add(key, value interface{}, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		c.ll.MoveToFront(e)
		ent := e.Value.(*cacheEntry)
		ent.value, ent.expireTime = value, time.Now().Add(ttl)
		return
	}
	c.entries[key] = c.ll.PushFront(&cacheEntry{key: key, value: value, expireTime: time.Now().Add(ttl)})
	if c.ll.Len() > c.maxSize {
		e := c.ll.Back()
		c.ll.Remove(e)
		delete(c.entries, e.Value.(*cacheEntry).key)
	}
}

// Get returns the live value under key.
func (c *LRUExpireCache) Get(key interface{}) (interface{}, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	ent := e.Value.(*cacheEntry)
	if time.Now().After(ent.expireTime) {
		c.ll.Remove(e)
		delete(c.entries, key)
		return nil, false
	}
	c.ll.MoveToFront(e)
	return ent.value, true
}

// Len is the number of entries.
func (c *LRUExpireCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
