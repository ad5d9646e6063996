package plan_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/testkit"
)

// groupsWorld is a SCIM service with four people, the group Eng (Ann and
// Ben) and the group Ops (Cat), which no roster below names.
func groupsWorld(t *testing.T) *world {
	w := newWorld(t, scimT,
		acct("100000000000001", "Ann", "ann@acme.example", "E1", "", "", true),
		acct("100000000000002", "Ben", "ben@acme.example", "E2", "", "", true),
		acct("100000000000003", "Cat", "cat@acme.example", "E3", "", "", true),
		acct("100000000000005", "Eve", "eve@acme.example", "E5", "", "", true),
	)
	caps, err := w.tgt.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gr, ok := target.GroupsOf(w.tgt, caps)
	if !ok {
		t.Fatal("the SCIM rfc profile announces no groups")
	}
	for name, members := range map[string][]string{"Eng": {"100000000000001", "100000000000002"}, "Ops": {"100000000000003"}} {
		g, err := gr.CreateGroup(ctx, name)
		if err == nil {
			err = gr.ChangeMembers(ctx, g, members, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return w
}

const groupsRoster = "name,email,external_id,groups\n" +
	"Ann,ann@acme.example,E1,Eng\n" + // 2: a member already
	"Dan,dan@acme.example,E4,Eng; New\n" + // 3: a joiner, in a group to make
	"Cat,cat@acme.example,E3,eng\n" + // 4: added (the name in any case)
	"Eve,eve@acme,E5,Eng\n" // 5: invalid: her place is left as it is

// The groups column: groups made where missing, members added (accounts
// read, and accounts this plan creates), and with --sync-groups the
// members the roster does not list removed from the groups it names,
// behind --max-group-removals; a member whose row is invalid is never
// removed, and a group no row names is never touched.
func TestGroups(t *testing.T) {
	w := groupsWorld(t)
	w.srv.ResetStats()
	p := w.plan(t, groupsRoster, plan.Options{})
	gs := changes(p, plan.KindGroup)
	if len(gs) != 2 || p.Check() != "" {
		t.Fatalf("group changes: %s (check %q)", render(p), p.Check())
	}
	eng, neu := gs[0], gs[1]
	dan := change(t, p, 3)
	if eng.Key != "Eng" || eng.Action != plan.Update || eng.Group.GroupID == "" || eng.Group.Members != 2 || len(eng.Group.Remove) != 0 ||
		len(eng.Group.Add) != 2 || eng.Group.Add[0].CreateOp != dan.ID || eng.Group.Add[1].AccountID != "100000000000003" {
		t.Errorf("Eng: %+v", eng.Group)
	}
	if diffOf(eng, "members added") != " → dan@acme.example; cat@acme.example" {
		t.Errorf("Eng's diff: %q", diffOf(eng, "members added"))
	}
	if neu.Key != "New" || neu.Action != plan.Create || neu.Group.GroupID != "" || len(neu.Group.Add) != 1 || neu.Group.Add[0].CreateOp != dan.ID {
		t.Errorf("New: %+v", neu.Group)
	}
	if !strings.Contains(p.Summary(), "groups: 1 to create, 1 to update (3 members to add, 0 to remove), 0 unchanged") || p.GroupMembersRead != 2 {
		t.Errorf("summary: %s; members read %d", p.Summary(), p.GroupMembersRead)
	}
	// --sync-groups: Ben, listed by no row, is removed from Eng; Eve, on
	// an invalid row, stays. One removal of two members is over 5%.
	p = w.plan(t, groupsRoster, plan.Options{SyncGroups: true})
	eng = changes(p, plan.KindGroup)[0]
	if len(eng.Group.Remove) != 1 || eng.Group.Remove[0].AccountID != "100000000000002" || eng.Group.Remove[0].Ref != "ben@acme.example" {
		t.Errorf("removals: %+v", eng.Group.Remove)
	}
	if !strings.Contains(p.Refused, "--sync-groups would remove 1 group members, over the limit of 0 (--max-group-removals 5% of the 2 members the named groups have)") ||
		!strings.Contains(p.Refused, "--max-group-removals 1") {
		t.Errorf("refused: %q", p.Refused)
	}
	p = w.plan(t, groupsRoster, plan.Options{SyncGroups: true, MaxGroupRemovals: "1"})
	if p.Refused != "" || p.Check() != "" || diffOf(changes(p, plan.KindGroup)[0], "members removed") != "ben@acme.example → " {
		t.Errorf("raised: refused %q, check %q: %s", p.Refused, p.Check(), render(p))
	}
	// A roster that lists everyone already: nothing to do.
	p = w.plan(t, "name,email,external_id,groups\nAnn,ann@acme.example,E1,Eng\nBen,ben@acme.example,E2,Eng\n", plan.Options{SyncGroups: true})
	if gs := changes(p, plan.KindGroup); len(gs) != 1 || gs[0].Action != plan.None || gs[0].Calls() != 0 || p.Refused != "" {
		t.Errorf("unchanged: %s", render(p))
	}
	if ws := writes(w.srv); len(ws) != 0 {
		t.Errorf("planning wrote: %v", ws)
	}
}

// A target without groups warns once and changes none; --sync-groups on
// a target that cannot show every member of a group is refused.
func TestGroupsNotCarried(t *testing.T) {
	w := newWorld(t, graphT, acct("100000000000001", "Ann", "ann@acme.example", "E1", "", "", true))
	p := w.plan(t, groupsRoster, plan.Options{})
	if len(changes(p, plan.KindGroup)) != 0 || len(p.Warnings) != 1 ||
		!strings.Contains(p.Warnings[0], "4 rows give groups, which Workplace's Graph API cannot carry: no group is changed") {
		t.Errorf("graph: %s", render(p))
	}
	g := groupsWorld(t)
	gr, _ := target.GroupsOf(g.tgt, &target.Capabilities{Groups: true})
	dir := struct {
		capsOf
		target.Groups
	}{capsOf{g.tgt, func(c *target.Capabilities) { c.GroupMembersRead = false }}, gr}
	_, err := plan.Build(ctx, plan.Input{Result: testkit.ValidateCSV(t, groupsRoster), ToolVersion: "test"}, dir, plan.Options{SyncGroups: true})
	if !errors.Is(err, plan.ErrIncompleteListing) || !strings.Contains(err.Error(), "plan without --sync-groups") {
		t.Errorf("--sync-groups without members read: %v", err)
	}
}
