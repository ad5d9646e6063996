package execute_test

import (
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
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/testkit"
	"github.com/wpimport/wpimport/internal/validate"
)

// A token refused in the middle of a run, while creates whose answers were
// lost wait on their look-ups: the run stops, and no change is failed or
// journaled as done. Every cut-off change is not_attempted with its intent
// on disk, and a plain rerun with a good token makes every account once,
// looking up first those whose create may have gone through.
func TestFatalStopFailsNoRow(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		const n = 60
		w := newWorld(t, f, emulator.Config{Latency: 15 * time.Millisecond})
		p := w.plan(t, generated(t, n, false, 0), plan.Options{})
		w.srv.SetFaults(0, 1) // every write goes through, its answer is lost
		path := filepath.Join(t.TempDir(), "plan.journal")
		j, _, err := execute.OpenJournal(path, "p")
		if err != nil {
			t.Fatal(err)
		}
		// The token is revoked at the 12th lost answer, before the look-up
		// that would resolve it, while other workers' look-ups are in flight.
		var lost atomic.Int32
		w.layer.OnRetry = func(err error) {
			if lost.Add(1) == 12 {
				w.srv.SetToken("rotated-token")
			}
		}
		r1, err := w.run(context.Background(), p, execute.Options{Concurrency: 8, Journal: j})
		j.Close()
		if !target.IsFatal(err) || !target.IsFatal(r1.Fatal) {
			t.Fatalf("err = %v, want the token's fatal error", err)
		}
		s1 := statuses(r1)
		if s1[plan.Failed] != 0 || s1[plan.NotAttempted] == 0 || s1[plan.Created]+s1[plan.NotAttempted] != n {
			t.Fatalf("first run: %v; want only created and not_attempted", s1)
		}
		unknown := 0
		for _, o := range r1.Outcomes {
			if o.Status == plan.NotAttempted && !strings.Contains(o.Message, "the run stopped ("+f.refused) {
				t.Errorf("change %d: %q does not name the stop", o.Change, o.Message)
			}
			if strings.Contains(o.Message, "looks the account up first") {
				unknown++
			}
		}
		if unknown == 0 {
			t.Errorf("no create was cut off with its outcome unknown: the test proves nothing (%v)", s1)
		}
		j, resumed, err := execute.OpenJournal(path, "p")
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		for _, o := range r1.Outcomes {
			st := resumed[o.Change]
			switch {
			case o.Status == plan.NotAttempted && st != nil && st.Done != nil:
				t.Errorf("change %d is not_attempted but journaled %q", o.Change, st.Done.Status)
			case o.Status == plan.Created && (st == nil || st.Done == nil || st.Done.Status != plan.Created || st.Done.ObjectID != o.ObjectID):
				t.Errorf("change %d created but not journaled so: %+v", o.Change, st)
			}
		}

		// The plain rerun, with the token that works now.
		w.srv.SetFaults(0, 0)
		existing := len(w.srv.Snapshot().Accounts)
		w.srv.ResetStats()
		w.open(t, 5000, instant, "rotated-token")
		r2, err := w.run(context.Background(), p, execute.Options{Concurrency: 8, Journal: j, Resumed: resumed})
		if err != nil {
			t.Fatal(err)
		}
		if s := statuses(r2); s[plan.Created] != n {
			t.Fatalf("rerun: %v, want %d created", s, n)
		}
		checkAccounts(t, w, n)
		if got := w.srv.Stats().ByRoute[f.create]; got != n-existing {
			t.Errorf("the rerun sent %d creates for %d accounts missing: an account whose create went through was created again", got, n-existing)
		}
	})
}

// setsPlan plans n generated people and the people sets of spec (the rows
// of a people-sets csv, without its header) against w.
func setsPlan(t *testing.T, w *world, n int, spec string) *plan.Plan {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sets.csv")
	if err := os.WriteFile(path, []byte("people_set,field,operator,values,action\n"+spec), 0o600); err != nil {
		t.Fatal(err)
	}
	rd, err := parse.OpenPeopleSets(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	sets, _ := validate.ValidatePeopleSets(rd)
	p, err := plan.Build(context.Background(), plan.Input{Result: generated(t, n, false, 0), PeopleSets: sets}, w.tgt,
		plan.Options{SyncPeopleSets: true, MaxDeletePeopleSets: "1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range changesOf(p, plan.KindPeopleSet) {
		if s.Status() != plan.Planned {
			t.Fatalf("set %q: %s %v", s.Name, s.Status(), s.Issues)
		}
	}
	return p
}

// firstOf is the first change of kind k.
func firstOf(t *testing.T, p *plan.Plan, k plan.Kind) *plan.Change {
	t.Helper()
	cs := changesOf(p, k)
	if len(cs) == 0 {
		t.Fatalf("the plan has no %s change: %s", k, p.Summary())
	}
	return cs[0]
}

// A people set whose create answer is lost is found by name before any
// retry: created once, on the same run, never failed; a delete whose answer
// is lost is done, not "not found".
func TestPeopleSetLostAnswerCreatedOnce(t *testing.T) {
	w := newWorld(t, graphT, emulator.Config{State: &emulator.State{PeopleSets: []*emulator.PeopleSet{
		{ID: "100000000000901", Name: "Old set", Conditions: []emulator.Condition{{Field: "TITLE", Operator: "IS", Values: []string{"x"}}}},
	}}})
	p := setsPlan(t, w, 12, "Reports of person 1,MANAGER_RECURSIVE,IS,"+rostergen.Email(1)+"\nEngineers,DEPARTMENT,IS,Engineering\nSales,DEPARTMENT,IS,Sales\n")
	w.srv.SetFaults(0, 1) // every write's answer is lost
	r, err := w.run(context.Background(), p, execute.Options{Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(r); s[plan.Created] != 12 {
		t.Fatalf("accounts: %v", s)
	}
	got := map[string]plan.Status{}
	for _, s := range changesOf(p, plan.KindPeopleSet) {
		o := r.Outcomes[s.ID]
		got[s.Name] = o.Status
		if want := plan.DoneStatus(s.Action); o.Status != want {
			t.Errorf("set %q: %+v, want %s", s.Name, o, want)
		}
	}
	if len(got) != 4 {
		t.Fatalf("sets planned: %v", got)
	}
	names := map[string]int{}
	for _, s := range w.srv.Snapshot().PeopleSets {
		names[s.Name]++
	}
	if names["Reports of person 1"] != 1 || names["Engineers"] != 1 || names["Sales"] != 1 || names["Old set"] != 0 {
		t.Errorf("sets in the emulator: %v", names)
	}
	if st := w.srv.Stats(); st.ByRoute["POST /community/people_sets"] != 3 || st.Dropped < 3 {
		t.Errorf("%d set creates for 3 sets (%d answers lost): a set was created twice or retried blind",
			st.ByRoute["POST /community/people_sets"], st.Dropped)
	}
}

// A people set refused in one run is tried again by the plain rerun, as a
// group is; its journal record does not keep it failed.
func TestFailedPeopleSetRetriedOnRerun(t *testing.T) {
	w := newWorld(t, graphT, emulator.Config{})
	p := setsPlan(t, w, 5, "Engineers,DEPARTMENT,IS,Engineering\n")
	set := firstOf(t, p, plan.KindPeopleSet)
	path := filepath.Join(t.TempDir(), "plan.journal")
	j, _, _ := execute.OpenJournal(path, "p")
	w.srv.Refuse("POST /community/people_sets")
	r1, err := w.run(context.Background(), p, execute.Options{Journal: j})
	j.Close()
	if err != nil {
		t.Fatal(err)
	}
	if o := r1.Outcomes[set.ID]; o.Status != plan.Failed || o.Error == nil || o.Error.Code != "100" || !strings.Contains(o.Message, "refuse") {
		t.Fatalf("first run: %+v", o)
	}
	w.srv.Refuse("")
	j, resumed, _ := execute.OpenJournal(path, "p")
	defer j.Close()
	r2, err := w.run(context.Background(), p, execute.Options{Journal: j, Resumed: resumed})
	if err != nil {
		t.Fatal(err)
	}
	if o := r2.Outcomes[set.ID]; o.Status != plan.Created || o.ObjectID == "" {
		t.Fatalf("rerun: %+v", o)
	}
	if s := statuses(r2); s[plan.Created] != 5 {
		t.Errorf("accounts on the rerun: %v", s)
	}
	if n := len(w.srv.Snapshot().PeopleSets); n != 1 {
		t.Errorf("%d sets, want 1", n)
	}
}

// A set create cut off by a fatal stop is not_attempted, not journaled;
// the next run finds the set its lost create made and calls it created,
// not stale.
func TestPeopleSetCutOffThenFound(t *testing.T) {
	w := newWorld(t, graphT, emulator.Config{})
	p := setsPlan(t, w, 3, "Engineers,DEPARTMENT,IS,Engineering\n")
	set := firstOf(t, p, plan.KindPeopleSet)
	path := filepath.Join(t.TempDir(), "plan.journal")
	j, _, _ := execute.OpenJournal(path, "p")
	// The set's create goes through unanswered, then the token is refused:
	// the look-up that would resolve it stops the run.
	hooks := onPhase{execute.PhasePeopleSets: func() { w.srv.SetFaults(0, 1) }}
	w.layer.OnRetry = func(error) { w.srv.SetToken("rotated-token") }
	r1, err := w.run(context.Background(), p, execute.Options{Journal: j, Hooks: hooks})
	j.Close()
	if !target.IsFatal(err) {
		t.Fatalf("err = %v, want fatal", err)
	}
	o := r1.Outcomes[set.ID]
	if o.Status != plan.NotAttempted || !strings.Contains(o.Message, "looks the people set up first") {
		t.Fatalf("first run: %+v", o)
	}
	w.srv.SetFaults(0, 0)
	j, resumed, _ := execute.OpenJournal(path, "p")
	defer j.Close()
	if st := resumed[set.ID]; st == nil || !st.Intent || st.Done != nil {
		t.Fatalf("journal for the set: %+v, want its intent and no outcome", st)
	}
	w.open(t, 5000, instant, "rotated-token")
	r2, err := w.run(context.Background(), p, execute.Options{Journal: j, Resumed: resumed})
	if err != nil {
		t.Fatal(err)
	}
	if o := r2.Outcomes[set.ID]; o.Status != plan.Created || !strings.Contains(o.Message, "created once") {
		t.Fatalf("rerun: %+v", o)
	}
	if n := len(w.srv.Snapshot().PeopleSets); n != 1 {
		t.Errorf("%d sets, want 1", n)
	}
}

// A group create (SCIM) whose answer is lost, then cut off by a refused
// token, is not_attempted; the rerun finds the group its create made,
// calls it created (not stale) and fills it.
func TestGroupCutOffThenFound(t *testing.T) {
	w := newWorld(t, scimRFC, emulator.Config{})
	res := testkit.ValidateCSV(t, "name,email,external_id,groups\nAnn,ann@acme.example,E1,Engineering\nBob,bob@acme.example,E2,Engineering\n")
	p := w.plan(t, res, plan.Options{})
	group := firstOf(t, p, plan.KindGroup)
	if group.Action != plan.Create {
		t.Fatalf("plan: %s", p.Summary())
	}
	path := filepath.Join(t.TempDir(), "plan.journal")
	j, _, _ := execute.OpenJournal(path, "p")
	hooks := onPhase{execute.PhaseGroups: func() { w.srv.SetFaults(0, 1) }}
	w.layer.OnRetry = func(error) { w.srv.SetToken("rotated-token") }
	r1, err := w.run(context.Background(), p, execute.Options{Journal: j, Hooks: hooks})
	j.Close()
	if !target.IsFatal(err) {
		t.Fatalf("err = %v, want fatal", err)
	}
	if o := r1.Outcomes[group.ID]; o.Status != plan.NotAttempted || !strings.Contains(o.Message, "looks the group up first") {
		t.Fatalf("first run: %+v", o)
	}
	w.srv.SetFaults(0, 0)
	j, resumed, _ := execute.OpenJournal(path, "p")
	defer j.Close()
	w.open(t, 5000, instant, "rotated-token")
	r2, err := w.run(context.Background(), p, execute.Options{Journal: j, Resumed: resumed})
	if err != nil {
		t.Fatal(err)
	}
	if o := r2.Outcomes[group.ID]; o.Status != plan.Created || o.Added != 2 || o.ObjectID == "" {
		t.Fatalf("rerun: %+v", o)
	}
	groups := w.srv.SCIMView()["Groups"].([]any)
	if len(groups) != 1 {
		t.Errorf("%d groups, want 1: %v", len(groups), groups)
	}
}

// A journal that cannot be written stops the run before a people set is
// changed, as it does before an account change: nothing is done
// unrecorded.
func TestPeopleSetJournalErrorStops(t *testing.T) {
	w := newWorld(t, graphT, emulator.Config{})
	w.apply(t, generated(t, 3, false, 0), plan.Options{})
	p := setsPlan(t, w, 3, "Engineers,DEPARTMENT,IS,Engineering\n")
	if len(changesOf(p, plan.KindAccount)) != 0 || len(changesOf(p, plan.KindPeopleSet)) != 1 {
		t.Fatalf("plan: %s", p.Summary())
	}
	j, _, err := execute.OpenJournal(filepath.Join(t.TempDir(), "plan.journal"), "p")
	if err != nil {
		t.Fatal(err)
	}
	j.Close() // every write fails from now on
	r, err := w.run(context.Background(), p, execute.Options{Journal: j})
	if err == nil || !strings.Contains(err.Error(), "journal") {
		t.Fatalf("err = %v, want the journal's", err)
	}
	if o := r.Outcomes[firstOf(t, p, plan.KindPeopleSet).ID]; o.Status != plan.NotAttempted || !strings.Contains(o.Message, "write journal") {
		t.Errorf("set: %+v", o)
	}
	if n := len(w.srv.Snapshot().PeopleSets); n != 0 {
		t.Errorf("%d sets made with no journal record", n)
	}
}

// Ctrl-C stops new work and lets the calls in flight finish: every account
// made has its outcome; a second Ctrl-C (Abort) cancels the calls in
// flight too, and those changes are left for the next run to check.
func TestInterruptAndAbort(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{Latency: 300 * time.Millisecond})
		p := w.plan(t, generated(t, 20, false, 0), plan.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		r, err := w.run(ctx, p, execute.Options{Concurrency: 4, Hooks: &cancelAfter{n: 1, cancel: cancel}})
		if err != nil || !r.Interrupted {
			t.Fatalf("err = %v, interrupted %v", err, r.Interrupted)
		}
		s := statuses(r)
		if s[plan.Created] == 0 || s[plan.Created]+s[plan.NotAttempted] != 20 || s[plan.Created] != len(w.srv.Snapshot().Accounts) {
			t.Errorf("statuses %v, %d accounts made: want every call in flight finished and reported", s, len(w.srv.Snapshot().Accounts))
		}
		for _, o := range r.Outcomes {
			if o.Status == plan.NotAttempted && !strings.Contains(o.Message, "interrupted; run the same apply again") {
				t.Errorf("change %d: %q", o.Change, o.Message)
			}
		}

		p2 := w.plan(t, generated(t, 20, false, 0), plan.Options{})
		left := p2.Counts(plan.KindAccount)[plan.Create]
		ctx, cancel = context.WithCancel(context.Background())
		abort, cancelAbort := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		time.AfterFunc(60*time.Millisecond, cancelAbort)
		start := time.Now()
		r2, _ := w.run(ctx, p2, execute.Options{Concurrency: 4, Abort: abort})
		if el := time.Since(start); el >= 280*time.Millisecond {
			t.Errorf("the run took %v after Abort: the calls in flight (300 ms each) were not cancelled", el)
		}
		inFlight := 0
		for _, o := range r2.Outcomes {
			switch {
			case o.Status != plan.NotAttempted:
				t.Errorf("change %d: %s after Abort", o.Change, o.Status)
			case strings.Contains(o.Message, "interrupted in flight; the next run checks this account first"):
				inFlight++
			}
		}
		if inFlight == 0 || len(r2.Outcomes) != left || len(w.srv.Snapshot().Accounts) != s[plan.Created] {
			t.Errorf("%d changes cut off in flight of %d outcomes (%d creates planned): want the calls in flight cancelled", inFlight, len(r2.Outcomes), left)
		}
	})
}
