package execute_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/parse"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/rostergen"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/testkit"
	"github.com/wpimport/wpimport/internal/validate"
)

func TestFreshMigration(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{})
		p := w.plan(t, generated(t, 500, true, 0), plan.Options{})
		w.srv.ResetStats()
		r, err := w.run(context.Background(), p, execute.Options{Concurrency: 16})
		if err != nil {
			t.Fatal(err)
		}
		if s := statuses(r); s[plan.Created] != 500 {
			t.Fatalf("statuses = %v", s)
		}
		checkAccounts(t, w, 500)
		st := w.srv.Stats()
		if st.ByRoute[f.create] != 500 || st.ByRoute[f.phone] != 500 {
			t.Errorf("calls = %v: want one create and one phone per person", st.ByRoute)
		}
		for _, o := range r.Outcomes {
			if o.Attempts != 1 || o.Calls != 2 || o.ObjectID == "" || o.After == nil || o.After.ID != o.ObjectID || o.Version == "" {
				t.Fatalf("outcome %+v: want 1 attempt, 2 calls, the account made and its version", o)
			}
		}
	})
}

func TestQuarterlyUpdate(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{})
		first := w.plan(t, generated(t, 200, false, 0), plan.Options{})
		if _, err := w.run(context.Background(), first, execute.Options{Concurrency: 8}); err != nil {
			t.Fatal(err)
		}
		// Next quarter: 150 people, some with a new title (variant 1 shifts
		// every title, which --max-field-changes must be raised for), 50 leavers.
		res := generated(t, 150, false, 1)
		p := w.plan(t, res, plan.Options{Sync: true, MaxDeactivate: "30%", MaxFieldChanges: "100%"})
		c := p.Counts(plan.KindAccount)
		if c[plan.Update] != 150 || c[plan.Deactivate] != 50 {
			t.Fatalf("plan = %s", p.Summary())
		}
		w.srv.ResetStats()
		r, err := w.run(context.Background(), p, execute.Options{Concurrency: 8})
		if err != nil {
			t.Fatal(err)
		}
		if s := statuses(r); s[plan.Updated] != 150 || s[plan.Deactivated] != 50 {
			t.Fatalf("statuses = %v", s)
		}
		again := w.plan(t, res, plan.Options{Sync: true})
		if n := work(again); n != 0 {
			t.Errorf("a third plan still has work: %s", again.Summary())
		}
	})
}

// Lost responses and server errors never create an account twice and never
// lose a row.
func TestFaultsNoDuplicates(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{DropRate: 0.05, FailRate: 0.10, Seed: 7})
		p := w.plan(t, generated(t, 1000, false, 0), plan.Options{})
		r, err := w.run(context.Background(), p, execute.Options{Concurrency: 16})
		if err != nil {
			t.Fatal(err)
		}
		if s := statuses(r); s[plan.Created] != 1000 || len(r.Outcomes) != 1000 {
			t.Fatalf("statuses = %v", s)
		}
		checkAccounts(t, w, 1000)
		if st := w.srv.Stats(); st.Dropped == 0 || st.Faults == 0 {
			t.Errorf("no faults injected: %+v", st)
		}
	})
}

func TestThrottledNoFailures(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{Rate: 200})
		p := w.plan(t, generated(t, 400, false, 0), plan.Options{})
		w.srv.ResetStats()
		retry := pace.DefaultRetry
		retry.Base, retry.Cap = 10*time.Millisecond, 200*time.Millisecond
		w.open(t, 1000, retry, w.srv.Token())
		r, err := w.run(context.Background(), p, execute.Options{Concurrency: 16})
		if err != nil {
			t.Fatal(err)
		}
		if s := statuses(r); s[plan.Created] != 400 {
			t.Fatalf("statuses = %v", s)
		}
		if st := w.srv.Stats(); st.Throttled == 0 || r.Throttles == 0 {
			t.Errorf("the server never throttled (%d, the run counted %d): the test proves nothing", st.Throttled, r.Throttles)
		}
		checkAccounts(t, w, 400)
	})
}

func TestBadTokenAbortsFast(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{Latency: 5 * time.Millisecond})
		p := w.plan(t, generated(t, 300, false, 0), plan.Options{})
		w.open(t, 5000, instant, "expired")
		w.srv.ResetStats()
		start := time.Now()
		r, err := w.run(context.Background(), p, execute.Options{Concurrency: 8})
		if !target.IsFatal(err) || !strings.Contains(err.Error(), f.refused) {
			t.Fatalf("err = %v, want fatal", err)
		}
		if st := w.srv.Stats(); st.Rejected > 16 {
			t.Errorf("%d calls after the first refusal; the run should stop at once", st.Rejected)
		}
		if s := statuses(r); s[plan.NotAttempted]+s[plan.Failed] != 300 || s[plan.Failed] != 0 {
			t.Errorf("statuses = %v: every row must be reported, none failed", s)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("took %v", time.Since(start))
		}
	})
}

func TestStaleChangesSkipped(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{})
		w.apply(t, generated(t, 20, false, 0), plan.Options{})
		p := w.plan(t, generated(t, 20, false, 1), plan.Options{MaxFieldChanges: "100%"}) // every title changes
		// Someone edits person 3 after the plan.
		w.setField(t, rostergen.Email(3), roster.Department, "Moved")
		r, err := w.run(context.Background(), p, execute.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s := statuses(r)
		if s[plan.Stale] != 1 || s[plan.Updated] != 19 {
			t.Errorf("statuses = %v", s)
		}
		o := r.Outcomes[changeOfRow(p, 5).ID]
		if want := "department: " + rostergen.Row(3, 0)[4] + " → Moved"; o.Status != plan.Stale || !strings.Contains(o.Message, want) {
			t.Errorf("person 3: %+v", o)
		}
		if a := w.account(rostergen.Email(3)); a.Department != "Moved" || a.Title != rostergen.Row(3, 0)[3] {
			t.Errorf("person 3 after apply: %+v, want the edit kept and the title not changed", a)
		}
	})
}

func TestJournalResume(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{Latency: 2 * time.Millisecond})
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
		if !r1.Interrupted || s1[plan.NotAttempted] == 0 || s1[plan.Created] < 100 || len(r1.Outcomes) != 300 {
			t.Fatalf("first run: %v interrupted=%v", s1, r1.Interrupted)
		}
		j, resumed, err = execute.OpenJournal(path, "plan-1")
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		if kept, left := execute.Resume(p, resumed, false); kept != s1[plan.Created] || left != 300-kept {
			t.Errorf("Resume = %d kept, %d left; the first run created %d", kept, left, s1[plan.Created])
		}
		w.srv.ResetStats()
		r2, err := w.run(context.Background(), p, execute.Options{Concurrency: 8, Journal: j, Resumed: resumed})
		if err != nil {
			t.Fatal(err)
		}
		if s := statuses(r2); s[plan.Created] != 300 {
			t.Fatalf("second run: %v", s)
		}
		resumedN := 0
		for _, o := range r2.Outcomes {
			if o.Resumed {
				resumedN++
			}
		}
		if resumedN != s1[plan.Created] {
			t.Errorf("%d outcomes taken from the journal, want %d", resumedN, s1[plan.Created])
		}
		if got := w.srv.Stats().ByRoute[f.create]; got != s1[plan.NotAttempted] {
			t.Errorf("second run made %d creates, want %d (only the ones not done)", got, s1[plan.NotAttempted])
		}
		checkAccounts(t, w, 300)
		if _, _, err := execute.OpenJournal(path, "another-plan"); err == nil {
			t.Error("a journal of another plan was accepted")
		}
	})
}

func TestManagerFailureCascades(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{})
		p := w.plan(t, generated(t, 12, false, 0), plan.Options{})
		// Someone takes person 1's email before apply: its create goes stale,
		// and person 11, who reports to person 1, cannot be created under it.
		squatter := &target.Account{Name: target.Name{Formatted: "Squatter", Given: "S", Family: "Quatter"}, Email: rostergen.Email(1), Active: true}
		if _, err := w.outside(t).Create(context.Background(), squatter); err != nil {
			t.Fatal(err)
		}
		r, _ := w.run(context.Background(), p, execute.Options{})
		if o := r.Outcomes[changeOfRow(p, 3).ID]; o.Status != plan.Stale || !strings.Contains(o.Message, "already exists") {
			t.Errorf("person 1: %+v", o)
		}
		if o := r.Outcomes[changeOfRow(p, 13).ID]; o.Status != plan.Failed || !strings.Contains(o.Message, "has no account") {
			t.Errorf("person 11: %+v", o)
		}
	})
}

func TestPeopleSetWithNewManager(t *testing.T) {
	w := newWorld(t, graphT, emulator.Config{State: &emulator.State{PeopleSets: []*emulator.PeopleSet{
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
	p, err := plan.Build(context.Background(), plan.Input{Result: res, PeopleSets: ps}, w.tgt,
		plan.Options{SyncPeopleSets: true, MaxDeletePeopleSets: "1"})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]string{}
	for _, s := range changesOf(p, plan.KindPeopleSet) {
		actions[s.Name] = string(s.Action) + "/" + string(s.Status())
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
	boss := w.account(rostergen.Email(1))
	got := byName["Reports of person 1"]
	if got == nil || boss == nil || got.Conditions[0].Values[0] != boss.ID {
		t.Fatalf("set = %+v, want the new manager's id", got)
	}
	if byName["Stale set"] != nil || byName["Engineers"] == nil || byName["Ghost reports"] != nil {
		t.Errorf("sets after apply: %v", byName)
	}
	s := r.Statuses(plan.KindPeopleSet)
	if s[plan.Created]+s[plan.Deleted] != 3 || s[plan.Skipped] != 1 {
		t.Errorf("set outcomes: %v", s)
	}
	for _, c := range changesOf(p, plan.KindPeopleSet) {
		if o := r.Outcomes[c.ID]; o.Status == plan.Created && (o.ObjectID != byName[c.Name].ID || o.Kind != plan.KindPeopleSet) {
			t.Errorf("set %q: %+v, want its id", c.Name, o)
		}
	}
}

// A create whose outcome stays unknown is left in flight, never reported
// done: the next run looks the account up before creating it.
func TestUnknownOutcomeStaysInFlight(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{})
		p := w.plan(t, generated(t, 5, false, 0), plan.Options{})
		path := filepath.Join(t.TempDir(), "r.journal")
		j, _, _ := execute.OpenJournal(path, "p")
		w.srv.SetFaults(1, 0) // the service is down: every call fails, with no effect
		r1, _ := w.run(context.Background(), p, execute.Options{Journal: j})
		j.Close()
		w.srv.SetFaults(0, 0)
		for _, o := range r1.Outcomes {
			if o.Status != plan.NotAttempted || !strings.Contains(o.Message, "run apply again") {
				t.Fatalf("outcome = %+v", o)
			}
		}
		j, resumed, _ := execute.OpenJournal(path, "p")
		defer j.Close()
		for id, st := range resumed {
			if !st.Intent || st.Done != nil {
				t.Errorf("change %d in the journal: %+v, want an intent and no outcome", id, st)
			}
		}
		// Only the top manager's create was in flight (its reports waited for
		// it): exactly that one is looked up before it is created.
		if len(resumed) != 1 || resumed[changeOfRow(p, 2).ID] == nil {
			t.Errorf("journal holds %d changes, want the top manager's in flight", len(resumed))
		}
		w.srv.ResetStats()
		r2, err := w.run(context.Background(), p, execute.Options{Journal: j, Resumed: resumed})
		if err != nil {
			t.Fatal(err)
		}
		if s := statuses(r2); s[plan.Created] != 5 {
			t.Errorf("second run: %v", s)
		}
		st := w.srv.Stats()
		if st.ByRoute[f.create] != 5 {
			t.Errorf("second run calls: %v", st.ByRoute)
		}
		if o := r2.Outcomes[changeOfRow(p, 2).ID]; o.Calls <= o.Attempts || o.Attempts != 1 {
			t.Errorf("the top manager: %+v, want its look-up counted before its one create", o)
		}
		if f == graphT && st.ByRoute["GET /community/members"] != 1 {
			t.Errorf("second run calls: %v, want one look-up by external id", st.ByRoute)
		}
	})
}

// Plain progress lines count every finished change, show the phase,
// failures and throttles, and take their pace from this run alone.
func TestProgressLines(t *testing.T) {
	var buf testkit.SyncBuffer
	l := execute.NewLines(&buf, time.Hour, func() int { return 7 })
	l.Start(10)
	for i := 1; i <= 4; i++ {
		l.OpDone(&execute.Outcome{Change: i, Status: plan.Created, Resumed: true}) // an earlier run's
	}
	l.Phase(execute.PhaseApplying)
	l.OpDone(&execute.Outcome{Change: 5, Status: plan.Failed})
	l.OpDone(&execute.Outcome{Change: 6, Status: plan.Stale})
	l.OpDone(&execute.Outcome{Change: 7, Status: plan.NotAttempted})
	l.Note("retrying: no answer (connection refused)")
	l.Finish()
	got := buf.String()
	for _, want := range []string{"6/10 changes (60%)", "applying", "1 failed", "7 throttled", "retrying: no answer"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress line lacks %q: %s", want, got)
		}
	}
	if strings.Contains(got, "changes/s") {
		t.Errorf("a pace after less than a second of this run's own work: %s", got)
	}
}
