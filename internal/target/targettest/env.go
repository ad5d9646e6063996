package targettest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// env is one case: a fresh server and the target opened on it.
type env struct {
	t    *testing.T
	ctx  context.Context
	h    Harness
	srv  *Server
	tgt  target.Target
	rec  *recorder
	caps *target.Capabilities
	// opened are every target the case opened, each with its recorder.
	opened []opened
	n      int // people made, for unique keys
}

type opened struct {
	tgt target.Target
	rec *recorder
}

// start starts a server for the case and opens the target on it.
func start(t *testing.T, h Harness, o Options) *env {
	t.Helper()
	e := &env{t: t, ctx: t.Context(), h: h, srv: h.Start(t, o)}
	e.tgt, e.rec = e.open(e.srv.Config.Token, nil)
	caps, err := e.tgt.Capabilities(e.ctx)
	if err != nil {
		t.Fatalf("Capabilities: %v", err)
	}
	e.caps = caps
	t.Cleanup(e.checkCalls)
	return e
}

// open opens another target on the case's server with token, its calls
// recorded, through inner (a pace layer) if given.
func (e *env) open(token string, inner target.Wrap) (target.Target, *recorder) {
	e.t.Helper()
	rec := &recorder{}
	cfg := e.srv.Config
	cfg.Token = token
	cfg.Wrap = rec.wrap(inner)
	tgt, err := target.Open(e.h.Target, cfg)
	if err != nil {
		e.t.Fatalf("open %s on %s: %v", e.h.Target, cfg.URL, err)
	}
	e.t.Cleanup(func() { tgt.Close() })
	e.opened = append(e.opened, opened{tgt, rec})
	return tgt, rec
}

// instant is a retry policy with tries attempts and no waiting.
func instant(tries int) pace.Retry {
	return pace.Retry{Tries: tries, Base: time.Millisecond, Cap: time.Millisecond,
		Sleep: func(context.Context, time.Duration) error { return nil }}
}

// layered opens the target behind a pace layer retrying as r says.
func (e *env) layered(r pace.Retry) (target.Target, *recorder) {
	e.t.Helper()
	return e.open(e.srv.Config.Token, pace.New(1000, r).Wrap)
}

// faults returns the server's faults, or logs the case as not run.
func (e *env) faults() (Faults, bool) {
	if e.srv.Faults == nil {
		e.notRun("the server cannot stage faults")
		return nil, false
	}
	return e.srv.Faults, true
}

// notRun logs that a case (or part of one) does not apply here.
func (e *env) notRun(why string) {
	e.t.Helper()
	e.t.Logf("not run for %s: %s", e.h.Name, why)
}

// recorder is a target.Wrap that records every call and every attempt.
type recorder struct {
	mu       sync.Mutex
	calls    []target.Call // as described to Wrap
	attempts []target.Call // one per HTTP request
}

func (r *recorder) wrap(inner target.Wrap) target.Wrap {
	return func(ctx context.Context, c target.Call, do func(context.Context) error) error {
		r.mu.Lock()
		r.calls = append(r.calls, c)
		r.mu.Unlock()
		once := func(ctx context.Context) error {
			r.mu.Lock()
			r.attempts = append(r.attempts, c)
			r.mu.Unlock()
			return do(ctx)
		}
		if inner == nil {
			return once(ctx)
		}
		return inner(ctx, c, once)
	}
}

// mark is where the record stands now.
func (r *recorder) mark() (calls, attempts int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls), len(r.attempts)
}

// during runs f and returns the calls and attempts it made.
func (r *recorder) during(f func()) (calls, attempts []target.Call) {
	c0, a0 := r.mark()
	f()
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]target.Call(nil), r.calls[c0:]...), append([]target.Call(nil), r.attempts[a0:]...)
}

// checkCalls checks, after a case, that every HTTP call went through the
// Wrap and was described: the target's count, the recorder's and the
// server's agree, and every GET is safe to repeat.
func (e *env) checkCalls() {
	t := e.t
	total := 0
	for _, o := range e.opened {
		o.rec.mu.Lock()
		n, calls := len(o.rec.attempts), o.rec.calls
		o.rec.mu.Unlock()
		total += n
		if got := o.tgt.Calls(); got != int64(n) {
			t.Errorf("the target counts %d HTTP calls, and %d went through Config.Wrap: every call must go through it", got, n)
		}
		for _, c := range calls {
			if err := describedWell(c, e.srv.Config.Token); err != "" {
				t.Errorf("call %s %s: %s", c.Method, c.Path, err)
			}
		}
	}
	if e.srv.Requests != nil {
		if got := e.srv.Requests(); got != total {
			t.Errorf("the server received %d calls, and %d went through Config.Wrap: every call must go through it", got, total)
		}
	}
}

// describedWell says what is wrong with a call's description, or "".
func describedWell(c target.Call, token string) string {
	switch {
	case c.Method == "" || c.Path == "":
		return "the Call has no method or no path"
	case strings.ContainsAny(c.Path, "?#"):
		return "the Call's path carries a query: it is for messages"
	case token != "" && strings.Contains(c.Path, token):
		return "the Call's path carries the token"
	case (c.Method == "GET" || c.Method == "HEAD") && !c.Idempotent:
		return "a read is not described as safe to repeat (Idempotent)"
	case c.Weight < 0:
		return fmt.Sprintf("weight %d", c.Weight)
	}
	return ""
}

// person returns a new account to create, unique in the case: a name
// (given and family names too where the target carries them), an email,
// a user name where the target requires one (Slack: its userName is
// short, and not the email), and an external id where carried.
func (e *env) person() *target.Account {
	e.n++
	i := e.n
	a := &target.Account{Name: target.Name{Formatted: fmt.Sprintf("Pat Doe%03d", i)}, Active: true}
	if e.caps.CanCarry(roster.FirstName) {
		a.Name.Given = "Pat"
	}
	if e.caps.CanCarry(roster.LastName) {
		a.Name.Family = fmt.Sprintf("Doe%03d", i)
	}
	if e.caps.CanCarry(roster.Email) {
		a.Email = fmt.Sprintf("pat.doe%03d@acme.example", i)
	}
	if !e.caps.CanCarry(roster.Email) || slices.Contains(e.caps.Required, roster.UserName) {
		a.UserName = fmt.Sprintf("pat.doe%03d", i)
	}
	if e.caps.CanCarry(roster.ExternalID) {
		a.ExternalID = fmt.Sprintf("E%03d", i)
	}
	return a
}

// create creates a and returns it with the id the target gave.
func (e *env) create(a *target.Account) *target.Account {
	e.t.Helper()
	got, err := e.tgt.Create(e.ctx, a)
	if err != nil {
		e.t.Fatalf("Create %s: %v", a.Describe(), err)
	}
	if got == nil || got.ID == "" {
		e.t.Fatalf("Create %s returned no id: %+v", a.Describe(), got)
	}
	c := a.Clone()
	c.ID = got.ID
	return c
}

// keyOf is the key the suite reads a by: its id where the target looks
// ids up, else its email, userName or external id.
func (e *env) keyOf(a *target.Account) target.Key {
	for _, k := range []target.Key{{Kind: target.ByID, Value: a.ID}, {Kind: target.ByEmail, Value: a.Email},
		{Kind: target.ByUserName, Value: a.LoginName()}, {Kind: target.ByExternalID, Value: a.ExternalID}} {
		if k.Value != "" && e.caps.CanLookUp(k.Kind) {
			return k
		}
	}
	e.t.Fatalf("the target looks up none of %s's keys (LookupBy %v)", a.Describe(), e.caps.LookupBy)
	return target.Key{}
}

// read reads a back by keyOf(a).
func (e *env) read(a *target.Account) *target.Account {
	e.t.Helper()
	k := e.keyOf(a)
	m, err := e.tgt.Find(e.ctx, []target.Key{k})
	if err != nil {
		e.t.Fatalf("Find %s: %v", k, err)
	}
	got := m[k]
	if got == nil {
		e.t.Fatalf("Find %s: not found", k)
	}
	if a.ID != "" && got.ID != a.ID {
		e.t.Fatalf("Find %s: id %s, want %s", k, got.ID, a.ID)
	}
	return got
}

// list lists every account.
func (e *env) list(tgt target.Target) []target.Account {
	e.t.Helper()
	var all []target.Account
	if err := tgt.ListAll(e.ctx, func(p []target.Account) error { all = append(all, p...); return nil }); err != nil {
		e.t.Fatalf("ListAll: %v", err)
	}
	return all
}

// ref is a's reference, with the version it was read at.
func ref(a *target.Account) target.Ref { return target.Ref{ID: a.ID, Version: a.Version} }

// kindIs fails unless err is a *target.Error of one of kinds.
func kindIs(t *testing.T, what string, err error, kinds ...target.Kind) *target.Error {
	t.Helper()
	te := target.As(err)
	if te == nil {
		t.Errorf("%s: %v (%T), want a *target.Error of kind %v", what, err, err, kinds)
		return nil
	}
	for _, k := range kinds {
		if te.Kind == k {
			return te
		}
	}
	t.Errorf("%s: kind %v (%v), want %v", what, te.Kind, err, kinds)
	return te
}
