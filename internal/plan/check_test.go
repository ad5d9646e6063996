package plan_test

import (
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// Check refuses a plan edited into one nobody signed off: every change's
// shape, cause and values are checked again, and the --max-deactivate
// guard counted again from the changes. The quarterly plan (an update, a
// reactivation, a create and a --sync deactivation) is edited one way at
// a time.
func TestCheckRefusesEditedPlans(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := quarterlyWorld(t, k)
		fresh := func() *plan.Plan {
			p := w.plan(t, quarterly, plan.Options{Sync: true, MaxDeactivate: "50%"})
			if why := p.Check(); why != "" {
				t.Fatalf("a sound plan refused: %q", why)
			}
			return p
		}
		const mover, returner, joiner = 3, 5, 6
		for _, tc := range []struct {
			name, want string
			edit       func(p *plan.Plan)
		}{
			{"out of sequence", "change 2 is out of sequence (position 1): the file was edited",
				func(p *plan.Plan) { p.Changes[0].ID = 2 }},
			{"a delete in a roster plan", "change 1 (row 3, E2): a delete in a plan not made with --delete-unclaimed (offboard) or --delete-created (undo)",
				func(p *plan.Plan) { c := change(t, p, mover); c.Action, c.Fields, c.After = plan.Delete, nil, nil }},
			{"an erasure in a roster plan", "an erasure in a plan not made with --erase",
				func(p *plan.Plan) { c := change(t, p, mover); c.Action, c.Fields, c.After = plan.Erase, nil, nil }},
			{"an offboarding change in a roster plan", "an offboarding change in a plan that is not an offboarding plan",
				func(p *plan.Plan) { change(t, p, mover).Cause = plan.CauseOffboard }},
			{"an undo change in a roster plan", "an undo change in a plan that is not an undo plan",
				func(p *plan.Plan) { change(t, p, mover).Cause = plan.CauseUndo }},
			{"an unknown cause", `unknown cause "whim"`,
				func(p *plan.Plan) { change(t, p, mover).Cause = "whim" }},
			{"an unknown action", `unknown action "rename"`,
				func(p *plan.Plan) { change(t, p, mover).Action = "rename" }},
			{"a --sync deactivation without --sync", "change 4 (row 0, E4): a --sync deactivation in a plan not made with --sync",
				func(p *plan.Plan) { p.Options.Sync = false }},
			{"a manager pointing to no create", "change 3 (row 6, E6): its manager refers to no create of this plan",
				func(p *plan.Plan) { c := change(t, p, joiner); c.Manager.AccountID, c.Manager.CreateOp = "", 9 }},
			{"a manager pointing to itself", "its manager refers to no create of this plan",
				func(p *plan.Plan) { c := change(t, p, joiner); c.Manager.AccountID, c.Manager.CreateOp = "", c.ID }},
			{"a manager pointing to an update", "its manager refers to no create of this plan",
				func(p *plan.Plan) {
					c := change(t, p, joiner)
					c.Manager.AccountID, c.Manager.CreateOp = "", change(t, p, mover).ID
				}},
			{"a manager named, not set", "it names a manager but does not set one",
				func(p *plan.Plan) {
					change(t, p, mover).Manager = &plan.ManagerRef{AccountID: "100000000000003", Ref: "E3"}
				}},
			{"a deactivation more than counted", "the plan deactivates or deletes 2 accounts; its own limit is 2 (--max-deactivate 50% of 5 active accounts) and its guard counted 1",
				func(p *plan.Plan) {
					c := change(t, p, 0)
					d := *c
					d.ID, d.Key, d.AccountID = len(p.Changes)+1, "E3", "100000000000003"
					d.Before = c.Before.Clone()
					d.Before.ID, d.Before.ExternalID, d.Before.Email = "100000000000003", "E3", "stayer@acme.example"
					d.Fingerprint = plan.Fingerprint(d.Before)
					p.Changes = append(p.Changes, d)
				}},
			{"the guard's option edited", `the plan's guard ("100%") is not its --max-deactivate option ("50%"): the file was edited`,
				func(p *plan.Plan) { p.Guard.Spec = "100%" }},
			{"the guard's base edited", "its own limit is 0 (--max-deactivate 50% of 1 active accounts)",
				func(p *plan.Plan) { p.Guard.Active = 1 }},
			{"a create that names an account", "change 3 (row 6, E6): a create must name no account, and have read none",
				func(p *plan.Plan) { change(t, p, joiner).AccountID = "100000000000003" }},
			{"a create without look-up keys", "a create must carry the keys to look its account up",
				func(p *plan.Plan) { change(t, p, joiner).Lookup = nil }},
			{"a create whose keys are not its values", "a create's look-up keys differ from its values",
				func(p *plan.Plan) { change(t, p, joiner).After.Email = "someone.else@acme.example" }},
			{"a create of an inactive account", "a create makes an active account",
				func(p *plan.Plan) {
					c := change(t, p, joiner)
					c.Fields, c.After.Active = append(c.Fields, roster.Active), false
				}},
			{"an update that names another account", "the change names no account, or another than the one it read",
				func(p *plan.Plan) { change(t, p, mover).AccountID = "100000000000003" }},
			{"a Before edited", "change 1 (row 3, E2): the account as the plan read it does not have the fingerprint the plan recorded: the file was edited",
				func(p *plan.Plan) { change(t, p, mover).Before.Title = "Intern" }},
			{"an update that reactivates", "an update does not change whether the account is active",
				func(p *plan.Plan) { change(t, p, returner).Action = plan.Update }},
			{"a reactivation of an active account", "a reactivation activates a deactivated account",
				func(p *plan.Plan) {
					c := change(t, p, mover)
					c.Action, c.Fields, c.After.Active = plan.Reactivate, append(c.Fields, roster.Active), true
				}},
			{"a deactivation that writes more", "a deactivation changes nothing but active, of an active account",
				func(p *plan.Plan) {
					c := change(t, p, 0)
					c.Fields, c.After.Title = append(c.Fields, roster.Title), "Gone"
				}},
			{"a name cleared", "change 1 (row 3, E2): it clears name, which is never cleared",
				func(p *plan.Plan) { c := change(t, p, mover); c.Fields = append(c.Fields, roster.Name) }},
			{"a value the roster's rules refuse", "field work_locale: ",
				func(p *plan.Plan) {
					c := change(t, p, mover)
					c.Fields, c.After.Locale = append(c.Fields, roster.WorkLocale), "Klingon"
				}},
			{"a control character", "field title: it holds control characters",
				func(p *plan.Plan) { change(t, p, mover).After.Title = "CEO\x07" }},
			{"an unknown field", `unknown or repeated field "shoe_size"`,
				func(p *plan.Plan) { c := change(t, p, mover); c.Fields = append(c.Fields, "shoe_size") }},
			{"a repeated field", `unknown or repeated field "title"`,
				func(p *plan.Plan) { c := change(t, p, mover); c.Fields = append(c.Fields, roster.Title) }},
			{"a bad phone", `phone "12": `,
				func(p *plan.Plan) { change(t, p, mover).Phones = []target.Phone{{Number: "12", Primary: true}} }},
			{"a picture both URL and file", "a picture is a URL or a file",
				func(p *plan.Plan) {
					change(t, p, joiner).Picture = &plan.Picture{URL: "https://x.example/a.jpg", File: "a.jpg"}
				}},
			{"a picture out of the roster's folder", "picture_file: ",
				func(p *plan.Plan) { change(t, p, joiner).Picture = &plan.Picture{File: "../../etc/a.jpg"} }},
			{"a read value shown as unreadable", "it shows title as unreadable, but does not write it or read a value of it: the file was edited",
				func(p *plan.Plan) { change(t, p, mover).Unread = []roster.Field{roster.Title} }},
			{"an unwritten field shown as unreadable", "it shows auth_method as unreadable",
				func(p *plan.Plan) { change(t, p, mover).Unread = []roster.Field{roster.AuthMethod} }},
			{"a change with no values", "it has no values to write",
				func(p *plan.Plan) { change(t, p, mover).After = nil }},
			{"an unknown kind", `unknown kind "printer"`,
				func(p *plan.Plan) { change(t, p, mover).Kind = "printer" }},
			{"dropped refusal", "it was refused when planned: the plan deactivates",
				func(p *plan.Plan) { p.Refused = "the plan deactivates 9 accounts" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := fresh()
				tc.edit(p)
				if why := p.Check(); !strings.Contains(why, tc.want) {
					t.Errorf("Check = %q, want %q", why, tc.want)
				}
			})
		}
	})
}

// An edited plan that removes group members without --sync-groups, beyond
// its limit, or adds a member made by a change that is not a create, is
// refused; a group change must name its group, and a set change its set.
func TestCheckGroups(t *testing.T) {
	base := func() *plan.Plan {
		p := &plan.Plan{Kind: "roster", Options: plan.Options{MaxDeactivate: "5%", MaxGroupRemovals: "1"}, Guard: plan.Guard{Spec: "5%"}, GroupMembersRead: 10,
			Changes: []plan.Change{{ID: 1, Kind: plan.KindAccount, Cause: plan.CauseRoster, Action: plan.Create, Key: "a@x.example", Fingerprint: "absent",
				After:  &target.Account{Name: target.Name{Formatted: "A"}, Email: "a@x.example", Active: true},
				Fields: []roster.Field{roster.Name, roster.Email}, Lookup: &plan.Lookup{Email: "a@x.example"}},
				{ID: 2, Kind: plan.KindGroup, Cause: plan.CauseRoster, Key: "G", Action: plan.Update, Group: &plan.GroupChange{GroupID: "9", Members: 10,
					Add: []plan.MemberRef{{CreateOp: 1, Ref: "a"}}, Remove: []plan.MemberRef{{AccountID: "5", Ref: "e"}}}}}}
		p.Options.Normalize()
		p.ChangeGuards = p.MassUpdateGuards()
		return p
	}
	p := base()
	if why := p.Check(); !strings.Contains(why, "not made with --sync-groups") {
		t.Fatalf("removals without --sync-groups: %q", why)
	}
	p.Options.SyncGroups = true
	if why := p.Check(); why != "" {
		t.Fatalf("a sound plan refused: %q", why)
	}
	p.Changes[1].Group.Remove = append(p.Changes[1].Group.Remove, plan.MemberRef{AccountID: "6", Ref: "f"})
	if why := p.Check(); !strings.Contains(why, "the plan removes 2 group members, over its limit of 1 (--max-group-removals 1 of 10 members)") {
		t.Fatalf("over the limit: %q", why)
	}
	for _, tc := range []struct {
		name, want string
		edit       func(g *plan.Change)
	}{
		{"a member of no create", `change 2 (group "G"): it adds a member made by change 7, which is not an account create`,
			func(g *plan.Change) { g.Group.Add[0].CreateOp = 7 }},
		{"a member of itself", "it adds a member made by change 2, which is not an account create",
			func(g *plan.Change) { g.Group.Add[0].CreateOp = 2 }},
		{"a member with no account", "it adds a member with no account",
			func(g *plan.Change) { g.Group.Add[0] = plan.MemberRef{Ref: "nobody"} }},
		{"a removal with no account", "it removes a member with no account",
			func(g *plan.Change) { g.Group.Remove[0].AccountID = "" }},
		{"an update of no group", "a group update names no group",
			func(g *plan.Change) { g.Group.GroupID = "" }},
		{"a create of an existing group", "a group create names an existing group",
			func(g *plan.Change) { g.Action = plan.Create }},
		{"a skipped group that changes", "a group change of action skip changes members",
			func(g *plan.Change) { g.Action = plan.Skip }},
		{"a group deleted outside undo", "a group deletion outside an undo plan made with --delete-created",
			func(g *plan.Change) { g.Action = plan.Delete }},
		{"no group", "a group change holds no group",
			func(g *plan.Change) { g.Group = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			p.Options.SyncGroups = true
			tc.edit(&p.Changes[1])
			if why := p.Check(); !strings.Contains(why, tc.want) {
				t.Errorf("Check = %q, want %q", why, tc.want)
			}
		})
	}
}

// A value in After that the change does not list in Fields is refused: a
// create sends its After whole, so it would be sent without being shown
// (Diffs shows Fields only), and no guard would count it. So is an After
// manager that is not the change's manager reference.
func TestCheckAfterOutsideFields(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := quarterlyWorld(t, k)
		const mover, joiner = 3, 6
		for _, tc := range []struct {
			name, want string
			edit       func(p *plan.Plan)
		}{
			{"a department slipped into a create", "change 3 (row 6, E6): After holds a value of department, which the change does not list in its fields: the file was edited",
				func(p *plan.Plan) { change(t, p, joiner).After.Department = "Slipped In" }},
			{"a department slipped into an update", "change 1 (row 3, E2): After holds a value of department, which the change does not list in its fields: the file was edited",
				func(p *plan.Plan) { change(t, p, mover).After.Department = "Slipped In" }},
			{"a manager slipped into an update", "After holds a value of manager, which the change does not list in its fields",
				func(p *plan.Plan) { change(t, p, mover).After.Manager = &target.Ref{ID: "100000000000003"} }},
			{"phones in After", "After holds a value of phone, which the change does not list in its fields",
				func(p *plan.Plan) {
					change(t, p, joiner).After.Phones = []target.Phone{{Number: "+15550100", Primary: true}}
				}},
			{"frontline in After", "After holds a value of is_frontline, which the change does not list in its fields",
				func(p *plan.Plan) { change(t, p, joiner).After.Frontline = &target.Frontline{IsFrontline: true} }},
			{"another manager in After than the reference", "change 3 (row 6, E6): After's manager (100000000000003) is not the change's manager (100000000000002): the file was edited",
				func(p *plan.Plan) { change(t, p, joiner).After.Manager = &target.Ref{ID: "100000000000003"} }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := w.plan(t, quarterly, plan.Options{Sync: true, MaxDeactivate: "50%"})
				tc.edit(p)
				if why := p.Check(); !strings.Contains(why, tc.want) {
					t.Errorf("Check = %q, want %q", why, tc.want)
				}
			})
		}
	})
}

// Every value of Before that a guard counts or the sign-off shows is
// covered by the fingerprint: a Before edited in any of them (to show an
// overwrite as a fill, or a wrong old value) is refused by Check.
func TestCheckEveryBeforeEdit(t *testing.T) {
	each(t, func(t *testing.T, k kind) {
		w := quarterlyWorld(t, k)
		for _, f := range plan.GuardedFields {
			t.Run(f, func(t *testing.T) {
				p := w.plan(t, quarterly, plan.Options{Sync: true, MaxDeactivate: "50%"})
				c := change(t, p, 3)
				b := c.Before
				switch f {
				case "manager":
					b.Manager = &target.Ref{ID: "100000000000009"}
				case "frontline":
					b.Frontline = &target.Frontline{IsFrontline: true, HasAccess: true}
				case "phone":
					b.Phones = []target.Phone{{Number: "+15550100", Primary: true}}
				default:
					b.Set(roster.Field(f), "Edited")
				}
				if why := p.Check(); !strings.Contains(why, "does not have the fingerprint the plan recorded: the file was edited") {
					t.Errorf("Before's %s edited: Check = %q", f, why)
				}
			})
		}
	})
}
