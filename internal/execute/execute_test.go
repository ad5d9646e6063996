package execute_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/parse"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/rostergen"
	"github.com/wpimport/wpimport/internal/testkit"
	"github.com/wpimport/wpimport/internal/validate"
	"github.com/wpimport/wpimport/internal/workplace"
)

var instant = execute.Retry{Tries: 8, Base: time.Millisecond, Cap: time.Millisecond,
	Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}

type world struct {
	srv    *emulator.Server
	client *workplace.Client
	layer  *execute.Layer
}

// newWorld starts an emulator and a layered client: rate 5000/s, instant
// retries unless changed with setLayer.
func newWorld(t testing.TB, cfg emulator.Config) *world {
	t.Helper()
	srv := testkit.Emulator(t, cfg)
	w := &world{srv: srv}
	w.setLayer(t, 5000, instant, srv.Token())
	return w
}

func (w *world) setLayer(t testing.TB, rate float64, retry execute.Retry, token string) {
	t.Helper()
	w.layer = execute.NewLayer(rate, retry)
	c, err := workplace.New(workplace.Config{BaseURL: w.srv.URL(), Token: token, Wrap: w.layer.Wrap})
	if err != nil {
		t.Fatal(err)
	}
	w.layer.Bind(c.Usage, c.BaseURL())
	w.client = c
}

func (w *world) run(ctx context.Context, p *plan.Plan, opts execute.Options) (*execute.Result, error) {
	return execute.Run(ctx, w.client, w.layer, p, opts)
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

func (w *world) plan(t testing.TB, res *validate.Result, opts plan.Options) *plan.Plan {
	t.Helper()
	p, err := plan.Build(context.Background(), plan.Input{Result: res}, w.client, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func statuses(r *execute.Result) map[string]int {
	m := map[string]int{}
	for _, o := range r.Outcomes {
		m[o.Status]++
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

func TestFreshMigration(t *testing.T) {
	w := newWorld(t, emulator.Config{})
	p := w.plan(t, generated(t, 500, true, 0), plan.Options{})
	r, err := w.run(context.Background(), p, execute.Options{Concurrency: 16})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(r); s["created"] != 500 {
		t.Fatalf("statuses = %v", s)
	}
	checkAccounts(t, w, 500)
	st := w.srv.Stats()
	if st.ByRoute["POST /community/accounts"] != 500 || st.ByRoute["POST /{id}/phones"] != 500 {
		t.Errorf("calls = %v: want one create and one phone per person", st.ByRoute)
	}
}

func TestQuarterlyUpdate(t *testing.T) {
	w := newWorld(t, emulator.Config{})
	first := w.plan(t, generated(t, 200, false, 0), plan.Options{})
	if _, err := w.run(context.Background(), first, execute.Options{Concurrency: 8}); err != nil {
		t.Fatal(err)
	}
	// Next quarter: 150 people, some with a new title (variant 1 shifts
	// every title, which --max-field-changes must be raised for), 50 leavers.
	res := generated(t, 150, false, 1)
	p := w.plan(t, res, plan.Options{Sync: true, MaxDeactivate: "30%", MaxFieldChanges: "100%"})
	c := p.Counts()
	if c[plan.Update] != 150 || c[plan.Deactivate] != 50 {
		t.Fatalf("plan = %s", p.Summary())
	}
	w.srv.ResetStats()
	r, err := w.run(context.Background(), p, execute.Options{Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(r); s["updated"] != 150 || s["deactivated"] != 50 {
		t.Fatalf("statuses = %v", s)
	}
	again := w.plan(t, res, plan.Options{Sync: true})
	if len(again.Ops) != 0 {
		t.Errorf("a third plan still has work: %s", again.Summary())
	}
}

// Lost responses and server errors never create an account twice and never
// lose a row.
func TestFaultsNoDuplicates(t *testing.T) {
	w := newWorld(t, emulator.Config{DropRate: 0.05, FailRate: 0.10, Seed: 7})
	p := w.plan(t, generated(t, 1000, false, 0), plan.Options{})
	r, err := w.run(context.Background(), p, execute.Options{Concurrency: 16})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(r); s["created"] != 1000 || len(r.Outcomes) != 1000 {
		t.Fatalf("statuses = %v", s)
	}
	checkAccounts(t, w, 1000)
	if st := w.srv.Stats(); st.Dropped == 0 || st.Faults == 0 {
		t.Errorf("no faults injected: %+v", st)
	}
}

func TestThrottledNoFailures(t *testing.T) {
	w := newWorld(t, emulator.Config{Rate: 200})
	p := w.plan(t, generated(t, 400, false, 0), plan.Options{})
	w.srv.ResetStats()
	retry := execute.DefaultRetry
	retry.Base, retry.Cap = 10*time.Millisecond, 200*time.Millisecond
	w.setLayer(t, 1000, retry, w.srv.Token())
	r, err := w.run(context.Background(), p, execute.Options{Concurrency: 16})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(r); s["created"] != 400 {
		t.Fatalf("statuses = %v", s)
	}
	if st := w.srv.Stats(); st.Throttled == 0 {
		t.Error("the server never throttled: the test proves nothing")
	}
	checkAccounts(t, w, 400)
}

func TestBadTokenAbortsFast(t *testing.T) {
	w := newWorld(t, emulator.Config{Latency: 5 * time.Millisecond})
	p := w.plan(t, generated(t, 300, false, 0), plan.Options{})
	w.setLayer(t, 5000, instant, "expired")
	w.srv.ResetStats()
	start := time.Now()
	r, err := w.run(context.Background(), p, execute.Options{Concurrency: 8})
	if !workplace.IsFatal(err) {
		t.Fatalf("err = %v, want fatal", err)
	}
	if st := w.srv.Stats(); st.Rejected > 16 {
		t.Errorf("%d calls after the first refusal; the run should stop at once", st.Rejected)
	}
	if s := statuses(r); s["not_attempted"]+s["failed"] != 300 {
		t.Errorf("statuses = %v: every row must be reported", s)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

func TestStaleOpsSkipped(t *testing.T) {
	w := newWorld(t, emulator.Config{})
	res := generated(t, 20, false, 0)
	first := w.plan(t, res, plan.Options{})
	w.run(context.Background(), first, execute.Options{})
	p := w.plan(t, generated(t, 20, false, 1), plan.Options{MaxFieldChanges: "100%"}) // every title changes
	// Someone edits person 3 after the plan.
	w.client.UpdateAccount(context.Background(), rostergen.Email(3), workplace.Fields{"department": "Moved"})
	r, err := w.run(context.Background(), p, execute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := statuses(r)
	if s["stale"] != 1 || s["updated"] != 19 {
		t.Errorf("statuses = %v", s)
	}
}

func TestJournalResume(t *testing.T) {
	w := newWorld(t, emulator.Config{Latency: 2 * time.Millisecond})
	p := w.plan(t, generated(t, 300, false, 0), plan.Options{})
	path := filepath.Join(t.TempDir(), "results.xlsx.journal")
	j, resumed, err := execute.OpenJournal(path, "plan-1")
	if err != nil || len(resumed) != 0 {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hooks := &cancelAfter{n: 100, cancel: cancel}
	r1, _ := w.run(ctx, p, execute.Options{Concurrency: 8, Journal: j, Hooks: hooks})
	j.Close()
	s1 := statuses(r1)
	if !r1.Interrupted || s1["not_attempted"] == 0 || s1["created"] < 100 || len(r1.Outcomes) != 300 {
		t.Fatalf("first run: %v interrupted=%v", s1, r1.Interrupted)
	}
	j, resumed, err = execute.OpenJournal(path, "plan-1")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	w.srv.ResetStats()
	r2, err := w.run(context.Background(), p, execute.Options{Concurrency: 8, Journal: j, Resumed: resumed})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(r2); s["created"] != 300 {
		t.Fatalf("second run: %v", s)
	}
	if got := w.srv.Stats().ByRoute["POST /community/accounts"]; got != s1["not_attempted"] {
		t.Errorf("second run made %d creates, want %d (only the ones not done)", got, s1["not_attempted"])
	}
	checkAccounts(t, w, 300)
	if _, _, err := execute.OpenJournal(path, "another-plan"); err == nil {
		t.Error("a journal of another plan was accepted")
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

func TestManagerFailureCascades(t *testing.T) {
	w := newWorld(t, emulator.Config{})
	p := w.plan(t, generated(t, 12, false, 0), plan.Options{})
	// Someone takes person 1's email before apply: its create goes stale,
	// and person 11, who reports to person 1, cannot be created under it.
	w.client.CreateAccount(context.Background(), workplace.Fields{"name": "Squatter", "email": rostergen.Email(1)})
	r, _ := w.run(context.Background(), p, execute.Options{})
	byRow := map[int]*execute.Outcome{}
	for _, op := range p.Ops {
		byRow[op.Row] = r.Outcomes[op.ID]
	}
	if o := byRow[3]; o.Status != "stale" {
		t.Errorf("person 1: %+v", o)
	}
	if o := byRow[13]; o.Status != "failed" || !strings.Contains(o.Message, "has no account") {
		t.Errorf("person 11: %+v", o)
	}
}

func TestPeopleSetWithNewManager(t *testing.T) {
	w := newWorld(t, emulator.Config{State: &emulator.State{PeopleSets: []*emulator.PeopleSet{
		{ID: "100000000000901", Name: "Stale set", Conditions: []emulator.Condition{{Field: "TITLE", Operator: "IS", Values: []string{"x"}}}},
	}}})
	res := generated(t, 30, false, 0)
	sets := filepath.Join(t.TempDir(), "sets.csv")
	os.WriteFile(sets, []byte("people_set,field,operator,values\n"+
		"Reports of person 1,MANAGER_RECURSIVE,IS,"+rostergen.Email(1)+"\n"+
		"Engineers,DEPARTMENT,IS,Engineering\n"+
		"Ghost reports,MANAGER,IS,ghost@nowhere.example\n"), 0o600)
	rd, err := parse.OpenPeopleSets(sets, "")
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := validate.ValidatePeopleSets(rd)
	rd.Close()
	p, err := plan.Build(context.Background(), plan.Input{Result: res, PeopleSets: ps}, w.client,
		plan.Options{SyncPeopleSets: true, MaxDeletePeopleSets: "1"})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]string{}
	for _, s := range p.PeopleSets {
		actions[s.Name] = string(s.Action) + "/" + s.Status
	}
	if actions["Reports of person 1"] != "create/planned" || actions["Ghost reports"] != "skip/invalid" || actions["Stale set"] != "delete/planned" {
		t.Fatalf("set plan = %v", actions)
	}
	r, err := w.run(context.Background(), p, execute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*emulator.PeopleSet{}
	for _, s := range w.srv.Snapshot().PeopleSets {
		byName[s.Name] = s
	}
	var boss string
	for _, a := range w.srv.Snapshot().Accounts {
		if a.Email == rostergen.Email(1) {
			boss = a.ID
		}
	}
	got := byName["Reports of person 1"]
	if got == nil || got.Conditions[0].Values[0] != boss || boss == "" {
		t.Fatalf("set = %+v, want the new manager's id %s", got, boss)
	}
	if byName["Stale set"] != nil || byName["Engineers"] == nil || byName["Ghost reports"] != nil {
		t.Errorf("sets after apply: %v", byName)
	}
	n := 0
	for _, o := range r.Sets {
		if o.Status == "created" || o.Status == "deleted" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("set outcomes: %+v", r.Sets)
	}
}

// A create whose outcome stays unknown is left in flight, never reported
// done: the next run looks the account up before creating it.
func TestUnknownOutcomeStaysInFlight(t *testing.T) {
	down := newWorld(t, emulator.Config{FailRate: 1})
	healthy := newWorld(t, emulator.Config{})
	p := healthy.plan(t, generated(t, 5, false, 0), plan.Options{})
	path := filepath.Join(t.TempDir(), "r.journal")
	j, _, _ := execute.OpenJournal(path, "p")
	r1, _ := down.run(context.Background(), p, execute.Options{Journal: j})
	j.Close()
	for _, o := range r1.Outcomes {
		if o.Status != "not_attempted" || !strings.Contains(o.Message, "run apply again") {
			t.Fatalf("outcome = %+v", o)
		}
	}
	j, resumed, _ := execute.OpenJournal(path, "p")
	defer j.Close()
	for id, st := range resumed {
		if !st.Intent || st.Done != nil {
			t.Errorf("op %d in the journal: %+v, want an intent and no outcome", id, st)
		}
	}
	healthy.srv.ResetStats()
	r2, err := healthy.run(context.Background(), p, execute.Options{Journal: j, Resumed: resumed})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(r2); s["created"] != 5 {
		t.Errorf("second run: %v", s)
	}
	// Only the top manager's create was in flight (its reports waited for
	// it): exactly that one is looked up before it is created.
	if len(resumed) != 1 {
		t.Errorf("journal holds %d ops, want 1 in flight", len(resumed))
	}
	if st := healthy.srv.Stats(); st.ByRoute["GET /community/members"] != 1 || st.ByRoute["POST /community/accounts"] != 5 {
		t.Errorf("second run calls: %v", st.ByRoute)
	}
}

// Plain progress lines count every finished op, show the phase, failures
// and throttles, and take their pace from this run alone.
func TestProgressLines(t *testing.T) {
	var buf testkit.SyncBuffer
	l := execute.NewLines(&buf, time.Hour, func() int { return 7 })
	l.Start(10)
	for i := 1; i <= 4; i++ {
		l.OpDone(&execute.Outcome{Op: i, Status: execute.StatusCreated, Resumed: true}) // an earlier run's
	}
	l.Phase(execute.PhaseApplying)
	l.OpDone(&execute.Outcome{Op: 5, Status: execute.StatusFailed})
	l.OpDone(&execute.Outcome{Op: 6, Status: execute.StatusStale})
	l.Note("retrying: no answer (connection refused)")
	l.Finish()
	got := buf.String()
	for _, want := range []string{"6/10 ops (60%)", "applying", "1 failed", "7 throttled", "retrying: no answer"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress line lacks %q: %s", want, got)
		}
	}
	if strings.Contains(got, "ops/s") {
		t.Errorf("a pace after less than a second of this run's own work: %s", got)
	}
}
