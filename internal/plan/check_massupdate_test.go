package plan_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// Check derives every mass-update guard again from the changes' own Before
// and After: a plan edited past its limit, with its counts changed, or
// with its option changed, is refused; so is a Before edited to hide an
// overwrite.
func TestCheckMassUpdates(t *testing.T) {
	each(t, testCheckMassUpdates)
}

func testCheckMassUpdates(t *testing.T, k kind) {
	w := staffWorld(t, k, 29, 0)
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
	// addChange makes the change of row (a new update if it has none)
	// write field: After gets the value, the account as read stays Before
	// (as an editor who kept the fingerprints right would leave it).
	addChange := func(p *plan.Plan, row int, field roster.Field, now string) {
		for i := range p.Changes {
			if c := &p.Changes[i]; c.Row == row {
				c.After.Set(field, now)
				if !c.Sets(field) {
					c.Fields = append(c.Fields, field)
				}
				return
			}
		}
		for i := range p.Rows {
			r := &p.Rows[i]
			if r.Row != row {
				continue
			}
			key := target.Key{Kind: target.ByID, Value: r.AccountID}
			found, err := w.tgt.Find(ctx, []target.Key{key})
			if err != nil || found[key] == nil {
				t.Fatalf("read %s: %v", r.AccountID, err)
			}
			acc := found[key]
			c := plan.Change{ID: len(p.Changes) + 1, Kind: plan.KindAccount, Action: plan.Update, Cause: plan.CauseRoster, Row: row, Key: r.Key,
				AccountID: acc.ID, Before: acc, After: &target.Account{Active: true}, Fields: []roster.Field{field}, Fingerprint: plan.Fingerprint(acc)}
			c.After.Set(field, now)
			p.Changes = append(p.Changes, c)
			r.Action, r.Change = plan.Update, c.ID
			return
		}
		t.Fatalf("no row %d", row)
	}
	for _, tc := range []struct {
		field        roster.Field
		option, want string
		raised       string
		add          func(p *plan.Plan, row int)
	}{
		{"name", "MaxRenames", "renames 2 of the 29 accounts it matched, over its own limit of 1 (--max-renames 5%)", "100%",
			func(p *plan.Plan, row int) { addChange(p, row, roster.Name, "Someone Else") }},
		{"email", "MaxEmailChanges", "changes the login email of 2 of the 29 accounts it matched, over its own limit of 1 (--max-email-changes 5%)", "50%",
			func(p *plan.Plan, row int) { addChange(p, row, roster.Email, "b@acme.example") }},
		{"department", "MaxFieldChanges", "overwrites or clears the department of 15 of the 29 accounts it matched, over its own limit of 14 (--max-field-changes 50%)", "100%",
			func(p *plan.Plan, row int) {
				for r := row; r < row+10; r++ {
					addChange(p, r, roster.Department, "Clerk")
				}
			}},
	} {
		t.Run(string(tc.field), func(t *testing.T) {
			// Changes added beyond the limit.
			p := fresh()
			tc.add(p, 10)
			if why := p.Check(); !strings.Contains(why, tc.want) {
				t.Errorf("changes beyond the limit: %q, want %q", why, tc.want)
			}
			// The recorded count changed.
			p = fresh()
			for i := range p.ChangeGuards {
				if p.ChangeGuards[i].Field == string(tc.field) {
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
			if why := p.Check(); !strings.Contains(why, fmt.Sprintf("guard for %s (%q) is not its option (%q)", tc.field, guardOf(t, p, string(tc.field)).Spec, tc.raised)) {
				t.Errorf("option changed: %q", why)
			}
			// An overwrite hidden by an edited Before (shown as empty, so
			// that the guards count a fill): its fingerprint is wrong.
			p = fresh()
			c := changeWriting(t, p, tc.field)
			c.Before.Set(tc.field, "")
			if why := p.Check(); !strings.Contains(why, fmt.Sprintf("change %d (row %d, %s): the account as the plan read it does not have the fingerprint the plan recorded: the file was edited", c.ID, c.Row, c.Key)) {
				t.Errorf("Before edited: %q", why)
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

// changeWriting returns the first change that writes field f.
func changeWriting(t *testing.T, p *plan.Plan, f roster.Field) *plan.Change {
	t.Helper()
	for i := range p.Changes {
		if p.Changes[i].Sets(f) {
			return &p.Changes[i]
		}
	}
	t.Fatalf("no change writes %s:\n%s", f, render(p))
	return nil
}

// A change whose Before shows a value the account has as empty (so that
// the guards count a fill, not an overwrite) is refused by Check: its
// guard records one overwrite more. With its fingerprint and the guards
// made to match, it passes Check, and is stale when apply re-reads the
// account.
func TestStaleCatchesMisstatedOldValues(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := staffWorld(t, k, 3, 0)
		p := w.plan(t, staffRoster(3, "name,email,external_id,department", func(i int, c string) string {
			return map[bool]string{true: "Marketing", false: unchanged(i, c)}[c == "department"]
		}), plan.Options{})
		if len(p.Changes) != 3 || diffOf(&p.Changes[0], "department") != "Sales → Marketing" {
			t.Fatalf("changes: %s", render(p))
		}
		stale, err := plan.StaleChanges(ctx, w.tgt, pointers(p), nil)
		if err != nil || len(stale) != 0 {
			t.Fatalf("fresh plan: stale %v, %v", stale, err)
		}
		c := &p.Changes[1]
		c.Before.Department = ""
		c.Fingerprint = plan.Fingerprint(c.Before)
		if why := p.Check(); !strings.Contains(why, "guard for department records 3 changes of 3 matched accounts (limit 4); its ops and rows give 2 of 3 (limit 4): the file was edited") {
			t.Errorf("Before and fingerprint edited: %q", why)
		}
		p.ChangeGuards = p.MassUpdateGuards()
		if why := p.Check(); why != "" || diffOf(c, "department") != " → Marketing" {
			t.Fatalf("the consistent edit: check %q, diff %q", why, diffOf(c, "department"))
		}
		stale, _ = plan.StaleChanges(ctx, w.tgt, pointers(p), nil)
		want := "account 100000000000002 changed since the plan was made (department: (empty) → Sales)"
		if len(stale) != 1 || stale[2] != want {
			t.Errorf("stale = %v, want change 2: %s", stale, want)
		}
	})
}
