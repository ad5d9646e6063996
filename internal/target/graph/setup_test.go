package graph_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/graph"
	"github.com/wpimport/wpimport/internal/testkit"
)

// secret is a token long enough to be scrubbed from what servers say.
const secret = "EAAG-secret-token-1234567890"

// open opens the Graph target on base with token, its calls recorded.
func open(t *testing.T, base, token string) (*graph.Client, *calls) {
	t.Helper()
	rec := &calls{}
	c, err := graph.New(target.Config{URL: base, Token: token, UserAgent: "wpimport/test", Wrap: rec.wrap})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// calls records the Calls a target describes to its Wrap.
type calls struct {
	mu   sync.Mutex
	list []target.Call
}

func (r *calls) wrap(ctx context.Context, c target.Call, do func(context.Context) error) error {
	r.mu.Lock()
	r.list = append(r.list, c)
	r.mu.Unlock()
	return do(ctx)
}

func (r *calls) all() []target.Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]target.Call(nil), r.list...)
}

// sent is one request as it went on the wire.
type sent struct {
	Method, Path string
	Query, Form  url.Values
	Header       http.Header
}

// wire is a logging proxy in front of a server.
type wire struct {
	mu   sync.Mutex
	reqs []sent
}

func (w *wire) all() []sent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]sent(nil), w.reqs...)
}

// reset forgets the requests logged so far.
func (w *wire) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reqs = nil
}

// proxy starts a logging proxy to backend and returns its URL.
func proxy(t *testing.T, backend string) (string, *wire) {
	t.Helper()
	u, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	w := &wire{}
	hs := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s := sent{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			s.Form, _ = url.ParseQuery(string(body))
		}
		w.mu.Lock()
		w.reqs = append(w.reqs, s)
		w.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		rp.ServeHTTP(rw, r)
	}))
	t.Cleanup(hs.Close)
	return hs.URL, w
}

// setup starts an emulator behind a logging proxy and opens the Graph
// target on it.
func setup(t *testing.T, cfg emulator.Config) (*graph.Client, *emulator.Server, *wire) {
	t.Helper()
	srv := testkit.Emulator(t, cfg)
	base, w := proxy(t, srv.URL())
	c, _ := open(t, base, srv.Token())
	return c, srv, w
}

// serve starts a server answering every request with h.
func serve(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL
}

// create makes an account on the emulator through the target.
func create(t *testing.T, c *graph.Client, a target.Account) string {
	t.Helper()
	got, err := c.Create(t.Context(), &a)
	if err != nil {
		t.Fatalf("Create %s: %v", a.Describe(), err)
	}
	return got.ID
}

// find reads one account by key; nil if absent.
func find(t *testing.T, c *graph.Client, k target.Key) *target.Account {
	t.Helper()
	m, err := c.Find(t.Context(), []target.Key{k})
	if err != nil {
		t.Fatalf("Find %s: %v", k, err)
	}
	return m[k]
}

func byID(id string) target.Key { return target.Key{Kind: target.ByID, Value: id} }
