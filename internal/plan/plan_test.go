package plan_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// A first import: every row a create, one call each, managers first (a
// manager later in the file, or named by email, is made before its
// reports and referenced by its create).
func TestFreshMigration(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := newWorld(t, k)
		p := w.plan(t, "name,email,external_id,title,manager\n"+
			"Rep,rep@acme.example,E3,Engineer,E2\n"+ // its manager comes later in the file
			"Boss,boss@acme.example,E1,CEO,\n"+
			"Mid,mid@acme.example,E2,VP,boss@acme.example\n", plan.Options{})
		golden(t, "fresh."+k.name, render(p))
		for _, c := range p.Changes {
			if c.Action != plan.Create || c.Calls() != 1 || c.Before != nil || c.Fingerprint != "absent" {
				t.Errorf("change %+v: want one create call", c)
			}
		}
		if rep := change(t, p, 2); rep.Manager == nil || rep.Manager.CreateOp != change(t, p, 4).ID || rep.Level != 2 {
			t.Errorf("Rep's manager is not Mid's create: %+v", rep.Manager)
		}
		if len(writes(w.srv)) != 0 {
			t.Errorf("planning wrote: %v", writes(w.srv))
		}
	})
}

func quarterlyWorld(t *testing.T, k kind) *world {
	return newWorld(t, k,
		acct("100000000000001", "Boss", "boss@acme.example", "E1", "CEO", "", true),
		acct("100000000000002", "Mover", "mover@acme.example", "E2", "Engineer", "100000000000001", true),
		acct("100000000000003", "Stayer", "stayer@acme.example", "E3", "Analyst", "100000000000001", true),
		acct("100000000000004", "Leaver", "leaver@acme.example", "E4", "Clerk", "100000000000001", true),
		acct("100000000000005", "Returner", "returner@acme.example", "E5", "Clerk", "100000000000001", false),
		acct("100000000000006", "Contractor", "contractor@acme.example", "", "Temp", "", true), // no external_id: out of sync scope
	)
}

const quarterly = "name,email,external_id,title,manager\n" +
	"Boss,boss@acme.example,E1,CEO,\n" +
	"Mover,mover@acme.example,E2,Engineering Manager,E1\n" + // mover: new title
	"Stayer,stayer@acme.example,E3,Analyst,E1\n" + // unchanged
	"Returner,returner@acme.example,E5,Clerk,E1\n" + // deactivated: reactivate
	"Joiner,joiner@acme.example,E6,Engineer,E2\n" // joiner under an existing manager

// A quarterly update with --sync: a mover, a stayer, a returner, a joiner
// and a leaver; the account without an external_id is out of scope.
func TestQuarterly(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := quarterlyWorld(t, k)
		p := w.plan(t, quarterly, plan.Options{Sync: true, MaxDeactivate: "50%"})
		golden(t, "quarterly."+k.name, render(p))
		c := p.Counts(plan.KindAccount)
		if c[plan.Create] != 1 || c[plan.Update] != 1 || c[plan.Reactivate] != 1 || c[plan.Deactivate] != 1 || len(p.Changes) != 4 {
			t.Errorf("counts %v", c)
		}
		leaver := change(t, p, 0)
		if leaver.Action != plan.Deactivate || leaver.Cause != plan.CauseSync || leaver.AccountID != "100000000000004" || p.Check() != "" {
			t.Errorf("leaver %+v, check %q", leaver, p.Check())
		}
		if j := change(t, p, 6); j.Manager == nil || j.Manager.AccountID != "100000000000002" || j.After.ManagerID() != "100000000000002" {
			t.Errorf("joiner's manager: %+v", j.Manager)
		}
	})
}

func TestSyncGuard(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := quarterlyWorld(t, k)
		// Default 5% of 5 active accounts is 0: the leaver trips it.
		p := w.plan(t, quarterly, plan.Options{Sync: true})
		if !p.Guard.Tripped || p.Refused == "" || !strings.Contains(p.Refused, "deactivates 1 accounts, over the limit of 0") {
			t.Errorf("guard = %+v refused %q", p.Guard, p.Refused)
		}
		if why := p.Check(); !strings.Contains(why, "refused when planned") {
			t.Errorf("Check of the refused plan: %q", why)
		}
		if ws := writes(w.srv); len(ws) != 0 {
			t.Errorf("planning made write calls: %v", ws)
		}
		// Raised for this run: recorded.
		p = w.plan(t, quarterly, plan.Options{Sync: true, MaxDeactivate: "1"})
		if p.Guard.Tripped || !p.Guard.Raised || p.Check() != "" {
			t.Errorf("raised guard = %+v, check %q", p.Guard, p.Check())
		}
		// Scope and protect narrow the deactivations.
		p = w.plan(t, quarterly, plan.Options{Sync: true, Protect: []string{"leaver@acme.example"}})
		if p.Refused != "" || p.Counts(plan.KindAccount)[plan.Deactivate] != 0 {
			t.Errorf("protected leaver: %s", render(p))
		}
		p = w.plan(t, quarterly, plan.Options{Sync: true, Scope: []plan.ScopeRule{{Field: "title", Value: "engineer"}}})
		if p.Counts(plan.KindAccount)[plan.Deactivate] != 0 {
			t.Errorf("out-of-scope leaver deactivated: %s", render(p))
		}
		p = w.plan(t, quarterly, plan.Options{Sync: true, Scope: []plan.ScopeRule{{Field: "title", Value: "CLERK"}}})
		if c := p.Counts(plan.KindAccount); c[plan.Deactivate] != 1 || p.Refused == "" {
			t.Errorf("in-scope leaver (any case) not deactivated: %s", render(p))
		}
		// An invalid row still names its account: never deactivated.
		typo := strings.Replace(quarterly, "Stayer,stayer@acme.example,E3,Analyst,E1", "Stayer,stayer@acme,E3,Analyst,E1", 1)
		p = w.plan(t, typo, plan.Options{Sync: true, MaxDeactivate: "100%"})
		for _, c := range p.Changes {
			if c.Action == plan.Deactivate && c.AccountID == "100000000000003" {
				t.Error("an account named by an invalid row was deactivated")
			}
		}
		if p.Counts(plan.KindAccount)[plan.Deactivate] != 1 {
			t.Errorf("the leaver is not deactivated: %s", render(p))
		}
	})
}

func TestConflicts(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := newWorld(t, k,
			acct("100000000000001", "Ann", "ann@acme.example", "E1", "", "", true),
			acct("100000000000002", "Ben", "ben@acme.example", "E2", "", "", true),
			acct("100000000000003", "Cat", "cat@acme.example", "E3", "", "", true),
		)
		p := w.plan(t, "name,email,external_id,manager\n"+
			"Ann,ben@acme.example,E1,\n"+ // E1 is Ann but the email is Ben's: conflict
			"Cat,cat@acme.example,E9,\n"+ // Cat's email, but Cat has E3: conflict
			"Dan,dan@acme.example,E4,ghost@acme.example\n"+ // manager nowhere
			"Eve,eve@acme.example,E5,E1\n", // manager row is a conflict
			plan.Options{})
		golden(t, "conflicts."+k.name, render(p))
		msgs := map[int]string{}
		for _, r := range p.Rows {
			if len(r.Issues) == 1 {
				msgs[r.Row] = r.Issues[0].Message
			}
		}
		for row, want := range map[int]string{
			2: "the external_id E1 is account 100000000000001 (Ann) but the email ben@acme.example is account 100000000000002 (Ben)",
			3: "the email cat@acme.example is account 100000000000003, whose external_id is E3, not E9",
			4: `the manager "ghost@acme.example" is neither in this file nor in ` + map[string]string{"graph": "Workplace's Graph API", "scim": "the SCIM service at"}[k.name],
			5: `the manager "E1" is row 2, which is conflict; fix that row first`,
		} {
			if !strings.Contains(msgs[row], want) {
				t.Errorf("row %d: %q, want %q", row, msgs[row], want)
			}
		}
	})
}

// Creates are levelled by management depth, whatever the file's order.
func TestDeepChain(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := newWorld(t, k, acct("100000000000001", "Root", "root@acme.example", "R", "", "", true))
		var b strings.Builder
		b.WriteString("name,external_id,manager\n")
		for i := 10; i >= 1; i-- { // deepest first in the file
			mgr := fmt.Sprint("L", i-1)
			if i == 1 {
				mgr = "root@acme.example"
			}
			fmt.Fprintf(&b, "Level %d,L%d,%s\n", i, i, mgr)
		}
		p := w.plan(t, b.String(), plan.Options{})
		levels := map[string]int{}
		for _, c := range p.Changes {
			levels[c.Key] = c.Level
			if c.Action != plan.Create || c.Calls() != 1 {
				t.Errorf("change %+v: want one create call", c)
			}
			if c.Manager == nil || (c.Key == "L1") != (c.Manager.AccountID == "100000000000001") {
				t.Errorf("%s: manager %+v", c.Key, c.Manager)
			}
			if m := c.Manager; m != nil && m.CreateOp != 0 && p.Change(m.CreateOp).ID >= c.ID {
				t.Errorf("%s is planned before its manager's create", c.Key)
			}
		}
		// L1 reports to an existing account: level 0; each report one deeper.
		for i := 1; i <= 10; i++ {
			if got := levels[fmt.Sprint("L", i)]; got != i-1 {
				t.Errorf("L%d level %d, want %d", i, got, i-1)
			}
		}
	})
}

// A plan saved and loaded is the same plan, holds no token, and is not
// stale until someone changes an account it read or makes one it creates.
func TestRoundTripAndStale(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := quarterlyWorld(t, k)
		p := w.plan(t, quarterly, plan.Options{Sync: true, MaxDeactivate: "50%"})
		path := filepath.Join(t.TempDir(), "plan.json")
		if _, err := p.Save(path, nil); err != nil {
			t.Fatal(err)
		}
		q, err := plan.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if render(q) != render(p) || q.Roster.Rows != p.Roster.Rows || q.APIURL != p.APIURL || q.API != k.target || q.Check() != "" {
			t.Fatalf("plan changed in the round trip:\n%s\n%s", render(p), render(q))
		}
		data, _ := os.ReadFile(path)
		if strings.Contains(string(data), w.srv.Token()) {
			t.Error("the plan holds the token")
		}
		all := pointers(q)
		stale, err := plan.StaleChanges(ctx, w.tgt, all, nil)
		if err != nil || len(stale) != 0 {
			t.Fatalf("fresh plan: stale %v, %v", stale, err)
		}
		// Someone edits the mover, creates the joiner and deletes the
		// leaver.
		if _, err := w.tgt.Update(ctx, target.Ref{ID: "100000000000002"}, &target.Account{Department: "Sales"}, []roster.Field{roster.Department}); err != nil {
			t.Fatal(err)
		}
		joiner, err := w.tgt.Create(ctx, &target.Account{Name: target.Name{Formatted: "Joiner"}, Email: "joiner@acme.example", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.tgt.Remove(ctx, target.Ref{ID: "100000000000004"}, target.RemoveDelete); err != nil {
			t.Fatal(err)
		}
		stale, err = plan.StaleChanges(ctx, w.tgt, all, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, c := range q.Changes {
			if stale[c.ID] != "" {
				got[c.Key] = stale[c.ID]
			}
		}
		want := map[string]string{
			"E2": "account 100000000000002 changed since the plan was made (department: (empty) → Sales)",
			"E6": fmt.Sprintf("an account with the email joiner@acme.example (%s) exists now", joiner.ID),
			"E4": "account 100000000000004 no longer exists",
		}
		if len(got) != len(want) {
			t.Errorf("stale = %v, want the mover, the joiner and the leaver", got)
		}
		for key, msg := range want {
			if got[key] != msg {
				t.Errorf("stale %s: %q, want %q", key, got[key], msg)
			}
		}
		// Changes skipped are not checked.
		skip := map[int]bool{change(t, q, 3).ID: true}
		if stale, _ = plan.StaleChanges(ctx, w.tgt, all, skip); len(stale) != 2 || stale[change(t, q, 3).ID] != "" {
			t.Errorf("with the mover skipped: %v", stale)
		}
		// Another version is refused, with a word to plan again.
		for _, v := range []string{"99", "1"} {
			os.WriteFile(path, []byte(strings.Replace(string(data), `"format_version": 2`, `"format_version": `+v, 1)), 0o644)
			if _, err := plan.Load(path); err == nil || !strings.Contains(err.Error(), "a plan of format "+v) || !strings.Contains(err.Error(), "make the plan again") {
				t.Errorf("Load of version %s: %v", v, err)
			}
		}
	})
}

// pointers lists a plan's changes, as StaleChanges takes them.
func pointers(p *plan.Plan) []*plan.Change {
	out := make([]*plan.Change, len(p.Changes))
	for i := range p.Changes {
		out[i] = &p.Changes[i]
	}
	return out
}

// Empty cells leave fields alone, unless --empty clear; a name or an
// email is never cleared.
func TestEmptyClear(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := newWorld(t, k, acct("100000000000001", "Ann", "ann@acme.example", "E1", "Boss", "", true))
		keep := w.plan(t, "name,email,external_id,title\nAnn,,E1,\n", plan.Options{})
		if len(keep.Changes) != 0 || keep.Rows[0].Action != plan.None {
			t.Errorf("empty cells changed something by default: %s", render(keep))
		}
		clear := w.plan(t, "name,email,external_id,title\nAnn,,E1,\n", plan.Options{Empty: "clear"})
		if len(clear.Changes) != 1 {
			t.Fatalf("clear: %s", render(clear))
		}
		c := &clear.Changes[0]
		if !slices.Equal(c.Fields, []roster.Field{roster.Title}) || c.After.Title != "" || diffOf(c, "title") != "Boss → " {
			t.Errorf("clear: %s", render(clear))
		}
		if clear.Check() != "" {
			t.Errorf("check: %q", clear.Check())
		}
	})
}

// The stale message names what changed: the first three fields, then how
// many more.
func TestStaleNamesWhatChanged(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := quarterlyWorld(t, k)
		p := w.plan(t, quarterly, plan.Options{})
		to := &target.Account{Title: "Intern", Department: "Ops", Division: "East", Organization: "Acme", CostCenter: "42"}
		fields := []roster.Field{roster.Title, roster.Department, roster.Division, roster.Organization, roster.CostCenter}
		if _, err := w.tgt.Update(ctx, target.Ref{ID: "100000000000002"}, to, fields); err != nil {
			t.Fatal(err)
		}
		stale, err := plan.StaleChanges(ctx, w.tgt, pointers(p), nil)
		want := "account 100000000000002 changed since the plan was made (title: Engineer → Intern; department: (empty) → Ops; division: (empty) → East; and 2 more)"
		if err != nil || len(stale) != 1 || stale[change(t, p, 3).ID] != want {
			t.Errorf("stale = %v, %v; want %q", stale, err, want)
		}
	})
}

// Phones are added after the main call, the first one primary; a number
// the account has is not added again, and replacing the primary counts as
// an overwrite. A picture goes to new accounts, and to matched ones with
// --pictures all.
func TestPhonesAndPictures(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		ann := acct("100000000000001", "Ann", "ann@acme.example", "E1", "", "", true)
		ann.Phones = []emulator.Phone{{Number: "+15550100", Type: "work", Primary: true}}
		w := newWorld(t, k, ann)
		csv := "name,email,external_id,phone,picture_url\n" +
			"Ann,ann@acme.example,E1,+1 555 0100,https://pics.example/ann.jpg\n" +
			"Bob,bob@acme.example,E2,+15550199,https://pics.example/bob.jpg\n"
		p := w.plan(t, csv, plan.Options{})
		if len(p.Changes) != 1 {
			t.Fatalf("the phone Ann has, or her picture, planned: %s", render(p))
		}
		bob := change(t, p, 3)
		if len(bob.Phones) != 1 || bob.Phones[0] != (target.Phone{Number: "+15550199", Type: "work", Primary: true}) || bob.Picture == nil ||
			bob.Picture.URL != "https://pics.example/bob.jpg" || bob.Calls() != 3 || diffOf(bob, "phone") != " → +15550199" {
			t.Errorf("Bob: %s", render(p))
		}
		p = w.plan(t, strings.Replace(csv, "+1 555 0100", "+15550111", 1), plan.Options{Pictures: "all"})
		a := change(t, p, 2)
		if len(a.Phones) != 1 || diffOf(a, "phone") != "+15550100 → +15550111" || a.Picture == nil || a.Calls() != 3 || a.Action != plan.Update {
			t.Errorf("Ann: %s", render(p))
		}
		if p.FieldChanges()["phone"] != 1 || p.Check() != "" {
			t.Errorf("field changes %v, check %q", p.FieldChanges(), p.Check())
		}
	})
}
