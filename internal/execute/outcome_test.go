package execute_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/rostergen"
	"github.com/wpimport/wpimport/internal/target"
)

// A SCIM service's 409 is reported as the service said it: kind conflict,
// its status, its scimType "uniqueness" and its words, never as a Graph
// code.
func TestSCIMConflictKeepsServiceWords(t *testing.T) {
	w := newWorld(t, scimRFC, emulator.Config{State: &emulator.State{Accounts: []*emulator.Account{
		{ID: "100000000000001", Name: "Ana", Email: "ana@old.example", ExternalID: "E1", Active: true},
	}}})
	p := w.plan(t, rosterCSV(t, "name,email,external_id,new_email\nAna,ana@old.example,E1,ana@new.example\n", nil), plan.Options{})
	c := changeOfRow(p, 2)
	if c == nil || c.Action != plan.Update {
		t.Fatalf("plan: %s", p.Summary())
	}
	// Someone takes the new address after the plan.
	squatter := &target.Account{Name: target.Name{Formatted: "Squatter"}, Email: "ana@new.example", Active: true}
	if _, err := w.outside(t).Create(context.Background(), squatter); err != nil {
		t.Fatal(err)
	}
	r, err := w.run(context.Background(), p, execute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := r.Outcomes[c.ID]
	e := o.Error
	if o.Status != plan.Failed || e == nil || e.Kind != "conflict" || e.Code != "uniqueness" || e.Status != 409 || e.Target != "scim" {
		t.Fatalf("outcome %+v, error %+v: want failed, conflict, 409, uniqueness", o, e)
	}
	if !strings.Contains(e.Message, "ana@new.example") || strings.Contains(e.Message, "(#100)") || o.Message != e.Message {
		t.Errorf("message %q (outcome %q): want the service's words", e.Message, o.Message)
	}
	if a := w.account("ana@old.example"); a == nil {
		t.Error("Ana's email changed though the service refused it")
	}
}

// An update sends the version the plan read: someone's change after the
// plan that the stale check cannot see (a second phone) makes the service
// refuse it (412), and the change is stale with nothing overwritten. This
// replaces the SCIM client's pinned versions.
func TestSCIMStaleVersionOverwritesNothing(t *testing.T) {
	w := newWorld(t, scimRFC, emulator.Config{State: &emulator.State{Accounts: []*emulator.Account{
		{ID: "100000000000001", Name: "Ana", Email: "ana@acme.example", ExternalID: "E1", Title: "Lead", Active: true,
			Phones: []emulator.Phone{{Number: "+442079460001", Type: "work", Primary: true}}},
	}}})
	p := w.plan(t, rosterCSV(t, "name,email,external_id,title\nAna,ana@acme.example,E1,Director\n", nil), plan.Options{})
	c := changeOfRow(p, 2)
	if c == nil || c.Action != plan.Update || c.Before.Version == "" {
		t.Fatalf("plan: %s; want an update with the version read", p.Summary())
	}
	err := w.outside(t).AddPhone(context.Background(), target.Ref{ID: c.AccountID}, target.Phone{Number: "+447700900123", Type: "mobile"})
	if err != nil {
		t.Fatal(err)
	}
	if now := w.find(t, target.Key{Kind: target.ByID, Value: c.AccountID}); now.Version == c.Before.Version || plan.Fingerprint(now) != c.Fingerprint {
		t.Fatalf("the second phone should change the version (%q → %q) and not the fingerprint", c.Before.Version, now.Version)
	}
	r, err := w.run(context.Background(), p, execute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := r.Outcomes[c.ID]
	if o.Status != plan.Stale || o.Error == nil || o.Error.Status != 412 || o.Error.Kind != "precondition failed" ||
		!strings.Contains(o.Message, "nothing was overwritten") {
		t.Fatalf("outcome %+v, error %+v: want stale after a 412", o, o.Error)
	}
	if a := w.account("ana@acme.example"); a.Title != "Lead" || len(a.Phones) != 2 {
		t.Errorf("Ana after apply: title %q, %d phones; want Lead and both phones", a.Title, len(a.Phones))
	}
}

// A phone added whose answer was lost, then cut off by a refused token
// before the look-up that would tell, leaves the change partial; the rerun
// finds the number on the account and does not add it again.
func TestLostPhoneAnswerNotAddedTwice(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{State: &emulator.State{Accounts: []*emulator.Account{
			{ID: "100000000000001", Name: "Ana", Email: "ana@acme.example", ExternalID: "E1", Active: true},
		}}})
		p := w.plan(t, rosterCSV(t, "name,email,external_id,phone\nAna,ana@acme.example,E1,+44 20 7946 0001\n", nil), plan.Options{})
		c := changeOfRow(p, 2)
		if c == nil || len(c.Phones) != 1 || len(c.Fields) != 0 {
			t.Fatalf("plan: %s; want a phone to add and nothing else", p.Summary())
		}
		path := filepath.Join(t.TempDir(), "plan.journal")
		j, _, _ := execute.OpenJournal(path, "p")
		w.srv.DropNext(1)
		w.layer.OnRetry = func(error) { w.srv.SetToken("rotated-token") }
		r1, err := w.run(context.Background(), p, execute.Options{Journal: j})
		j.Close()
		if !target.IsFatal(err) {
			t.Fatalf("err = %v, want the token's", err)
		}
		o := r1.Outcomes[c.ID]
		if o.Status != plan.Partial || !slices.Equal(o.Steps, []string{"phone:+442079460001"}) || !strings.Contains(o.Message, "cut off by the run's stop") {
			t.Fatalf("first run: %+v", o)
		}
		if a := w.account("ana@acme.example"); len(a.Phones) != 1 {
			t.Fatalf("the lost add did not go through: %+v", a.Phones)
		}
		j, resumed, _ := execute.OpenJournal(path, "p")
		defer j.Close()
		w.open(t, 5000, instant, "rotated-token")
		w.srv.ResetStats()
		r2, err := w.run(context.Background(), p, execute.Options{Journal: j, Resumed: resumed})
		if err != nil {
			t.Fatal(err)
		}
		if o := r2.Outcomes[c.ID]; o.Status != plan.Updated || len(o.Steps) != 0 || !strings.Contains(o.Message, "remaining steps were done") {
			t.Errorf("rerun: %+v", o)
		}
		if n := w.srv.Stats().ByRoute[f.phone]; n != 0 {
			t.Errorf("the rerun sent %d phone adds for a number the account has", n)
		}
		if a := w.account("ana@acme.example"); len(a.Phones) != 1 || a.Phones[0].Number != "+442079460001" {
			t.Errorf("Ana's phones: %+v", a.Phones)
		}
	})
}

// Outcome.After is the account as the write left it: on every field the
// change set it reads back the same, the manager by id; where the service
// answers with the account, Version is the version it shows.
func TestAfterIsTheAccountAsWritten(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{State: &emulator.State{Accounts: []*emulator.Account{
			{ID: "100000000000001", Name: "Ana", Email: "ana@acme.example", ExternalID: "E1", Title: "Lead", Department: "Ops", Active: true},
			{ID: "100000000000002", Name: "Bo", Email: "bo@acme.example", ExternalID: "E2", Active: true},
			{ID: "100000000000003", Name: "Cy", Email: "cy@acme.example", ExternalID: "E3", Title: "Analyst", Manager: "100000000000001", Active: true},
		}}})
		p, r := w.apply(t, rosterCSV(t, "name,email,external_id,title,department,manager\n"+
			"Ana,ana@acme.example,E1,Director,Sales,\n"+
			"Bo,bo@acme.example,E2,,,\n"+
			"Cy,cy@acme.example,E3,Engineer,,E2\n"+
			"Dee,dee@acme.example,E4,Designer,Sales,E5\n"+
			"Eve,eve@acme.example,E5,Manager,Sales,E1\n", nil), plan.Options{})
		if c := p.Counts(plan.KindAccount); c[plan.Update] != 2 || c[plan.Create] != 2 {
			t.Fatalf("plan: %s", p.Summary())
		}
		for _, c := range changesOf(p, plan.KindAccount) {
			o := r.Outcomes[c.ID]
			if !o.Status.Done() || o.After == nil || o.After.ID != o.ObjectID {
				t.Fatalf("row %d: %+v", c.Row, o)
			}
			now := w.find(t, target.Key{Kind: target.ByID, Value: o.ObjectID})
			for _, fl := range c.Fields {
				if got, want := o.After.Get(fl), now.Get(fl); got != want {
					t.Errorf("row %d: After has %s %q, the account %q", c.Row, fl, got, want)
				}
			}
			if c.Manager != nil && o.After.ManagerID() == "" {
				t.Errorf("row %d: After has no manager", c.Row)
			}
			switch {
			case now.Version != "" && o.Version != now.Version:
				t.Errorf("row %d: version %q, the account shows %q", c.Row, o.Version, now.Version)
			case now.Version == "" && o.Version != plan.Fingerprint(o.After):
				t.Errorf("row %d: version %q, want After's fingerprint", c.Row, o.Version)
			}
		}
	})
}

// Reactivation on a target that clears the manager (Workplace, Meta) is
// one Update: the target sets the manager again in a second request, and
// no step of the executor's does. Where nothing is cleared (RFC), one
// request.
func TestReactivationKeepsManager(t *testing.T) {
	forEach(t, []flavor{graphT, scimRFC, scimMeta}, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{State: &emulator.State{Accounts: []*emulator.Account{
			{ID: "100000000000001", Name: "Boss", Email: "boss@acme.example", ExternalID: "E1", Active: true},
			{ID: "100000000000002", Name: "Ana", Email: "ana@acme.example", ExternalID: "E2", Manager: "100000000000001"},
		}}})
		p, r := w.apply(t, rosterCSV(t, "name,email,external_id,manager\nBoss,boss@acme.example,E1,\nAna,ana@acme.example,E2,E1\n", nil), plan.Options{})
		c := changeOfRow(p, 3)
		if c == nil || c.Action != plan.Reactivate {
			t.Fatalf("plan: %s", p.Summary())
		}
		o := r.Outcomes[c.ID]
		want := 1
		if p.Target.ReactivationClearsManager {
			want = 2
		}
		if o.Status != plan.Reactivated || o.Attempts != want || len(o.Steps) != 0 || !o.After.Active || o.After.ManagerID() != "100000000000001" {
			t.Errorf("outcome %+v (After %+v): want reactivated in %d requests, with the manager", o, o.After, want)
		}
		if a := w.account("ana@acme.example"); !a.Active || a.Manager != "100000000000001" {
			t.Errorf("Ana after apply: active %v, manager %q", a.Active, a.Manager)
		}
	})
}

// Only restricts a run to some changes, of every kind; a later run without
// it takes those from the journal and does the rest.
func TestOnlyRunsTheChangesGiven(t *testing.T) {
	w := newWorld(t, graphT, emulator.Config{})
	p := setsPlan(t, w, 5, "Engineers,DEPARTMENT,IS,Engineering\n")
	first, set := changeOfRow(p, 2), firstOf(t, p, plan.KindPeopleSet)
	path := filepath.Join(t.TempDir(), "plan.journal")
	j, _, _ := execute.OpenJournal(path, "p")
	r1, err := w.run(context.Background(), p, execute.Options{Journal: j, Only: map[int]bool{first.ID: true, set.ID: true}})
	j.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(r1.Outcomes) != 2 || r1.Outcomes[first.ID].Status != plan.Created || r1.Outcomes[set.ID].Status != plan.Created {
		t.Fatalf("first run: %v", r1.Outcomes)
	}
	if n := len(w.srv.Snapshot().Accounts); n != 1 {
		t.Errorf("%d accounts after the first run, want 1", n)
	}
	j, resumed, _ := execute.OpenJournal(path, "p")
	defer j.Close()
	w.srv.ResetStats()
	r2, err := w.run(context.Background(), p, execute.Options{Journal: j, Resumed: resumed})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(r2); s[plan.Created] != 5 || !r2.Outcomes[first.ID].Resumed || !r2.Outcomes[set.ID].Resumed {
		t.Errorf("second run: %v", s)
	}
	if st := w.srv.Stats(); st.ByRoute["POST /community/accounts"] != 4 || st.ByRoute["POST /community/people_sets"] != 0 {
		t.Errorf("second run calls: %v", st.ByRoute)
	}
	checkAccounts(t, w, 5)
	if a := w.account(rostergen.Email(1)); a == nil || a.Manager != r1.Outcomes[first.ID].ObjectID {
		t.Errorf("person 1's manager is not the account the first run made: %+v", a)
	}
}
