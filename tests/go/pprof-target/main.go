// pprof-target is a small Go service for the pprof collection tests: it
// serves net/http/pprof and expvar, keeps some heap and parked goroutines
// alive, burns a little CPU so CPU profiles have samples, and always exits
// by itself (-exit-after) so a test that loses track of it leaks nothing
// for long.
//
// It prints "listening on HOST:PORT" on stdout once the socket is bound.
package main

import (
	"context"
	"crypto/sha256"
	"expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	rpprof "runtime/pprof"
	"strings"
	"sync"
	"time"
)

var (
	addr       = flag.String("addr", "127.0.0.1:0", "listen address")
	goroutines = flag.Int("goroutines", 0, "goroutines to park")
	allocMB    = flag.Int("alloc", 0, "live heap to keep, in MiB")
	exitAfter  = flag.Duration("exit-after", 5*time.Minute, "exit after this long")
	hang       = flag.Bool("hang", false, "serve the pprof index but never answer the profile endpoints")
	noExpvar   = flag.Bool("no-expvar", false, "do not serve /debug/vars (MemStats then come from heap?debug=1)")
	noPprof    = flag.Bool("no-pprof", false, "serve an unrelated page instead of pprof")
	prefix     = flag.String("prefix", "", "mount pprof under this prefix (e.g. /admin) and link it from /")
	// Secrets in the shapes collect must keep behind (tests/collect-pprof.sh):
	// the flags are only carried on the command line, which /proc and
	// expvar's "cmdline" republish; -expvar-secret is published under
	// secret-looking expvar names.
	_            = flag.String("p", "", "a password, as mysql takes one")
	_            = flag.String("header", "", "an HTTP header, such as Authorization")
	_            = flag.String("url", "", "an upstream URL, maybe with a token in its query")
	_            = flag.String("dsn", "", "a database DSN with credentials")
	expvarSecret = flag.String("expvar-secret", "", "published as db_password and upstream_api_token")
	labelSecret  = flag.String("label-secret", "", "a pprof label auth_token on a parked goroutine")

	keep     [][]byte
	parked   = make(chan struct{}) // never closed: parked goroutines wait on it
	requests = expvar.NewInt("requests")
)

// park is its own function so the goroutine profile has a recognisable frame.
func park(ready *sync.WaitGroup) {
	ready.Done()
	<-parked
}

// burn uses roughly a fifth of one CPU, in short bursts.
func burn() {
	var sum [32]byte
	for {
		end := time.Now().Add(20 * time.Millisecond)
		for time.Now().Before(end) {
			sum = sha256.Sum256(sum[:])
		}
		time.Sleep(80 * time.Millisecond)
	}
}

func hangForever(w http.ResponseWriter, r *http.Request) {
	// Blocks until the client gives up; the handler never writes a byte.
	<-r.Context().Done()
}

func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	if *hang {
		mux.HandleFunc("/debug/pprof/", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/debug/pprof/" {
				pprof.Index(w, r)
				return
			}
			hangForever(w, r)
		})
		mux.HandleFunc("/debug/vars", hangForever)
		return mux
	}
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	if !*noExpvar {
		mux.Handle("/debug/vars", expvar.Handler())
	}
	if *prefix == "" {
		return mux
	}
	// An admin server: pprof under a prefix, an index page at / linking it.
	outer := http.NewServeMux()
	outer.Handle(*prefix+"/", http.StripPrefix(*prefix, mux))
	outer.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "<html><body><h1>admin</h1><a href=\"%s/debug/pprof/\">profiles</a></body></html>\n", *prefix)
	})
	return outer
}

func otherMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "<html><body>an ordinary web page</body></html>")
	})
	return mux
}

func main() {
	flag.Parse()
	if *expvarSecret != "" {
		expvar.NewString("db_password").Set(*expvarSecret + "-1")
		expvar.NewString("upstream_api_token").Set(*expvarSecret + "-2")
	}
	time.AfterFunc(*exitAfter, func() { os.Exit(0) })

	runtime.SetMutexProfileFraction(5)
	runtime.SetBlockProfileRate(100000)

	for i := 0; i < *allocMB; i++ {
		b := make([]byte, 1<<20)
		for j := range b {
			b[j] = byte(i + j)
		}
		keep = append(keep, b)
	}
	var ready sync.WaitGroup
	ready.Add(*goroutines)
	for i := 0; i < *goroutines; i++ {
		go park(&ready)
	}
	// secret-looking label keys reach the goroutine and CPU profiles
	labels := rpprof.Labels("auth_token", *labelSecret, "request_token", *labelSecret+"-r")
	if *labelSecret != "" {
		ready.Add(1)
		go rpprof.Do(context.Background(), labels, func(context.Context) { park(&ready) })
	}
	ready.Wait()
	if *labelSecret != "" {
		go rpprof.Do(context.Background(), labels, func(context.Context) { burn() })
	} else {
		go burn()
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pprof-target:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr().String())

	var mux *http.ServeMux
	if *noPprof {
		mux = otherMux()
	} else {
		mux = pprofMux()
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		mux.ServeHTTP(w, r)
	})
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil && !strings.Contains(err.Error(), "closed") {
		fmt.Fprintln(os.Stderr, "pprof-target:", err)
		os.Exit(1)
	}
	runtime.KeepAlive(keep)
}
