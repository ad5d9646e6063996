package plan_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

var offNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// offboardWorld: Ann (active, claimed), Ben (active, never claimed), Cat
// (deactivated ten days ago), Dan (deactivated yesterday), and two more
// active accounts, six active in all.
func offboardWorld(t *testing.T, k kind) *world {
	claimed := func(a *emulator.Account) *emulator.Account {
		a.Claimed, a.ClaimedAt = true, offNow.Add(-100*24*time.Hour)
		return a
	}
	gone := func(a *emulator.Account, ago time.Duration) *emulator.Account {
		a.DeactivateAt = offNow.Add(-ago)
		return claimed(a)
	}
	return newWorld(t, k,
		claimed(acct("100000000000001", "Ann", "ann@acme.example", "E1", "", "", true)),
		acct("100000000000002", "Ben", "ben@acme.example", "E2", "", "", true),
		gone(acct("100000000000003", "Cat", "cat@acme.example", "E3", "", "", false), 10*24*time.Hour),
		gone(acct("100000000000004", "Dan", "dan@acme.example", "E4", "", "", false), 24*time.Hour),
		claimed(acct("100000000000005", "Eve", "eve@acme.example", "E5", "", "", true)),
		claimed(acct("100000000000006", "Fay", "fay@acme.example", "E6", "", "", true)),
		claimed(acct("100000000000007", "Gus", "gus@acme.example", "E7", "", "", true)),
		claimed(acct("100000000000008", "Hal", "hal@acme.example", "E8", "", "", true)),
	)
}

var offList = []plan.OffboardEntry{
	{Row: 2, Key: "ann@acme.example"},
	{Row: 3, Key: "E2"},
	{Row: 4, Key: "100000000000003"},
	{Row: 5, Key: "DAN@acme.example"},
	{Row: 6, Key: "100000000000001"}, // Ann again
	{Row: 7, Key: "nobody@acme.example"},
	{Row: 8, Key: ""},
}

func (w *world) offboard(t *testing.T, opts plan.Options) (*plan.Plan, error) {
	t.Helper()
	return plan.Offboard(ctx, plan.OffboardInput{Path: "leavers.csv", ToolVersion: "test", Entries: offList, Now: offNow}, w.tgt, opts)
}

// rowsOf renders a plan's rows: "row action status codes".
func rowsOf(p *plan.Plan) map[int]string {
	out := map[int]string{}
	for _, r := range p.Rows {
		var codes []string
		for _, is := range r.Issues {
			codes = append(codes, is.Code)
		}
		out[r.Row] = string(r.Action) + " " + string(r.Status) + " " + strings.Join(codes, ",")
	}
	return out
}

// Offboarding deactivates the listed accounts, by any key, once each;
// --delete-unclaimed deletes those never claimed (a claimed one is
// deactivated, with a warning); the --max-deactivate guard counts both.
func TestOffboard(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := offboardWorld(t, k)
		p, err := w.offboard(t, plan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// Two of six active accounts: over the default 5%.
		if !p.Guard.Tripped || p.Guard.Active != 6 || p.Guard.Deactivations != 2 ||
			!strings.Contains(p.Refused, "the plan deactivates 2 accounts, over the limit of 0 (--max-deactivate 5% of 6 active accounts); check the list") {
			t.Errorf("guard %+v, refused %q", p.Guard, p.Refused)
		}
		p, _ = w.offboard(t, plan.Options{MaxDeactivate: "2"})
		want := map[int]string{
			2: "deactivate planned ", 3: "deactivate planned ", 4: "none planned plan.note", 5: "none planned plan.note",
			6: "none planned offboard.duplicate", 7: "skip invalid offboard.not_found", 8: "skip invalid offboard.no_key",
		}
		for row, s := range rowsOf(p) {
			if want[row] != s {
				t.Errorf("row %d: %q, want %q", row, s, want[row])
			}
		}
		for _, c := range p.Changes {
			if c.Kind != plan.KindAccount || c.Cause != plan.CauseOffboard || c.Action != plan.Deactivate || len(c.Fields) != 1 || c.Fields[0] != roster.Active ||
				c.Before == nil || diffOf(&c, "active") != "true → false" {
				t.Errorf("change %+v", c)
			}
		}
		if p.Refused != "" || p.Kind != "offboard" || p.Check() != "" || len(p.Changes) != 2 {
			t.Errorf("refused %q, check %q: %s", p.Refused, p.Check(), render(p))
		}
		// --delete-unclaimed: Ben, never claimed, is deleted; Ann,
		// claimed, deactivated.
		p, err = w.offboard(t, plan.Options{DeleteUnclaimed: true, MaxDeactivate: "2"})
		if err != nil {
			t.Fatal(err)
		}
		ben := change(t, p, 3)
		if ben.Action != plan.Delete || len(ben.Fields) != 0 || ben.After != nil || !strings.HasPrefix(ben.Reason, "never claimed: deleted") ||
			diffOf(ben, "account") != "exists → deleted" || p.Check() != "" {
			t.Errorf("Ben: %+v (check %q)", ben, p.Check())
		}
		if len(ben.Irreversible) != 1 || ben.Irreversible[0] != "the account is deleted: "+p.Target.Service+" cannot restore it" {
			t.Errorf("Ben's irreversible: %q", ben.Irreversible)
		}
		if r := rowsOf(p)[2]; r != "deactivate planned offboard.claimed" {
			t.Errorf("Ann: %q", r)
		}
		if p.Guard.Deactivations != 2 || !strings.Contains(p.Summary(), "1 to deactivate, 0 to reactivate, 1 to delete") {
			t.Errorf("guard %+v, %s", p.Guard, p.Summary())
		}
		// Check: a deletion of a plan not made with --delete-unclaimed.
		p.Options.DeleteUnclaimed = false
		if why := p.Check(); !strings.Contains(why, "a delete in a plan not made with --delete-unclaimed") {
			t.Errorf("Check: %q", why)
		}
		if ws := writes(w.srv); len(ws) != 0 {
			t.Errorf("planning wrote: %v", ws)
		}
	})
}

// --erase erases the personal data of accounts deactivated at least the
// target's grace period ago (Workplace: 4 days), IRREVERSIBLY, and says
// when the others can be; a target with no erasure refuses the option.
func TestOffboardErase(t *testing.T) {
	w := offboardWorld(t, graphT)
	p, err := w.offboard(t, plan.Options{Erase: true, MaxDeactivate: "2"})
	if err != nil {
		t.Fatal(err)
	}
	cat := change(t, p, 4)
	if cat.Action != plan.Erase || cat.Reason != "deactivated on 2026-02-28: personal data erased, IRREVERSIBLY" || len(cat.Irreversible) != 1 ||
		diffOf(cat, "personal data") != "kept → erased (irreversible)" {
		t.Errorf("Cat: %+v", cat)
	}
	want := map[int]string{2: "deactivate planned offboard.erase_later", 3: "deactivate planned offboard.erase_later",
		4: "erase planned ", 5: "none planned offboard.erase_later,plan.note"}
	got := rowsOf(p)
	for row, s := range want {
		if got[row] != s {
			t.Errorf("row %d: %q, want %q", row, got[row], s)
		}
	}
	for _, r := range p.Rows {
		if r.Row == 5 && !strings.Contains(r.Issues[0].Message, "personal data can be erased only 4 days after deactivation: from 2026-03-13 12:00 UTC") {
			t.Errorf("Dan: %q", r.Issues[0].Message)
		}
		if r.Row == 2 && !strings.Contains(r.Issues[0].Message, "from 2026-03-14 12:00 UTC") {
			t.Errorf("Ann: %q", r.Issues[0].Message)
		}
	}
	if len(p.Warnings) != 1 || !strings.HasPrefix(p.Warnings[0], "IRREVERSIBLE: applying this plan erases the personal data of 1 account ") || p.Check() != "" {
		t.Errorf("warnings %q, check %q", p.Warnings, p.Check())
	}
	p.Options.Erase = false
	if why := p.Check(); !strings.Contains(why, "an erasure in a plan not made with --erase") {
		t.Errorf("Check: %q", why)
	}
	s := offboardWorld(t, scimT)
	if _, err := s.offboard(t, plan.Options{Erase: true}); !errors.As(err, new(*plan.OptionError)) || !strings.Contains(err.Error(), "has no form of it") {
		t.Errorf("scim --erase: %v", err)
	}
}

// Only an account read as never claimed is deleted: Check refuses a
// deletion edited in for an account the plan read as claimed (or whose
// claim the target does not tell), and an account claimed since the plan
// was made is stale.
func TestDeleteOnlyUnclaimed(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := offboardWorld(t, k)
		p, err := w.offboard(t, plan.Options{DeleteUnclaimed: true, MaxDeactivate: "2"})
		if err != nil {
			t.Fatal(err)
		}
		ann := change(t, p, 2)
		ann.Action, ann.Fields, ann.After = plan.Delete, nil, nil
		if why := p.Check(); !strings.Contains(why, "change 1 (row 2, ann@acme.example): a delete of an account the plan read as claimed, or whose claim the target does not tell") {
			t.Errorf("Check = %q", why)
		}
	})
	// The emulator cannot claim an account while it runs: an in-memory
	// directory stands for the target (StaleChanges' rule is the plan's).
	dir := &memDir{caps: strictCaps(), accounts: []target.Account{
		{ID: "1", Name: target.Name{Formatted: "Ben"}, Email: "ben@acme.example", ExternalID: "E2", Active: true, Claim: target.Unclaimed},
	}}
	dir.caps.Delete = target.DeleteRemoves
	p, err := plan.Offboard(ctx, plan.OffboardInput{Entries: []plan.OffboardEntry{{Row: 2, Key: "E2"}}, Now: offNow}, dir, plan.Options{DeleteUnclaimed: true, MaxDeactivate: "1"})
	if err != nil || len(p.Changes) != 1 || p.Changes[0].Action != plan.Delete {
		t.Fatalf("%v: %s", err, render(p))
	}
	dir.accounts[0].Claim = target.Claimed
	stale, err := plan.StaleChanges(ctx, dir, pointers(p), nil)
	if want := "account 1 was claimed since the plan was made: it is not deleted; deactivate it, or plan again"; err != nil || stale[1] != want {
		t.Errorf("stale = %v, %v; want %q", stale, err, want)
	}
}
