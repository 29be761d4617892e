// Package s3stub is the stand-in for S3 in the corpus program: an HTTPS
// server on 127.0.0.1 with a certificate chain made at start (root,
// intermediate, leaf for s3.local), answering 403 AccessDenied with an XML
// body for most keys, as a bucket policy that denies some prefixes does.
// Like S3 on an unread response, it closes its side after answering.
package s3stub

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strings"
	"time"
)

// Server is a running stub.
type Server struct {
	URL   string
	Roots *x509.CertPool
}

func cert(tmpl, parent *x509.Certificate, key *rsa.PrivateKey, signer *rsa.PrivateKey) (*x509.Certificate, []byte, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, nil, err
	}
	c, err := x509.ParseCertificate(der)
	return c, der, err
}

// Start listens on 127.0.0.1:0 and serves until the process exits.
func Start() (*Server, error) {
	keys := make([]*rsa.PrivateKey, 3)
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	now := time.Now()
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Corpus Root CA", Organization: []string{"triage corpus"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	caCert, _, err := cert(ca, ca, keys[0], keys[0])
	if err != nil {
		return nil, err
	}
	im := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Corpus Intermediate CA", Organization: []string{"triage corpus"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	imCert, imDER, err := cert(im, caCert, keys[1], keys[0])
	if err != nil {
		return nil, err
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "s3.local"},
		DNSNames: []string{"s3.local", "*.s3.local"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	_, leafDER, err := cert(leaf, imCert, keys[2], keys[1])
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(caCert)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	object := []byte(strings.Repeat("PNG-tile-data-", 64*1024/14))
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{{
			Certificate: [][]byte{leafDER, imDER}, PrivateKey: keys[2]}}},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Server", "AmazonS3")
			if strings.Contains(r.URL.Path, "/public/") {
				w.Write(object)
				return
			}
			w.Header().Set("Content-Type", "application/xml")
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied</Message><Key>%s</Key><RequestId>%016X</RequestId><HostId>corpus-%d</HostId></Error>`,
				r.URL.Path, time.Now().UnixNano(), time.Now().UnixNano()%1000)
		}),
		ErrorLog: nil,
	}
	go srv.ServeTLS(ln, "", "")
	return &Server{URL: "https://" + ln.Addr().String(), Roots: roots}, nil
}
