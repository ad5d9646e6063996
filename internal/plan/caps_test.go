package plan_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/testkit"
)

// Reactivation clears the manager where the target says so (Graph; a SCIM
// service without discovery, taken to be Meta's): a reactivation then sets
// the manager again, the old one or the roster's, with a note; where it
// does not (SCIM rfc), the manager is among the fields only if the roster
// changes it.
func TestReactivationManager(t *testing.T) {
	for _, tc := range []struct {
		k      kind
		clears bool
	}{{graphT, true}, {scimT, false}, {metaT, true}} {
		t.Run(tc.k.name, func(t *testing.T) {
			w := quarterlyWorld(t, tc.k)
			caps, err := w.tgt.Capabilities(ctx)
			if err != nil || caps.ReactivationClearsManager != tc.clears {
				t.Fatalf("capabilities: %v, %+v", err, caps)
			}
			for _, rc := range []struct {
				name, csv string
				want      string // the manager diff, "" for none
				ref       string // the account the change sets
			}{
				{"the same manager", "name,email,external_id,manager\nReturner,returner@acme.example,E5,E1\n", "boss@acme.example → E1", "100000000000001"},
				{"another manager", "name,email,external_id,manager\nReturner,returner@acme.example,E5,E2\n", "boss@acme.example → E2", "100000000000002"},
				{"no manager column", "name,email,external_id\nReturner,returner@acme.example,E5\n", "boss@acme.example → boss@acme.example", "100000000000001"},
				{"an empty manager cell", "name,email,external_id,manager\nReturner,returner@acme.example,E5,\n", "boss@acme.example → boss@acme.example", "100000000000001"},
			} {
				t.Run(rc.name, func(t *testing.T) {
					p := w.plan(t, rc.csv, plan.Options{})
					c := change(t, p, 2)
					if c.Action != plan.Reactivate || !c.Sets(roster.Active) || !c.After.Active || p.Check() != "" {
						t.Fatalf("not a reactivation: %s (check %q)", render(p), p.Check())
					}
					sets := rc.name == "another manager" || tc.clears
					if c.Sets(roster.Manager) != sets {
						t.Errorf("manager among the fields: %v, want %v: %s", c.Sets(roster.Manager), sets, render(p))
					}
					if !sets {
						if c.Manager != nil || len(c.Notes) != 0 || diffOf(c, "manager") != "" {
							t.Errorf("a manager set that the service keeps: %s", render(p))
						}
						return
					}
					if c.Manager == nil || c.Manager.AccountID != rc.ref || c.After.ManagerID() != rc.ref || diffOf(c, "manager") != rc.want {
						t.Errorf("manager %+v, diff %q; want %s, %q", c.Manager, diffOf(c, "manager"), rc.ref, rc.want)
					}
					if tc.clears != (len(c.Notes) == 1) {
						t.Fatalf("notes: %q", c.Notes)
					}
					if tc.clears && (!strings.Contains(c.Notes[0], "clears the manager when an account is reactivated: it is set again") || !strings.Contains(c.Notes[0], caps.Service)) {
						t.Errorf("note: %q", c.Notes[0])
					}
					// The manager set again as it was is no overwrite.
					if g := p.FieldChanges()["manager"]; g != map[bool]int{true: 1, false: 0}[rc.name == "another manager"] {
						t.Errorf("manager overwrites counted: %d", g)
					}
					if p.Target.ReactivationClearsManager != tc.clears {
						t.Errorf("the plan's target: %+v", p.Target)
					}
				})
			}
			// --empty clear and an empty manager cell: the manager is
			// cleared, wherever reactivation would keep or restore it.
			t.Run("manager cleared", func(t *testing.T) {
				p := w.plan(t, "name,email,external_id,manager\nReturner,returner@acme.example,E5,\n", plan.Options{Empty: "clear"})
				c := change(t, p, 2)
				if c.Action != plan.Reactivate || !c.Sets(roster.Manager) || c.Manager != nil || c.After.Manager != nil ||
					diffOf(c, "manager") != "boss@acme.example → " || len(c.Notes) != 0 || p.Check() != "" {
					t.Errorf("%s (check %q)", render(p), p.Check())
				}
			})
		})
	}
}

// First and last names: a SCIM target carries them (name.givenName and
// familyName, the display name built from both); Graph carries only the
// name, and does not warn about the columns that build it.
func TestNames(t *testing.T) {
	for _, tc := range []struct {
		k       kind
		carries bool
	}{{graphT, false}, {scimT, true}, {metaT, true}} {
		t.Run(tc.k.name, func(t *testing.T) {
			ann := acct("100000000000001", "Ann Lee", "ann@acme.example", "E1", "", "", true)
			ann.GivenName, ann.FamilyName = "Ann", "Lee"
			w := newWorld(t, tc.k, ann)
			p := w.plan(t, "First name,Last name,email,external_id\n"+
				"Ann,Li,ann@acme.example,E1\n"+ // a new family name
				"Bob,Stone,bob@acme.example,E2\n", plan.Options{})
			for _, w := range p.Warnings {
				if strings.Contains(w, "first_name") || strings.Contains(w, "last_name") {
					t.Errorf("a warning about the name columns: %q", w)
				}
			}
			bob, annC := change(t, p, 3), change(t, p, 2)
			if bob.After.Name.Formatted != "Bob Stone" || diffOf(annC, "name") != "Ann Lee → Ann Li" {
				t.Errorf("names: %s", render(p))
			}
			if !tc.carries {
				if bob.Sets(roster.FirstName) || bob.After.Name.Given != "" || bob.After.Name.Family != "" || annC.Sets(roster.LastName) {
					t.Errorf("given and family names sent to Graph: %s", render(p))
				}
				return
			}
			if bob.After.Name != (target.Name{Formatted: "Bob Stone", Given: "Bob", Family: "Stone"}) || !bob.Sets(roster.FirstName) || !bob.Sets(roster.LastName) || !bob.Sets(roster.Name) {
				t.Errorf("create: %+v: %s", bob.After.Name, render(p))
			}
			if diffOf(annC, "last_name") != "Lee → Li" || annC.Sets(roster.FirstName) || annC.After.Name.Family != "Li" {
				t.Errorf("update: %s", render(p))
			}
			if g := guardOf(t, p, "last_name"); g.Changes != 1 {
				t.Errorf("last_name guard: %+v", g)
			}
		})
	}
}

// auth_method is compared where the target reads it (SCIM with Meta's
// extension); on Graph, which sets it but never reads it, it is sent to
// new accounts, said so for matched ones, and sent to them only with
// --auth-method all.
func TestAuthMethod(t *testing.T) {
	csv := "name,email,external_id,auth_method\nAda,ada@acme.example,E1,sso\nBob,bob@acme.example,E2,password\nCy,cy@acme.example,E3,password\n"
	accounts := func() []*emulator.Account {
		return []*emulator.Account{
			{ID: "100000000000001", Name: "Ada", Email: "ada@acme.example", ExternalID: "E1", AuthMethod: "password", Active: true},
			{ID: "100000000000003", Name: "Cy", Email: "cy@acme.example", ExternalID: "E3", AuthMethod: "password", Active: true},
		}
	}
	t.Run("graph", func(t *testing.T) {
		w := newWorld(t, graphT, accounts()...)
		p := w.plan(t, csv, plan.Options{})
		if len(p.Changes) != 1 || p.Changes[0].Action != plan.Create || p.Changes[0].After.AuthMethod != "password" || !p.Changes[0].Sets(roster.AuthMethod) {
			t.Fatalf("changes: %s", render(p))
		}
		if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "2 matched rows give an auth_method. Workplace's Graph API lets it be set but not read") ||
			!strings.Contains(p.Warnings[0], "--auth-method all") {
			t.Errorf("warnings: %q", p.Warnings)
		}
		p = w.plan(t, csv, plan.Options{AuthMethod: "all"})
		if len(p.Changes) != 3 || p.Changes[0].Action != plan.Update || diffOf(&p.Changes[0], "auth_method") != "(cannot be read) → sso" ||
			diffOf(&p.Changes[2], "auth_method") != "(cannot be read) → password" || len(p.Warnings) != 0 || p.Check() != "" {
			t.Errorf("changes with --auth-method all: %s", render(p))
		}
		if p.FieldChanges()["auth_method"] != 0 {
			t.Errorf("values never read counted as overwrites: %v", p.FieldChanges())
		}
	})
	t.Run("scim", func(t *testing.T) {
		w := newWorld(t, scimT, accounts()...)
		p := w.plan(t, csv, plan.Options{})
		if len(p.Changes) != 2 || diffOf(change(t, p, 2), "auth_method") != "password → sso" || change(t, p, 3).Action != plan.Create || len(p.Warnings) != 0 {
			t.Errorf("changes: %s", render(p))
		}
		if !p.Target.ReadsAuthMethod || guardOf(t, p, "auth_method").Changes != 1 {
			t.Errorf("target %+v, guards %+v", p.Target, p.ChangeGuards)
		}
		// --auth-method all changes nothing where the value is read.
		if q := w.plan(t, csv, plan.Options{AuthMethod: "all"}); renderChanges(q) != renderChanges(p) {
			t.Errorf("--auth-method all: %s", render(q))
		}
	})
}

// capsOf is a target with other capabilities: the target's own reads and
// writes, with edit applied to what it announces. The plan reads only the
// capabilities, so this tests the plan's rule for a target that would
// announce them.
type capsOf struct {
	target.Target
	edit func(*target.Capabilities)
}

func (c capsOf) Capabilities(ctx context.Context) (*target.Capabilities, error) {
	caps, err := c.Target.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	cp := *caps
	c.edit(&cp)
	return &cp, nil
}

// A target whose Find cannot look accounts up by external id is listed,
// even when --read lookup is asked for.
func TestNoExternalIDLookups(t *testing.T) {
	w := quarterlyWorld(t, scimT)
	dir := capsOf{w.tgt, func(c *target.Capabilities) {
		c.LookupBy = slices.DeleteFunc(slices.Clone(c.LookupBy), func(k target.KeyKind) bool { return k == target.ByExternalID })
	}}
	if _, err := dir.Capabilities(ctx); err != nil {
		t.Fatal(err)
	}
	for _, read := range []string{"auto", "lookup"} {
		w.srv.ResetStats()
		p, err := plan.Build(ctx, plan.Input{Result: testkit.ValidateCSV(t, quarterly), ToolVersion: "test"}, dir, plan.Options{Read: read})
		if err != nil {
			t.Fatal(err)
		}
		st := w.srv.Stats().ByRoute
		// Two pages: the first, which says it is everything, and the
		// empty next one that confirms it.
		if p.ReadMode != "list" || st["SCIM GET /Users"] != 2 || len(st) != 1 {
			t.Errorf("--read %s: read %s, calls %v", read, p.ReadMode, st)
		}
		if p.Counts(plan.KindAccount)[plan.Reactivate] != 1 || p.Counts(plan.KindAccount)[plan.Update] != 1 {
			t.Errorf("--read %s: %s", read, render(p))
		}
	}
}

// --sync deactivates the accounts no row names, so it needs every one: a
// target that cannot list completely is refused, before any read. Without
// --sync, such a target is read by look-ups (Capabilities.Complete).
func TestSyncNeedsCompleteListing(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := quarterlyWorld(t, k)
		dir := capsOf{w.tgt, func(c *target.Capabilities) { c.Complete = false }}
		caps, _ := dir.Capabilities(ctx)
		w.srv.ResetStats()
		_, err := plan.Build(ctx, plan.Input{Result: testkit.ValidateCSV(t, quarterly), ToolVersion: "test"}, dir, plan.Options{Sync: true})
		if !errors.Is(err, plan.ErrIncompleteListing) || !strings.Contains(err.Error(), caps.Service+" cannot be listed completely") || !strings.Contains(err.Error(), "plan without --sync") {
			t.Errorf("err = %v", err)
		}
		if st := w.srv.Stats(); st.Calls != 0 {
			t.Errorf("read before refusing: %v", st.ByRoute)
		}
		// Without --sync it plans, looking each row up: a listing it cannot
		// know complete would take an account it missed for absent.
		p, err := plan.Build(ctx, plan.Input{Result: testkit.ValidateCSV(t, quarterly), ToolVersion: "test"}, dir, plan.Options{})
		if err != nil {
			t.Fatalf("without --sync: %v", err)
		}
		if p.ReadMode != "lookup" || renderChanges(p) != renderChanges(w.plan(t, quarterly, plan.Options{})) {
			t.Errorf("read %s: %s", p.ReadMode, render(p))
		}
		_, err = plan.Build(ctx, plan.Input{Result: testkit.ValidateCSV(t, quarterly), ToolVersion: "test"}, dir, plan.Options{Read: "list"})
		if !errors.Is(err, plan.ErrIncompleteListing) || !strings.Contains(err.Error(), "--read list") {
			t.Errorf("--read list: %v", err)
		}
	})
}
