package plan_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/plan"
)

var firstNames = []string{"Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas"}
var lastNames = []string{"Chen", "Garcia", "Smith", "Okafor", "Novak", "Patel", "Kim", "Rossi", "Silva", "Nguyen"}

// person n of a staff: its full name, email and external id.
func person(n int) (name, email, ext string) {
	first, last := firstNames[n%len(firstNames)], lastNames[(n/len(firstNames)+n)%len(lastNames)]
	return first + " " + last, fmt.Sprintf("%s.%s%d@acme.example", strings.ToLower(first), strings.ToLower(last), n), fmt.Sprintf("E%02d", n+1)
}

// staffWorld holds n active accounts, each with department Sales and the
// title Clerk, but the first empty accounts with neither.
func staffWorld(t *testing.T, k kind, n, empty int) *world {
	var accounts []*emulator.Account
	for i := 0; i < n; i++ {
		name, email, ext := person(i)
		a := acct(fmt.Sprint(100000000000001+i), name, email, ext, "Clerk", "", true)
		if i >= empty {
			a.Department = "Sales"
		} else {
			a.Title = ""
		}
		accounts = append(accounts, a)
	}
	return newWorld(t, k, accounts...)
}

// staffRoster lists n people of staffWorld with the columns cols, each
// cell made by cell(i, column).
func staffRoster(n int, cols string, cell func(i int, col string) string) string {
	var b strings.Builder
	b.WriteString(cols + "\n")
	for i := 0; i < n; i++ {
		var cells []string
		for _, c := range strings.Split(cols, ",") {
			cells = append(cells, cell(i, c))
		}
		b.WriteString(strings.Join(cells, ",") + "\n")
	}
	return b.String()
}

// unchanged gives each person's current values.
func unchanged(i int, col string) string {
	name, email, ext := person(i)
	switch col {
	case "name":
		return name
	case "email":
		return email
	case "external_id":
		return ext
	case "last_name":
		return strings.Fields(name)[1]
	case "title":
		return "Clerk"
	case "department":
		return "Sales"
	}
	return ""
}

func guardOf(t *testing.T, p *plan.Plan, field string) plan.ChangeGuard {
	t.Helper()
	for _, g := range p.ChangeGuards {
		if g.Field == field {
			return g
		}
	}
	t.Fatalf("no guard for %s in %+v", field, p.ChangeGuards)
	return plan.ChangeGuard{}
}

// The real case: a roster whose name column holds surnames plans to rename
// all 29 accounts "Olivia Chen → Chen". Refused, with the counts, three
// examples and the option; a single rename passes; raised, it passes and
// the plan says so.
func TestRenameGuard(t *testing.T) {
	each(t, testRenameGuard)
}

func testRenameGuard(t *testing.T, k kind) {
	w := staffWorld(t, k, 29, 0)
	surnames := staffRoster(29, "name,email,external_id", func(i int, c string) string {
		if c == "name" {
			return unchanged(i, "last_name")
		}
		return unchanged(i, c)
	})
	p := w.plan(t, surnames, plan.Options{})
	if p.Counts(plan.KindAccount)[plan.Update] != 29 {
		t.Fatalf("not the mass rename: %s", p.Summary())
	}
	g := guardOf(t, p, "name")
	if g != (plan.ChangeGuard{Option: "--max-renames", Field: "name", Spec: "5%", Limit: 1, Matched: 29, Changes: 29, Tripped: true}) {
		t.Errorf("guard %+v", g)
	}
	for _, s := range []string{"the plan renames 29 of the 29 accounts it matched, over the limit of 1 (--max-renames 5% of 29 matched accounts)",
		"e.g. row 2 (E01): Olivia Chen → Chen; row 3 (E02): Liam Garcia → Garcia; row 4 (E03): Emma Smith → Smith. Check the roster",
		"raise the limit for this run with --max-renames 29"} {
		if !strings.Contains(p.Refused, s) {
			t.Errorf("refusal lacks %q:\n%s", s, p.Refused)
		}
	}
	if strings.Count(p.Refused, "→") != 3 || len(p.ChangeGuards) != 2 {
		t.Errorf("refusal: %s\nguards: %+v", p.Refused, p.ChangeGuards)
	}
	if why := p.Check(); !strings.Contains(why, "refused when planned") {
		t.Errorf("Check of the refused plan: %q", why)
	}
	// Raised for this run: passes, recorded.
	p = w.plan(t, surnames, plan.Options{MaxRenames: "100%"})
	if g := guardOf(t, p, "name"); p.Refused != "" || g.Tripped || !g.Raised || g.Limit != 29 || g.Spec != "100%" || p.Check() != "" {
		t.Errorf("raised: refused %q, guard %+v, check %q", p.Refused, g, p.Check())
	}
	// One rename passes however few the accounts; two of 29 do not.
	renamed := func(k int) func(int, string) string {
		return func(i int, c string) string {
			if c == "name" && i < k {
				return "Renamed " + fmt.Sprint(i)
			}
			return unchanged(i, c)
		}
	}
	for _, tc := range []struct {
		n, renames int
		opts       plan.Options
		tripped    bool
	}{{29, 1, plan.Options{}, false}, {3, 1, plan.Options{}, false}, {29, 2, plan.Options{}, true},
		{29, 2, plan.Options{MaxRenames: "2"}, false}, {29, 1, plan.Options{MaxRenames: "0"}, true}} {
		p := w.plan(t, staffRoster(tc.n, "name,email,external_id", renamed(tc.renames)), tc.opts)
		if g := guardOf(t, p, "name"); g.Tripped != tc.tripped || (p.Refused != "") != tc.tripped || g.Changes != tc.renames || g.Matched != tc.n {
			t.Errorf("%d renames of %d (%+v): guard %+v, refused %q", tc.renames, tc.n, tc.opts, g, p.Refused)
		}
	}
}

// Only new_email changes a login; more than the limit of such changes is
// refused. An account without email that gets one is no login change.
func TestEmailChangeGuard(t *testing.T) {
	each(t, testEmailChangeGuard)
}

func testEmailChangeGuard(t *testing.T, k kind) {
	w := staffWorld(t, k, 29, 0)
	moved := func(k int) string {
		return staffRoster(29, "name,email,external_id,new_email", func(i int, c string) string {
			if c == "new_email" {
				if i < k {
					return fmt.Sprintf("moved%d@new.example", i)
				}
				return ""
			}
			return unchanged(i, c)
		})
	}
	p := w.plan(t, moved(1), plan.Options{})
	if g := guardOf(t, p, "email"); p.Refused != "" || g.Changes != 1 || g.Limit != 1 {
		t.Errorf("one email change: refused %q, guard %+v", p.Refused, g)
	}
	p = w.plan(t, moved(3), plan.Options{})
	g := guardOf(t, p, "email")
	if g != (plan.ChangeGuard{Option: "--max-email-changes", Field: "email", Spec: "5%", Limit: 1, Matched: 29, Changes: 3, Tripped: true}) {
		t.Errorf("guard %+v", g)
	}
	for _, s := range []string{"the plan changes the login email of 3 of the 29 accounts it matched, over the limit of 1 (--max-email-changes 5% of 29 matched accounts)",
		"row 2 (E01): olivia.chen0@acme.example → moved0@new.example", "--max-email-changes 3"} {
		if !strings.Contains(p.Refused, s) {
			t.Errorf("refusal lacks %q:\n%s", s, p.Refused)
		}
	}
	// 10% of 29 allows 2: three still trip it; 15% allows 4.
	p = w.plan(t, moved(3), plan.Options{MaxEmailChanges: "10%"})
	if g := guardOf(t, p, "email"); p.Refused == "" || !g.Raised || g.Limit != 2 || !g.Tripped {
		t.Errorf("10%%: refused %q, guard %+v", p.Refused, g)
	}
	p = w.plan(t, moved(3), plan.Options{MaxEmailChanges: "15%"})
	if g := guardOf(t, p, "email"); p.Refused != "" || !g.Raised || g.Limit != 4 || g.Tripped || p.Check() != "" {
		t.Errorf("15%%: refused %q, guard %+v", p.Refused, g)
	}
	// Accounts without an email get the roster's: not a login change.
	var accounts []*emulator.Account
	for i := 0; i < 10; i++ {
		name, _, ext := person(i)
		accounts = append(accounts, acct(fmt.Sprint(100000000000001+i), name, "", ext, "Clerk", "", true))
	}
	p = newWorld(t, k, accounts...).plan(t, staffRoster(10, "name,email,external_id", unchanged), plan.Options{})
	if g := guardOf(t, p, "email"); p.Refused != "" || g.Changes != 0 || p.Counts(plan.KindAccount)[plan.Update] != 10 {
		t.Errorf("emails filled: refused %q, guard %+v, %s", p.Refused, g, p.Summary())
	}
}

// A shifted column overwrites one field on most matched accounts: refused
// over the share, if at least five change. Filling empty fields passes.
func TestFieldChangeGuard(t *testing.T) {
	each(t, testFieldChangeGuard)
}

func testFieldChangeGuard(t *testing.T, k kind) {
	w := staffWorld(t, k, 10, 0)
	shifted := func(k int) string { // the title moved into department for the first k
		return staffRoster(10, "name,email,external_id,title,department", func(i int, c string) string {
			if c == "department" && i < k {
				return "Clerk"
			}
			return unchanged(i, c)
		})
	}
	p := w.plan(t, shifted(6), plan.Options{})
	g := guardOf(t, p, "department")
	if g != (plan.ChangeGuard{Option: "--max-field-changes", Field: "department", Spec: "50%", Limit: 5, Matched: 10, Changes: 6, Tripped: true}) {
		t.Errorf("guard %+v", g)
	}
	for _, s := range []string{"the plan overwrites or clears the department of 6 of the 10 accounts it matched, over the limit of 5 (--max-field-changes 50% of 10 matched accounts)",
		"row 2 (E01): Sales → Clerk", "a column shifted or mapped to the wrong field?", "--max-field-changes 6"} {
		if !strings.Contains(p.Refused, s) {
			t.Errorf("refusal lacks %q:\n%s", s, p.Refused)
		}
	}
	for _, tc := range []struct {
		name    string
		w       *world
		csv     string
		opts    plan.Options
		field   string
		changes int
		limit   int
		tripped bool
	}{
		{"half of them", w, shifted(5), plan.Options{}, "department", 5, 5, false},
		{"raised", w, shifted(6), plan.Options{MaxFieldChanges: "60%"}, "department", 6, 6, false},
		{"four of four: under the floor of five", staffWorld(t, k, 4, 0), staffRoster(4, "name,email,external_id,department",
			func(i int, c string) string {
				return map[bool]string{true: "Clerk", false: unchanged(i, c)}[c == "department"]
			}),
			plan.Options{}, "department", 4, 4, false},
		{"empty fields filled for everyone", staffWorld(t, k, 10, 10), staffRoster(10, "name,email,external_id,title,department", unchanged),
			plan.Options{}, "department", 0, 0, false},
		{"titles cleared", w, staffRoster(10, "name,email,external_id,title",
			func(i int, c string) string { return map[bool]string{true: "", false: unchanged(i, c)}[c == "title"] }),
			plan.Options{Empty: "clear"}, "title", 10, 5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.w.plan(t, tc.csv, tc.opts)
			if tc.changes == 0 {
				for _, g := range p.ChangeGuards {
					if g.Option == "--max-field-changes" {
						t.Errorf("a guard for filled fields: %+v", g)
					}
				}
				if p.Refused != "" || p.Counts(plan.KindAccount)[plan.Update] != 10 {
					t.Errorf("filling refused %q: %s", p.Refused, p.Summary())
				}
				return
			}
			g := guardOf(t, p, tc.field)
			if g.Changes != tc.changes || g.Limit != tc.limit || g.Tripped != tc.tripped || (p.Refused != "") != tc.tripped || g.Raised != (tc.opts.MaxFieldChanges != "") {
				t.Errorf("guard %+v, refused %q", g, p.Refused)
			}
		})
	}
}
