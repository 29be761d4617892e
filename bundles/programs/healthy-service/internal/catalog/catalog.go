// Package catalog serves product pages from a bounded LRU cache in front of
// a (simulated) database: the healthy baseline of the triage corpus. The
// cache is full after warm-up and evicts as it should, so the heap is
// steady.
package catalog

import (
	"container/list"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Product is one catalog entry.
type Product struct {
	ID          int      `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
	PriceCents  int      `json:"price_cents"`
}

// Cache is a bounded LRU of rendered product pages.
type Cache struct {
	mu      sync.Mutex
	max     int
	ll      *list.List
	entries map[int]*list.Element
	hits    int64
	misses  int64
}

type entry struct {
	id   int
	page []byte
}

// NewCache holds at most max pages.
func NewCache(max int) *Cache {
	return &Cache{max: max, ll: list.New(), entries: map[int]*list.Element{}}
}

// Get returns the page of product id, rendering it on a miss.
func (c *Cache) Get(id int) []byte {
	c.mu.Lock()
	if e, ok := c.entries[id]; ok {
		c.ll.MoveToFront(e)
		c.hits++
		c.mu.Unlock()
		return e.Value.(*entry).page
	}
	c.misses++
	c.mu.Unlock()
	page := render(load(id))
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[id]; !ok {
		c.entries[id] = c.ll.PushFront(&entry{id: id, page: page})
		for c.ll.Len() > c.max {
			e := c.ll.Back()
			c.ll.Remove(e)
			delete(c.entries, e.Value.(*entry).id)
		}
	}
	return page
}

// Stats returns size, hits and misses.
func (c *Cache) Stats() (int, int64, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len(), c.hits, c.misses
}

func load(id int) *Product {
	return &Product{
		ID:          id,
		Name:        fmt.Sprintf("Product %d", id),
		Description: strings.Repeat(fmt.Sprintf("Item %d is sturdy, light and ships in two days. ", id), 40),
		Tags:        []string{"catalog", "sku-" + strconv.Itoa(id%1000), "warehouse-" + strconv.Itoa(id%7)},
		PriceCents:  100 + id%10000,
	}
}

func render(p *Product) []byte {
	b, _ := json.Marshal(p)
	return b
}

// Handler serves /products/ID.
func (c *Cache) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/products/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(c.Get(id))
	})
}
