// Package s3fetch downloads objects over HTTPS, the way the service of
// triage's incident case 2 (seeds/001) did: on any status but 200 it returns
// an error and never closes resp.Body. An S3 403 carries a body, so each
// such response pins its connection: the Transport cannot reuse it, its
// readLoop/writeLoop goroutines wait forever, and its bufio and TLS buffers
// and parsed certificates stay in the heap.
package s3fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client downloads objects from one endpoint.
type Client struct {
	Endpoint string
	http     *http.Client
}

// New returns a client that trusts roots.
func New(endpoint string, roots *x509.CertPool) *Client {
	return &Client{
		Endpoint: endpoint,
		http: &http.Client{
			// No Client.Timeout: it would cancel the request, and with it
			// the connection, even when the body is never read.
			Transport: &http.Transport{
				TLSClientConfig:       &tls.Config{RootCAs: roots, ServerName: "s3.local"},
				TLSHandshakeTimeout:   10 * time.Second,
				ResponseHeaderTimeout: 30 * time.Second,
				MaxIdleConnsPerHost:   4,
				IdleConnTimeout:       90 * time.Second,
			},
		},
	}
}

// GetObject returns the object bucket/key.
func (c *Client) GetObject(ctx context.Context, bucket, key string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/%s/%s", c.Endpoint, bucket, key), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		// BUG (the incident): resp.Body is neither read nor closed.
		return nil, fmt.Errorf("get %s/%s: %s", bucket, key, resp.Status)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
