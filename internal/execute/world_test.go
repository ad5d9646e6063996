package execute_test

import (
	"bytes"
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/rostergen"
	"github.com/wpimport/wpimport/internal/target"
	_ "github.com/wpimport/wpimport/internal/target/graph"
	_ "github.com/wpimport/wpimport/internal/target/scim"
	"github.com/wpimport/wpimport/internal/testkit"
	"github.com/wpimport/wpimport/internal/validate"
)

var instant = pace.Retry{Tries: 8, Base: time.Millisecond, Cap: time.Millisecond,
	Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}

// flavor is a target the tests run against: one side of the emulator.
type flavor struct {
	name    string // the subtest's name
	target  string // the registered target
	profile string // the emulator's SCIM profile
	prefix  string // the API's path on the emulator
	// Routes as the emulator's stats name them.
	create, phone string
	// refused is what the service says of a refused token.
	refused string
}

var (
	graphT = flavor{name: "graph", target: "graph", create: "POST /community/accounts", phone: "POST /{id}/phones",
		refused: "Invalid OAuth access token"}
	scimRFC = flavor{name: "scim-rfc", target: "scim", profile: emulator.ProfileRFC, prefix: emulator.SCIMPrefix,
		create: "SCIM POST /Users", phone: "SCIM PATCH /Users/{id}", refused: "Authorization failed"}
	scimMeta = flavor{name: "scim-meta", target: "scim", profile: emulator.ProfileMeta, prefix: emulator.SCIMPrefix,
		create: "SCIM POST /Users", phone: "SCIM PATCH /Users/{id}", refused: "Authorization failed"}
	// bothTargets are the Graph API and the SCIM API (RFC profile) of the
	// emulator: what tests of behaviour that is not one target's run on.
	bothTargets = []flavor{graphT, scimRFC}
)

// forEach runs fn as a subtest for each flavor.
func forEach(t *testing.T, fs []flavor, fn func(t *testing.T, f flavor)) {
	for _, f := range fs {
		t.Run(f.name, func(t *testing.T) { fn(t, f) })
	}
}

type world struct {
	f     flavor
	srv   *emulator.Server
	tgt   target.Target
	layer *pace.Layer
}

// newWorld starts an emulator and opens f's target on it through a pace
// layer: rate 5000/s, instant retries unless changed with open.
func newWorld(t testing.TB, f flavor, cfg emulator.Config) *world {
	t.Helper()
	cfg.SCIMProfile = f.profile
	srv := testkit.Emulator(t, cfg)
	w := &world{f: f, srv: srv}
	w.open(t, 5000, instant, srv.Token())
	return w
}

// open opens the target again with this rate, retry policy and token.
func (w *world) open(t testing.TB, rate float64, retry pace.Retry, token string) {
	t.Helper()
	w.tgt, w.layer = openAt(t, w.f, w.srv.URL(), token, rate, retry)
}

func openAt(t testing.TB, f flavor, url, token string, rate float64, retry pace.Retry) (target.Target, *pace.Layer) {
	t.Helper()
	tgt, layer, err := pace.Open(f.target, target.Config{URL: url + f.prefix, Token: token, UserAgent: "wpimport/test", Dialect: f.profile}, rate, retry)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tgt.Close() })
	return tgt, layer
}

// outside is the target opened with no layer: someone else's changes.
func (w *world) outside(t testing.TB) target.Target {
	t.Helper()
	tgt, err := target.Open(w.f.target, target.Config{URL: w.srv.URL() + w.f.prefix, Token: w.srv.Token(), UserAgent: "someone/else", Dialect: w.f.profile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tgt.Close() })
	return tgt
}

func (w *world) run(ctx context.Context, p *plan.Plan, opts execute.Options) (*execute.Result, error) {
	return execute.Run(ctx, w.tgt, w.layer, p, opts)
}

func (w *world) plan(t testing.TB, res *validate.Result, opts plan.Options) *plan.Plan {
	t.Helper()
	p, err := plan.Build(context.Background(), plan.Input{Result: res}, w.tgt, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// apply plans res and applies it, failing the test on any error.
func (w *world) apply(t *testing.T, res *validate.Result, opts plan.Options) (*plan.Plan, *execute.Result) {
	t.Helper()
	p := w.plan(t, res, opts)
	r, err := w.run(context.Background(), p, execute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p, r
}

// find reads the account with this key (email, external id or id)
// through an outside target, or nil.
func (w *world) find(t testing.TB, k target.Key) *target.Account {
	t.Helper()
	found, err := w.outside(t).Find(context.Background(), []target.Key{k})
	if err != nil {
		t.Fatal(err)
	}
	return found[k]
}

func (w *world) account(email string) *emulator.Account {
	for _, a := range w.srv.Snapshot().Accounts {
		if strings.EqualFold(a.Email, email) {
			return a
		}
	}
	return nil
}

// generated writes an n-person roster (rostergen) without the phone column
// unless phones is true, and validates it.
func generated(t testing.TB, n int, phones bool, variant int) *validate.Result {
	t.Helper()
	var b bytes.Buffer
	header := rostergen.Header
	if !phones {
		header = header[:12]
	}
	b.WriteString(strings.Join(header, ",") + "\n")
	for i := 0; i < n; i++ {
		b.WriteString(strings.Join(rostergen.Row(i, variant)[:len(header)], ",") + "\n")
	}
	return testkit.ValidateCSV(t, b.String())
}

// statuses counts the account outcomes by status.
func statuses(r *execute.Result) map[plan.Status]int { return r.Statuses(plan.KindAccount) }

// work counts the plan's changes with something to do.
func work(p *plan.Plan) int {
	n := 0
	for i := range p.Changes {
		if p.Changes[i].Runs() {
			n++
		}
	}
	return n
}

// changeOfRow is the change the plan made for roster row row, or nil.
func changeOfRow(p *plan.Plan, row int) *plan.Change {
	for _, e := range p.Rows {
		if e.Row == row && e.Change > 0 {
			return p.Change(e.Change)
		}
	}
	return nil
}

// changesOf is the plan's changes of kind k.
func changesOf(p *plan.Plan, k plan.Kind) []*plan.Change {
	var out []*plan.Change
	for i := range p.Changes {
		if p.Changes[i].Kind == k {
			out = append(out, &p.Changes[i])
		}
	}
	return out
}

// diffs renders a change's diffs by field: old → new.
func diffs(c *plan.Change) map[string][2]string {
	m := map[string][2]string{}
	for _, d := range c.Diffs() {
		m[d.Field] = [2]string{d.Old, d.New}
	}
	return m
}

// checkAccounts asserts that the emulator holds exactly one account per
// external id E0000000…E(n-1), with the right manager.
func checkAccounts(t *testing.T, w *world, n int) {
	t.Helper()
	st := w.srv.Snapshot()
	byExt := map[string]*emulator.Account{}
	for _, a := range st.Accounts {
		if byExt[a.ExternalID] != nil {
			t.Fatalf("external id %s created twice", a.ExternalID)
		}
		byExt[a.ExternalID] = a
	}
	if len(st.Accounts) != n {
		t.Fatalf("%d accounts, want %d", len(st.Accounts), n)
	}
	for i := 1; i < n; i++ {
		a, m := byExt[rostergen.ExternalID(i)], byExt[rostergen.ExternalID((i-1)/10)]
		if a == nil || m == nil || a.Manager != m.ID {
			t.Fatalf("person %d: manager not set right", i)
		}
	}
}

// setField changes one field of the account with this email, as someone
// else would, through the target.
func (w *world) setField(t *testing.T, email string, f roster.Field, v string) {
	t.Helper()
	a := w.find(t, target.Key{Kind: target.ByEmail, Value: email})
	if a == nil {
		t.Fatalf("no account %s", email)
	}
	to := a.Clone()
	to.Set(f, v)
	if _, err := w.outside(t).Update(context.Background(), target.Ref{ID: a.ID}, to, []roster.Field{f}); err != nil {
		t.Fatal(err)
	}
}

// cancelAfter cancels the run after n outcomes; hooks are called from
// several goroutines.
type cancelAfter struct {
	n      int64
	done   atomic.Int64
	cancel func()
}

func (c *cancelAfter) Start(int) {}
func (c *cancelAfter) OpDone(*execute.Outcome) {
	if c.done.Add(1) == c.n {
		c.cancel()
	}
}
func (c *cancelAfter) Finish()      {}
func (c *cancelAfter) Phase(string) {}
func (c *cancelAfter) Note(string)  {}

// onPhase calls its function for a phase when the run enters it.
type onPhase map[string]func()

func (h onPhase) Phase(name string) {
	if f := h[name]; f != nil {
		f()
	}
}
func (onPhase) Start(int)               {}
func (onPhase) OpDone(*execute.Outcome) {}
func (onPhase) Note(string)             {}
func (onPhase) Finish()                 {}
