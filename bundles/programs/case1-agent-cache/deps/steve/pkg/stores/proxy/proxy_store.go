// Package proxy is a stand-in for github.com/rancher/steve/pkg/stores/proxy,
// written for the triage incident corpus (case 1, seeds/000). List results
// (JSON, hundreds of KB each) are kept in an LRU of 1000 entries that expire
// after 30 minutes; the key includes the resource version and the caller's
// access set, so on a busy cluster nearly every list is a new entry and the
// cache holds up to 1000 large JSON documents.
package proxy

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// APIRequest is the part of a steve request that the list key is made of.
type APIRequest struct {
	Type      string
	Namespace string
	User      string
}

// Store lists resources from the (fake) Kubernetes API.
type Store struct {
	listCache *LRUExpireCache
	client    *resourceClient
	disabled  bool
}

// NewProxyStore returns a store; CATTLE_REQUEST_CACHE_DISABLED=true turns
// the list cache off, as in steve.
func NewProxyStore() *Store {
	return &Store{
		listCache: NewLRUExpireCache(1000),
		client:    &resourceClient{},
		disabled:  os.Getenv("CATTLE_REQUEST_CACHE_DISABLED") == "true",
	}
}

// List returns the JSON list for the request, from the cache when it can.
func (s *Store) List(apiOp *APIRequest) ([]byte, error) {
	rv := s.client.resourceVersion(apiOp.Type)
	key := fmt.Sprintf("%s/%s/%s/%d", apiOp.Type, apiOp.Namespace, apiOp.User, rv)
	if !s.disabled {
		if v, ok := s.listCache.Get(key); ok {
			return v.([]byte), nil
		}
	}
	data, err := s.list(apiOp, rv)
	if err != nil {
		return nil, err
	}
	if !s.disabled {
		s.listCache.Add(key, data, 30*time.Minute)
	}
	return data, nil
}

// list asks the API server and serializes the result.
//
//go:noinline
func (s *Store) list(apiOp *APIRequest, rv int64) ([]byte, error) {
	objs := s.client.List(apiOp.Type, apiOp.Namespace, rv)
	return json.Marshal(map[string]interface{}{
		"apiVersion": "v1",
		"kind":       "List",
		"metadata":   map[string]interface{}{"resourceVersion": fmt.Sprint(rv)},
		"items":      objs,
	})
}

// CacheLen is the number of cached lists.
func (s *Store) CacheLen() int { return s.listCache.Len() }
