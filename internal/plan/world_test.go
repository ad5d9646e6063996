package plan_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/target"
	_ "github.com/wpimport/wpimport/internal/target/graph"
	_ "github.com/wpimport/wpimport/internal/target/scim"
	"github.com/wpimport/wpimport/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite golden files")

var ctx = context.Background()

// kind is one target the plan tests run against: the emulator's Graph API
// or its SCIM API in a profile. Both read the same accounts, seeded in the
// emulator's state.
type kind struct {
	name    string // for subtests and golden files: graph, scim, meta
	target  string // registered target: graph or scim
	profile string // the emulator's SCIM profile, for scim
}

var (
	graphT = kind{"graph", "graph", ""}
	scimT  = kind{"scim", "scim", emulator.ProfileRFC}
	metaT  = kind{"meta", "scim", emulator.ProfileMeta}
)

// targets are the targets a test whose behaviour is not a target's own
// runs against.
var targets = []kind{graphT, scimT}

// each runs f once per target, as a subtest named by it.
func each(t *testing.T, f func(t *testing.T, k kind)) {
	for _, k := range targets {
		t.Run(k.name, func(t *testing.T) { f(t, k) })
	}
}

// world is an emulator with accounts, and a target opened on it.
type world struct {
	k   kind
	srv *emulator.Server
	tgt target.Target
	// cost sums the weight of the target's calls (Graph's ?ids= weighs a
	// call per id): what a pace layer counts against the rate budget.
	cost *atomic.Int64
}

func newWorld(t testing.TB, k kind, accounts ...*emulator.Account) *world {
	t.Helper()
	return newWorldCfg(t, k, emulator.Config{PageCap: 25}, accounts...)
}

func newWorldCfg(t testing.TB, k kind, cfg emulator.Config, accounts ...*emulator.Account) *world {
	t.Helper()
	if cfg.State == nil {
		cfg.State = &emulator.State{}
	}
	cfg.State.Accounts = append(cfg.State.Accounts, accounts...)
	cfg.SCIMProfile = k.profile
	srv := testkit.Emulator(t, cfg)
	w := &world{k: k, srv: srv, cost: &atomic.Int64{}}
	w.tgt = openOn(t, k, srv, func(ctx context.Context, c target.Call, do func(context.Context) error) error {
		w.cost.Add(int64(max(c.Weight, 1)))
		return do(ctx)
	})
	return w
}

// openOn opens target k on srv (another client of the same service),
// its calls through wrap if given.
func openOn(t testing.TB, k kind, srv *emulator.Server, wrap target.Wrap) target.Target {
	t.Helper()
	url := srv.URL()
	if k.target == "scim" {
		url += emulator.SCIMPrefix
	}
	tgt, err := target.Open(k.target, target.Config{URL: url, Token: srv.Token(), UserAgent: "wpimport/test", Wrap: wrap, Dialect: k.profile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tgt.Close() })
	return tgt
}

func (w *world) plan(t testing.TB, csv string, opts plan.Options) *plan.Plan {
	t.Helper()
	p, err := w.build(t, csv, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (w *world) build(t testing.TB, csv string, opts plan.Options) (*plan.Plan, error) {
	t.Helper()
	return plan.Build(ctx, plan.Input{Result: testkit.ValidateCSV(t, csv), ToolVersion: "test"}, w.tgt, opts)
}

// account reads an account as the emulator holds it.
func (w *world) account(t testing.TB, id string) *emulator.Account {
	t.Helper()
	for _, a := range w.srv.Snapshot().Accounts {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("no account %s", id)
	return nil
}

// writes lists the calls made to srv that are not reads.
func writes(srv *emulator.Server) []string {
	var out []string
	for route, n := range srv.Stats().ByRoute {
		r := strings.TrimPrefix(route, "SCIM ")
		if n > 0 && !strings.HasPrefix(r, "GET ") && r != "POST /Users/.search" {
			out = append(out, route)
		}
	}
	return out
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/plan -update)", err)
	}
	if got != string(want) {
		t.Errorf("plan differs from %s (go test ./internal/plan -update, then review the diff):\n%s", path, got)
	}
}

func acct(id, name, email, ext, title, mgr string, active bool) *emulator.Account {
	return &emulator.Account{ID: id, Name: name, Email: email, ExternalID: ext, Title: title, Manager: mgr, Active: active,
		WorkLocale: "en_US", DeactivateAt: time.Time{}}
}

// change returns the account change of roster row r (0: the first with no
// row, e.g. a --sync deactivation), or fails.
func change(t testing.TB, p *plan.Plan, row int) *plan.Change {
	t.Helper()
	for i := range p.Changes {
		if c := &p.Changes[i]; c.Kind == plan.KindAccount && c.Row == row {
			return c
		}
	}
	t.Fatalf("no change for row %d:\n%s", row, render(p))
	return nil
}

// changes lists the plan's changes of kind k.
func changes(p *plan.Plan, k plan.Kind) []*plan.Change {
	var out []*plan.Change
	for i := range p.Changes {
		if p.Changes[i].Kind == k {
			out = append(out, &p.Changes[i])
		}
	}
	return out
}

// diffOf is the change's diff of field f, as people read it ("old → new"),
// or "" if it has none.
func diffOf(c *plan.Change, f string) string {
	for _, d := range c.Diffs() {
		if d.Field == f {
			return d.Old + " → " + d.New
		}
	}
	return ""
}
