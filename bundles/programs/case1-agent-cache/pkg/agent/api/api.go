// Package api is the agent's HTTP API: list endpoints backed by steve's
// proxy store, and the aggregation endpoint that edge clusters call.
package api

import (
	"net/http"
	"strings"

	"github.com/rancher/steve/pkg/aggregation"
	"github.com/rancher/steve/pkg/stores/proxy"
)

// Server holds the stores behind the API.
type Server struct {
	Store *proxy.Store
}

// Register adds the API routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("/v1/", s.list)
	mux.Handle("/v1/aggregation/connect", &aggregation.Handler{})
}

// list serves /v1/TYPE?namespace=NS for the user in X-Remote-User.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	typ := strings.TrimPrefix(r.URL.Path, "/v1/")
	data, err := s.Store.List(&proxy.APIRequest{
		Type:      typ,
		Namespace: r.URL.Query().Get("namespace"),
		User:      r.Header.Get("X-Remote-User"),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data[:64]) // the UI asks for a summary; the full list stays cached
}
