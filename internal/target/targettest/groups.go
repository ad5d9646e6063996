package targettest

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/target"
)

// testGroups: where announced, a group is created, found by name
// ignoring case, given and rid of members in more than one request's
// worth (adding a member twice or removing one gone changes nothing),
// listed with its members where they can be read, found exactly once
// after a lost create, and deleted.
func testGroups(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	g, ok := target.GroupsOf(e.tgt, e.caps)
	if !ok {
		e.notRun("Capabilities announce no groups")
		return
	}
	n := max(150, e.caps.GroupChunk+e.caps.GroupChunk/2+1)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.create(e.person()).ID
	}
	const name = "Suite Engineering"
	r, err := g.CreateGroup(e.ctx, name)
	if err != nil || r.ID == "" {
		t.Fatalf("CreateGroup: %+v, %v", r, err)
	}
	find := func(name string) *target.Group {
		t.Helper()
		got, err := g.FindGroup(e.ctx, name)
		if err != nil {
			t.Fatalf("FindGroup %q: %v", name, err)
		}
		return got
	}
	if got := find(strings.ToUpper(name)); got == nil || got.ID != r.ID || got.Name != name {
		t.Errorf("FindGroup by the name in upper case: %+v, want %s %q", got, r.ID, name)
	}
	if got := find("No Such Group"); got != nil {
		t.Errorf("FindGroup of a name nobody has: %+v, want nil", got)
	}
	members := func(want []string) {
		t.Helper()
		if !e.caps.GroupMembersRead {
			return
		}
		all, err := g.ListGroups(e.ctx)
		if err != nil {
			t.Fatalf("ListGroups: %v", err)
		}
		for _, gr := range all {
			if gr.ID != r.ID {
				continue
			}
			got := slices.Clone(gr.Members)
			slices.Sort(got)
			if w := slices.Sorted(slices.Values(want)); !gr.MembersKnown || !reflect.DeepEqual(got, w) {
				t.Errorf("group lists %d members (known %v), want %d: %v", len(got), gr.MembersKnown, len(w), got)
			}
			return
		}
		t.Errorf("ListGroups does not list %s", r.ID)
	}
	change := func(add, remove []string) {
		t.Helper()
		cur := find(name)
		if err := g.ChangeMembers(e.ctx, target.Ref{ID: cur.ID, Version: cur.Version}, add, remove); err != nil {
			t.Fatalf("ChangeMembers +%d -%d: %v", len(add), len(remove), err)
		}
	}
	if !e.caps.GroupMembersRead {
		e.notRun("members are not listed: GroupMembersRead is false")
	}
	change(ids, nil)
	members(ids)
	change(ids[:10], nil)
	change(nil, ids[:n/2])
	change(nil, ids[:5])
	members(ids[n/2:])

	if f := e.srv.Faults; f != nil {
		f.DropNext(1)
		_, err := g.CreateGroup(e.ctx, "Suite Lost")
		f.DropNext(0)
		kindIs(t, "CreateGroup whose answer was lost", err, target.UnknownOutcome)
		if find("Suite Lost") == nil {
			t.Error("the group whose create answer was lost is not found")
		}
	}
	if err := g.DeleteGroup(e.ctx, r); err != nil {
		t.Fatalf("DeleteGroup: %v", err)
	}
	if got := find(name); got != nil {
		t.Errorf("the deleted group is found: %+v", got)
	}
}

// testPeopleSets: where announced, a people set is created, found by its
// exact name with its conditions, renamed with new conditions, listed,
// refused under a name taken, found exactly once after a lost create, and
// deleted.
func testPeopleSets(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	ps, ok := target.PeopleSetsOf(e.tgt, e.caps)
	if !ok {
		e.notRun("Capabilities announce no people sets")
		return
	}
	conds := []target.Condition{{Field: "DEPARTMENT", Operator: "IS", Values: []string{"Engineering"}}}
	conds2 := []target.Condition{{Field: "TITLE", Operator: "IS_ANY_OF", Values: []string{"Engineer", "Principal Engineer"}}}
	find := func(name string) *target.PeopleSet {
		t.Helper()
		got, err := ps.FindPeopleSet(e.ctx, name)
		if err != nil {
			t.Fatalf("FindPeopleSet %q: %v", name, err)
		}
		return got
	}
	r, err := ps.CreatePeopleSet(e.ctx, "Suite Engineering", conds)
	if err != nil || r.ID == "" {
		t.Fatalf("CreatePeopleSet: %+v, %v", r, err)
	}
	if got := find("Suite Engineering"); got == nil || got.ID != r.ID || !reflect.DeepEqual(got.Conditions, conds) {
		t.Errorf("FindPeopleSet: %+v, want %s with %+v", got, r.ID, conds)
	}
	if got := find("No Such Set"); got != nil {
		t.Errorf("FindPeopleSet of a name nobody has: %+v", got)
	}
	if err := ps.UpdatePeopleSet(e.ctx, r, "Suite Research", conds2); err != nil {
		t.Fatalf("UpdatePeopleSet: %v", err)
	}
	if got := find("Suite Research"); got == nil || got.ID != r.ID || !reflect.DeepEqual(got.Conditions, conds2) {
		t.Errorf("after UpdatePeopleSet: %+v, want %s with %+v", got, r.ID, conds2)
	}
	if got := find("Suite Engineering"); got != nil {
		t.Errorf("the old name still finds %+v", got)
	}
	_, err = ps.CreatePeopleSet(e.ctx, "Suite Research", conds)
	kindIs(t, "CreatePeopleSet under a name taken", err, target.Conflict, target.Invalid)
	if f := e.srv.Faults; f != nil {
		f.DropNext(1)
		_, err := ps.CreatePeopleSet(e.ctx, "Suite Lost", conds)
		f.DropNext(0)
		kindIs(t, "CreatePeopleSet whose answer was lost", err, target.UnknownOutcome)
		if find("Suite Lost") == nil {
			t.Error("the people set whose create answer was lost is not found")
		}
	}
	all, err := ps.ListPeopleSets(e.ctx)
	if err != nil {
		t.Fatalf("ListPeopleSets: %v", err)
	}
	var names []string
	for _, s := range all {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	want := []string{"Suite Research"}
	if e.srv.Faults != nil {
		want = []string{"Suite Lost", "Suite Research"}
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("ListPeopleSets lists %q, want %q", names, want)
	}
	if err := ps.DeletePeopleSet(e.ctx, r); err != nil {
		t.Fatalf("DeletePeopleSet: %v", err)
	}
	if got := find("Suite Research"); got != nil {
		t.Errorf("the deleted set is found: %+v", got)
	}
}

// testRemove: Remove with RemoveDelete does what Capabilities.Delete
// says (an unclaimed account is gone, or deactivated); a second Remove
// is NotFound.
func testRemove(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	if e.caps.Delete == target.DeleteNone {
		e.notRun("Capabilities.Delete is none")
		return
	}
	a := e.create(e.person())
	if got := e.read(a); e.caps.Delete == target.DeleteUnclaimed && e.caps.ReadsClaim && got.Claim != target.Unclaimed {
		t.Errorf("a new account reads as claim %q, want unclaimed: it could never be deleted", got.Claim)
	}
	calls, _ := e.rec.during(func() {
		if err := e.tgt.Remove(e.ctx, ref(a), target.RemoveDelete); err != nil {
			t.Fatalf("Remove: %v", err)
		}
	})
	if !slices.ContainsFunc(calls, func(c target.Call) bool { return !c.Idempotent }) {
		t.Errorf("Remove made no call described as not safe to repeat: %+v", calls)
	}
	if e.caps.Delete == target.DeleteDeactivates {
		if e.read(a).Active {
			t.Error("Remove on a target whose delete deactivates: the account is active")
		}
		return
	}
	keys := e.loginKeys(a)
	if e.caps.CanLookUp(target.ByID) {
		keys = append(keys, target.Key{Kind: target.ByID, Value: a.ID})
	}
	m, err := e.tgt.Find(e.ctx, keys)
	if err != nil || len(m) != 0 {
		t.Errorf("after Remove, Find: %v, %v; want nothing", m, err)
	}
	if n := countOf(e.list(e.tgt), a); n != 0 {
		t.Errorf("after Remove, ListAll lists the account %d times", n)
	}
	kindIs(t, "a second Remove", e.tgt.Remove(e.ctx, ref(a), target.RemoveDelete), target.NotFound)
}
