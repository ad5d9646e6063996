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
func staffWorld(t *testing.T, n, empty int) *world {
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
	return newWorld(t, accounts...)
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
	w := staffWorld(t, 29, 0)
	surnames := staffRoster(29, "name,email,external_id", func(i int, c string) string {
		if c == "name" {
			return unchanged(i, "last_name")
		}
		return unchanged(i, c)
	})
	p := w.plan(t, surnames, plan.Options{})
	if p.Counts()[plan.Update] != 29 {
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
	w := staffWorld(t, 29, 0)
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
	p = newWorld(t, accounts...).plan(t, staffRoster(10, "name,email,external_id", unchanged), plan.Options{})
	if g := guardOf(t, p, "email"); p.Refused != "" || g.Changes != 0 || p.Counts()[plan.Update] != 10 {
		t.Errorf("emails filled: refused %q, guard %+v, %s", p.Refused, g, p.Summary())
	}
}

// A shifted column overwrites one field on most matched accounts: refused
// over the share, if at least five change. Filling empty fields passes.
func TestFieldChangeGuard(t *testing.T) {
	w := staffWorld(t, 10, 0)
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
		{"four of four: under the floor of five", staffWorld(t, 4, 0), staffRoster(4, "name,email,external_id,department",
			func(i int, c string) string {
				return map[bool]string{true: "Clerk", false: unchanged(i, c)}[c == "department"]
			}),
			plan.Options{}, "department", 4, 4, false},
		{"empty fields filled for everyone", staffWorld(t, 10, 10), staffRoster(10, "name,email,external_id,title,department", unchanged),
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
				if p.Refused != "" || p.Counts()[plan.Update] != 10 {
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

// Check derives every mass-update guard again from the ops: a plan edited
// past its limit, with its counts changed, or with its option changed, is
// refused; so is a value sent that its changes do not show.
func TestCheckMassUpdates(t *testing.T) {
	w := staffWorld(t, 29, 0)
	// One rename, one email change, five department overwrites (of 29,
	// under 50%): a plan that passes every guard.
	csv := staffRoster(29, "name,email,external_id,department,new_email", func(i int, c string) string {
		switch {
		case c == "name" && i == 0:
			return "Olivia Chen-Li"
		case c == "new_email" && i == 1:
			return "liam@new.example"
		case c == "department" && i < 5:
			return "Marketing"
		}
		return unchanged(i, c)
	})
	fresh := func() *plan.Plan {
		p := w.plan(t, csv, plan.Options{})
		if p.Refused != "" || p.Check() != "" {
			t.Fatalf("a sound plan: refused %q, check %q", p.Refused, p.Check())
		}
		return p
	}
	// opFor returns a copy of p's op for row r.
	opFor := func(p *plan.Plan, row int) plan.Op {
		for _, op := range p.Ops {
			if op.Row == row {
				op.Changes = map[string][2]string{}
				op.Fields = map[string]string{}
				return op
			}
		}
		t.Fatalf("no op for row %d", row)
		return plan.Op{}
	}
	// addChange makes the op of row (a new one if it has none) change field.
	addChange := func(p *plan.Plan, row int, field, was, now string) {
		for i := range p.Ops {
			if p.Ops[i].Row == row {
				p.Ops[i].Fields[field], p.Ops[i].Changes[field] = now, [2]string{was, now}
				return
			}
		}
		for i := range p.Rows {
			if p.Rows[i].Row == row {
				op := opFor(p, 2)
				op.ID, op.Row, op.Key, op.AccountID = len(p.Ops)+1, row, p.Rows[i].Key, p.Rows[i].AccountID
				op.Fields[field], op.Changes[field] = now, [2]string{was, now}
				p.Ops = append(p.Ops, op)
				p.Rows[i].Action, p.Rows[i].Op, p.Rows[i].Changes = plan.Update, op.ID, op.Changes
				return
			}
		}
	}
	for _, tc := range []struct {
		field, option, raised, want string
		add                         func(p *plan.Plan, row int)
	}{
		{"name", "MaxRenames", "100%", "renames 2 of the 29 accounts it matched, over its own limit of 1 (--max-renames 5%)",
			func(p *plan.Plan, row int) { addChange(p, row, "name", "Someone", "Someone Else") }},
		{"email", "MaxEmailChanges", "50%", "changes the login email of 2 of the 29 accounts it matched, over its own limit of 1 (--max-email-changes 5%)",
			func(p *plan.Plan, row int) { addChange(p, row, "email", "a@acme.example", "b@acme.example") }},
		{"department", "MaxFieldChanges", "100%", "overwrites or clears the department of 15 of the 29 accounts it matched, over its own limit of 14 (--max-field-changes 50%)",
			func(p *plan.Plan, row int) {
				for r := row; r < row+10; r++ {
					addChange(p, r, "department", "Sales", "Clerk")
				}
			}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			// Ops added beyond the limit.
			p := fresh()
			tc.add(p, 10)
			if why := p.Check(); !strings.Contains(why, tc.want) {
				t.Errorf("ops beyond the limit: %q, want %q", why, tc.want)
			}
			// The recorded count changed.
			p = fresh()
			for i := range p.ChangeGuards {
				if p.ChangeGuards[i].Field == tc.field {
					p.ChangeGuards[i].Changes = 0
				}
			}
			if why := p.Check(); !strings.Contains(why, "records 0 changes of 29 matched accounts") || !strings.Contains(why, "the file was edited") {
				t.Errorf("count changed: %q", why)
			}
			// The option changed, the guard not.
			p = fresh()
			switch tc.option {
			case "MaxRenames":
				p.Options.MaxRenames = tc.raised
			case "MaxEmailChanges":
				p.Options.MaxEmailChanges = tc.raised
			case "MaxFieldChanges":
				p.Options.MaxFieldChanges = tc.raised
			}
			if why := p.Check(); !strings.Contains(why, fmt.Sprintf("guard for %s (%q) is not its option (%q)", tc.field, guardOf(t, p, tc.field).Spec, tc.raised)) {
				t.Errorf("option changed: %q", why)
			}
			// A value sent that the changes do not show.
			p = fresh()
			op := &p.Ops[len(p.Ops)-1]
			op.Fields[tc.field] = map[bool]string{true: "slipped.in@acme.example", false: "Slipped In"}[tc.field == "email"]
			if why := p.Check(); !strings.Contains(why, "its changes") || !strings.Contains(why, "the file was edited") {
				t.Errorf("a field sent unseen: %q", why)
			}
		})
	}
	// A refused plan with "refused" dropped is refused again.
	p := w.plan(t, staffRoster(29, "name,email,external_id", func(i int, c string) string {
		return map[bool]string{true: unchanged(i, "last_name"), false: unchanged(i, c)}[c == "name"]
	}), plan.Options{})
	p.Refused = ""
	if why := p.Check(); !strings.Contains(why, "renames 29 of the 29 accounts it matched, over its own limit of 1") {
		t.Errorf("refused dropped: %q", why)
	}
	// A plan made before these guards, or stripped of them.
	p = fresh()
	p.Options.MaxEmailChanges = ""
	if why := p.Check(); why != "the plan has no --max-email-changes option: it was made by an older wpimport, or edited; make the plan again" {
		t.Errorf("no option: %q", why)
	}
	// A guard recorded for no change, or one dropped.
	p = fresh()
	p.ChangeGuards = append(p.ChangeGuards, plan.ChangeGuard{Option: "--max-field-changes", Field: "title", Spec: "50%"})
	if why := p.Check(); !strings.Contains(why, "records a --max-field-changes guard for title that its ops do not give") {
		t.Errorf("extra guard: %q", why)
	}
	p = fresh()
	p.ChangeGuards = p.ChangeGuards[:2]
	if why := p.Check(); !strings.Contains(why, "overwrites or clears the department of 5 accounts, which its guards do not record") {
		t.Errorf("dropped guard: %q", why)
	}
}

// An op whose changes show a value the account has as empty (so that the
// guards count a fill, not an overwrite) is stale when apply re-reads it.
func TestStaleCatchesMisstatedOldValues(t *testing.T) {
	w := staffWorld(t, 3, 0)
	p := w.plan(t, staffRoster(3, "name,email,external_id,department", func(i int, c string) string {
		return map[bool]string{true: "Marketing", false: unchanged(i, c)}[c == "department"]
	}), plan.Options{})
	if len(p.Ops) != 3 || p.Ops[0].Changes["department"] != [2]string{"Sales", "Marketing"} {
		t.Fatalf("ops: %s", render(p))
	}
	stale, err := plan.Stale(ctx, w.client, p.Ops, nil)
	if err != nil || len(stale) != 0 {
		t.Fatalf("fresh plan: stale %v, %v", stale, err)
	}
	p.Ops[1].Changes["department"] = [2]string{"", "Marketing"}
	stale, _ = plan.Stale(ctx, w.client, p.Ops, nil)
	want := `the plan shows the department of account 100000000000002 as "", but it is "Sales": the plan file was edited`
	if len(stale) != 1 || stale[2] != want {
		t.Errorf("stale = %v, want op 2: %s", stale, want)
	}
}
