package plan_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/plan"
)

// quarterlyByEmail is the quarterly roster keyed by email alone.
const quarterlyByEmail = "name,email,title,manager\n" +
	"Boss,boss@acme.example,CEO,\n" +
	"Mover,mover@acme.example,Engineering Manager,boss@acme.example\n" +
	"Stayer,stayer@acme.example,Analyst,boss@acme.example\n" +
	"Returner,returner@acme.example,Clerk,boss@acme.example\n" +
	"Joiner,joiner@acme.example,Engineer,mover@acme.example\n"

// The calls a plan makes to read, by read mode, on each target. Look-ups
// batch their keys: on Graph by 50, though ?ids= (emails, ids) still
// costs a call per id against the rate budget, so the five email look-ups
// weigh five calls there (external ids go by external_ids=, then the
// deactivated listing for those not found: the returner and the joiner);
// SCIM puts up to 50 keys in one `or` filter, one call. A small community
// is listed instead: a call per page (Graph lists the active members,
// then the deactivated ones). Discovery, asked once per client before
// any read, is not counted.
func TestLookupCalls(t *testing.T) {
	for _, tc := range []struct {
		k      kind
		roster string
		// lookup: HTTP requests (ReadCalls) and their weight against
		// the rate budget (target.Call.Weight).
		lookup, lookupCost int
		// list: pages listed by --read auto (SCIM: a first page that says
		// it is everything is confirmed by asking for the next).
		list int
	}{
		{graphT, quarterly, 3, 3, 2},
		{graphT, quarterlyByEmail, 1, 5, 2},
		{scimT, quarterly, 2, 2, 2},
		{scimT, quarterlyByEmail, 1, 1, 2},
	} {
		by := map[bool]string{true: "by email", false: "by external_id"}[tc.roster == quarterlyByEmail]
		t.Run(tc.k.name+" "+by, func(t *testing.T) {
			w := quarterlyWorld(t, tc.k)
			if _, err := w.tgt.Capabilities(ctx); err != nil {
				t.Fatal(err)
			}
			w.srv.ResetStats()
			w.cost.Store(0)
			p := w.plan(t, tc.roster, plan.Options{Read: "lookup"})
			served := w.srv.Stats()
			if p.ReadMode != "lookup" || p.ReadCalls != tc.lookup || served.Calls != tc.lookup || w.cost.Load() != int64(tc.lookupCost) {
				t.Errorf("read %s with %d calls (the service served %v), weighing %d; want %d weighing %d", p.ReadMode, p.ReadCalls, served.ByRoute, w.cost.Load(), tc.lookup, tc.lookupCost)
			}
			if p.Counts(plan.KindAccount)[plan.Reactivate] != 1 || p.Counts(plan.KindAccount)[plan.Update] != 1 || p.Counts(plan.KindAccount)[plan.Create] != 1 {
				t.Errorf("lookup mode missed the deactivated returner, the mover or the joiner: %s", render(p))
			}
			// auto: a small community is cheaper to list than to look up.
			auto := w.plan(t, tc.roster, plan.Options{})
			if auto.ReadMode != "list" || auto.ReadCalls != tc.list {
				t.Errorf("auto read %s with %d calls, want list with %d", auto.ReadMode, auto.ReadCalls, tc.list)
			}
			if a, b := renderChanges(p), renderChanges(auto); a != b {
				t.Errorf("the modes plan different changes:\n%s\n%s", a, b)
			}
		})
	}
}

// --read auto lists within the look-ups' cost, and falls back to look-ups
// when the population turns out larger.
func TestAutoFallsBackToLookups(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		var accounts []*emulator.Account
		for i := 0; i < 200; i++ {
			accounts = append(accounts, acct(fmt.Sprint(100000000000100+i), fmt.Sprint("P", i), fmt.Sprintf("p%d@acme.example", i), fmt.Sprint("E", i), "Old", "", true))
		}
		w := newWorld(t, k, accounts...) // 25 per page: 8 pages to list
		p := w.plan(t, "name,email,external_id,title\nP190,p190@acme.example,E190,New\nP195,p195@acme.example,E195,New\n", plan.Options{})
		if p.ReadMode != "list, then lookup" || p.ReadCalls > 6 {
			t.Errorf("read %s with %d calls", p.ReadMode, p.ReadCalls)
		}
		if p.Counts(plan.KindAccount)[plan.Update] != 2 {
			t.Errorf("fallback lost the matches: %s", render(p))
		}
		// --sync needs every account: it lists, however many.
		p = w.plan(t, "name,email,external_id,title\nP190,p190@acme.example,E190,New\n", plan.Options{Sync: true, MaxDeactivate: "100%"})
		if p.ReadMode != "list" || p.ReadCalls < 8 || p.Counts(plan.KindAccount)[plan.Deactivate] != 199 {
			t.Errorf("--sync read %s with %d calls: %s", p.ReadMode, p.ReadCalls, p.Summary())
		}
	})
}

// A row matched by external_id whose email differs from the account's does
// not change the login: a warning names new_email, the rest is planned. An
// account with no email gets the roster's; new_email still changes a login.
func TestEmailDiffers(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := newWorld(t, k,
			acct("100000000000001", "Tom Walsh", "tom.walsh@acme.example", "E1", "Clerk", "", true),
			acct("100000000000002", "Ann", "", "E2", "", "", true),
			acct("100000000000003", "Cat", "cat@acme.example", "E3", "", "", true),
		)
		p := w.plan(t, "name,email,external_id,title\n"+
			"Tom Walsh,tom.wlash@acme.example,E1,Manager\n"+ // a typo in the email
			"Ann,ann@acme.example,E2,\n"+ // no email yet: filled
			"Cat,CAT@acme.example,E3,\n", // another case: the same email
			plan.Options{})
		if len(p.Changes) != 2 {
			t.Fatalf("changes: %s", render(p))
		}
		tom, ann := change(t, p, 2), change(t, p, 3)
		if tom.Sets("email") || diffOf(tom, "email") != "" || diffOf(tom, "title") != "Clerk → Manager" || tom.After.Email != "" {
			t.Errorf("Tom's login email planned to change: %s", render(p))
		}
		if !ann.Sets("email") || ann.After.Email != "ann@acme.example" || diffOf(ann, "email") != " → ann@acme.example" {
			t.Errorf("Ann's missing email not filled: %s", render(p))
		}
		row := p.Rows[0]
		if row.Status != plan.Planned || row.Action != plan.Update || len(row.Issues) != 1 {
			t.Fatalf("Tom's row: %+v", row)
		}
		is := row.Issues[0]
		for _, s := range []string{"tom.wlash@acme.example", "tom.walsh@acme.example", "not changed", "new_email"} {
			if !strings.Contains(is.Message, s) {
				t.Errorf("message lacks %q: %s", s, is.Message)
			}
		}
		if is.Code != "email.differs" || is.Severity != "warning" || is.Row != 2 || is.Column != "email" {
			t.Errorf("issue: %+v", is)
		}
		for _, r := range p.Rows[1:] {
			if len(r.Issues) != 0 {
				t.Errorf("row %d: %+v", r.Row, r.Issues)
			}
		}
		if g := guardOf(t, p, "email"); g.Changes != 0 {
			t.Errorf("a filled email counted as a login change: %+v", g)
		}
		// new_email is how a login changes.
		p = w.plan(t, "name,email,external_id,new_email\nTom Walsh,tom.walsh@acme.example,E1,thomas.walsh@acme.example\n", plan.Options{})
		if len(p.Changes) != 1 || diffOf(&p.Changes[0], "email") != "tom.walsh@acme.example → thomas.walsh@acme.example" || len(p.Rows[0].Issues) != 0 {
			t.Errorf("new_email: %s", render(p))
		}
		if g := guardOf(t, p, "email"); g.Changes != 1 || g.Tripped {
			t.Errorf("email guard: %+v", g)
		}
	})
}

// A new_email that another account or row has is the row's error.
func TestNewEmailTaken(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := newWorld(t, k,
			acct("100000000000001", "Tom", "tom@acme.example", "E1", "", "", true),
			acct("100000000000002", "Ann", "ann@acme.example", "E2", "", "", true),
		)
		p := w.plan(t, "name,email,external_id,new_email\n"+
			"Tom,tom@acme.example,E1,ann@acme.example\n"+ // Ann's
			"Ann,ann@acme.example,E2,\n"+
			"Cat,cat@acme.example,E3,\n"+
			"Dan,dan@acme.example,E4,cat@acme.example\n", // row 4's
			plan.Options{})
		for row, want := range map[int]string{
			2: "the new email ann@acme.example already belongs to account 100000000000002 (Ann); choose another",
			5: "the new email cat@acme.example is the email of row 4; choose another",
		} {
			r := p.Rows[row-2]
			if r.Status != plan.Invalid || len(r.Issues) != 1 || r.Issues[0].Code != "new_email.duplicate" || r.Issues[0].Message != want || r.Issues[0].Column != "new_email" {
				t.Errorf("row %d: %+v", row, r)
			}
		}
		if len(p.Changes) != 1 || p.Changes[0].Key != "E3" {
			t.Errorf("changes: %s", render(p))
		}
	})
}
