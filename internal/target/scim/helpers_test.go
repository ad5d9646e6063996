package scim_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/scim"
	"github.com/wpimport/wpimport/internal/testkit"
)

const token = "s3cret-token-value"

// layer is what a caller puts around the client: it records every call
// and repeats, at once, up to three times, a call that is safe to repeat
// and failed in a way worth repeating, or one that was throttled. Before
// a repeat it runs between, if set (a test ends a fault there).
type layer struct {
	mu      sync.Mutex
	calls   []target.Call
	tries   int // attempts made, repeats included
	between func()
}

func (l *layer) wrap(ctx context.Context, c target.Call, do func(context.Context) error) error {
	l.mu.Lock()
	l.calls = append(l.calls, c)
	l.mu.Unlock()
	var err error
	for range 3 {
		l.mu.Lock()
		l.tries++
		l.mu.Unlock()
		if err = do(ctx); err == nil || !(c.Idempotent && target.IsRetryable(err) || target.IsThrottled(err)) {
			return err
		}
		if l.between != nil {
			l.between()
		}
	}
	return err
}

// called lists the calls made as "METHOD path", with "!" after a call not
// safe to repeat.
func (l *layer) called() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, len(l.calls))
	for i, c := range l.calls {
		out[i] = c.Method + " " + c.Path
		if !c.Idempotent {
			out[i] += " !"
		}
	}
	return out
}

func (l *layer) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls, l.tries = nil, 0
}

// open opens a client on url through a fresh layer.
func open(t *testing.T, url string, mod ...func(*target.Config)) (*scim.Client, *layer) {
	t.Helper()
	l := &layer{}
	cfg := target.Config{URL: url, Token: token, UserAgent: "wpimport/test", PageSize: 2, Wrap: l.wrap}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := scim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, l
}

// emu starts the emulator in a SCIM profile and opens a client on it in
// the dialect of the same name (the emulator serves every profile on
// 127.0.0.1: no host tells the dialect).
func emu(t *testing.T, profile string, mod ...func(*target.Config)) (*emulator.Server, *scim.Client, *layer) {
	t.Helper()
	return emuWith(t, emulator.Config{SCIMProfile: profile}, mod...)
}

// emuWith starts the emulator as cfg says and opens a client on it in the
// dialect of its profile.
func emuWith(t *testing.T, cfg emulator.Config, mod ...func(*target.Config)) (*emulator.Server, *scim.Client, *layer) {
	t.Helper()
	srv := testkit.Emulator(t, cfg)
	c, l := open(t, srv.URL()+emulator.SCIMPrefix, append([]func(*target.Config){func(c *target.Config) {
		c.Token, c.PageSize, c.Dialect = srv.Token(), 100, cfg.SCIMProfile
	}}, mod...)...)
	return srv, c, l
}

// kindOf checks err is a *target.Error of kind k and returns it.
func kindOf(t *testing.T, err error, k target.Kind) *target.Error {
	t.Helper()
	te := target.As(err)
	if te == nil || te.Kind != k {
		t.Fatalf("want a %s error, got %#v (%v)", k, te, err)
	}
	if te.Target != "scim" {
		t.Fatalf("error's target %q", te.Target)
	}
	if strings.Contains(err.Error(), token) {
		t.Fatalf("the token is in the error: %v", err)
	}
	return te
}

// account finds one account by key, failing the test if it is missing.
func account(t *testing.T, c *scim.Client, k target.Key) *target.Account {
	t.Helper()
	got, err := c.Find(context.Background(), []target.Key{k})
	if err != nil {
		t.Fatal(err)
	}
	if got[k] == nil {
		t.Fatalf("%s not found", k)
	}
	return got[k]
}

// raw sends a request to the emulator behind the client's back, as
// another admin would.
func raw(t *testing.T, srv *emulator.Server, method, path, body string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL()+emulator.SCIMPrefix+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	req.Header.Set("User-Agent", "someone-else")
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
}

var errStop = errors.New("stop")
