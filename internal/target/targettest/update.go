package targettest

import (
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// update updates the fields set of a to to's values and fails the case
// on an error; a returned account must show the values.
func (e *env) update(a *target.Account, to *target.Account, set ...roster.Field) {
	e.t.Helper()
	got, err := e.tgt.Update(e.ctx, ref(a), to, set)
	if err != nil {
		e.t.Fatalf("Update %s of %s: %v", set, a.Describe(), err)
	}
	if got == nil {
		return
	}
	for _, f := range set {
		want := to.Get(f)
		if want == "" {
			want = e.caps.Cleared(f)
		}
		if isText(f) && !e.kept(f, want, got.Get(f)) {
			e.t.Errorf("Update %s returned %q, want %q", f, got.Get(f), want)
		}
	}
}

// kept reports whether the service holds the value want of f as have:
// the same text (emails and userNames ignoring case), or one the service
// documents it rewrites want into (Capabilities.Same: GitHub's handle).
func (e *env) kept(f roster.Field, want, have string) bool {
	return sameText(f, have, want) || e.caps.Equal(f, want, have)
}

// testUpdateSetsAndClears: Update sets each text field the target carries
// and reads, leaving the others as they were, and clears it (but a name,
// a login, or a field the target requires or keeps).
func testUpdateSetsAndClears(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	var fields []roster.Field
	for _, f := range both(e.caps) {
		if isText(f) && !immutable(e.caps, f) {
			fields = append(fields, f)
		}
	}
	if len(fields) == 0 {
		e.notRun("the target carries and reads no text field it lets change")
		return
	}
	a := e.create(withSamples(e.caps, e.person()))
	for _, f := range fields {
		before := e.read(a)
		to := before.Clone()
		v := changed(before, f)
		to.Set(f, v)
		e.update(before, to, f)
		after := e.read(to)
		if !e.kept(f, v, after.Get(f)) {
			t.Errorf("Update %s to %q: reads back %q", f, v, after.Get(f))
		}
		for _, g := range both(e.caps) {
			if g != f && !(nameField(f) && nameField(g)) && !sameText(g, after.Get(g), before.Get(g)) {
				t.Errorf("Update of %s changed %s from %q to %q", f, g, before.Get(g), after.Get(g))
			}
		}
		a = after
		if !clearable(e.caps, f) {
			continue
		}
		to = after.Clone()
		to.Set(f, "")
		e.update(after, to, f)
		if got := e.read(to).Get(f); got != e.caps.Cleared(f) {
			t.Errorf("Update %s to \"\": reads back %q, want it cleared (to %q)", f, got, e.caps.Cleared(f))
		}
		a = e.read(to)
	}
	e.updateFrontline(a)
}

// updateFrontline sets and clears the frontline status where the target
// carries and reads it.
func (e *env) updateFrontline(a *target.Account) {
	if !e.caps.CanCarry(roster.IsFrontline) || !e.caps.CanRead(roster.IsFrontline) {
		return
	}
	set := []roster.Field{roster.IsFrontline}
	access := e.caps.CanCarry(roster.HasAccess) && e.caps.CanRead(roster.HasAccess)
	if access {
		set = append(set, roster.HasAccess)
	}
	for _, fl := range []target.Frontline{{IsFrontline: true, HasAccess: true}, {IsFrontline: true}, {}} {
		before := e.read(a)
		to := before.Clone()
		to.Frontline = &fl
		e.update(before, to, set...)
		got := e.read(a).Frontline
		if got == nil {
			got = &target.Frontline{}
		}
		if got.IsFrontline != fl.IsFrontline || access && got.HasAccess != fl.HasAccess {
			e.t.Errorf("Update frontline to %+v: reads back %+v", fl, *got)
		}
	}
}

// carriesAndReads logs the case as not run unless the target carries
// and reads every field of fs.
func (e *env) carriesAndReads(fs ...roster.Field) bool {
	for _, f := range fs {
		if !e.caps.CanCarry(f) || !e.caps.CanRead(f) {
			e.notRun("the target does not carry and read " + string(f))
			return false
		}
	}
	return true
}

// testManager: the manager set on Create and by Update (set, changed,
// cleared) reads back as ManagerID; a ManagerKey, where given, names it.
func testManager(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	if !e.carriesAndReads(roster.Manager) {
		return
	}
	boss, boss2 := e.create(e.person()), e.create(e.person())
	p := e.person()
	p.Manager = &target.Ref{ID: boss.ID}
	a := e.read(e.create(p))
	if a.ManagerID() != boss.ID {
		t.Errorf("created with manager %s: reads back %q", boss.ID, a.ManagerID())
	}
	if k := a.ManagerKey; k != "" && !strings.EqualFold(k, boss.Email) && k != boss.ExternalID {
		t.Errorf("ManagerKey %q does not name the manager %s", k, boss.Describe())
	}
	for _, m := range []*target.Account{boss2, nil} {
		to, want := a.Clone(), ""
		to.Manager = nil
		if m != nil {
			to.Manager, want = &target.Ref{ID: m.ID}, m.ID
		}
		e.update(a, to, roster.Manager)
		if a = e.read(a); a.ManagerID() != want {
			t.Errorf("Update manager to %q: reads back %q", want, a.ManagerID())
		}
	}
}

// setActive sets a's active flag and checks what SetActive returned.
func (e *env) setActive(a *target.Account, active bool) {
	e.t.Helper()
	got, err := e.tgt.SetActive(e.ctx, ref(a), active)
	if err != nil {
		e.t.Fatalf("SetActive %v: %v", active, err)
	}
	if got != nil && got.Active != active {
		e.t.Errorf("SetActive %v returned active %v", active, got.Active)
	}
}

// testSetActive: SetActive false deactivates (Find and ListAll show it,
// and the time it happened where the target tells, in RFC 3339), true
// reactivates.
func testSetActive(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	if !e.carriesAndReads(roster.Active) {
		return
	}
	a := e.create(e.person())
	e.setActive(a, false)
	got := e.read(a)
	if got.Active {
		t.Error("SetActive false: Find shows the account active")
	}
	if at := got.DeactivatedAt; at != "" {
		if when, err := time.Parse(time.RFC3339, at); err != nil || time.Since(when).Abs() > 5*time.Minute {
			t.Errorf("DeactivatedAt %q: want the time of the deactivation, just now, in RFC 3339 (%v)", at, err)
		}
	}
	for _, l := range e.list(e.tgt) {
		if l.ID == a.ID && l.Active {
			t.Error("SetActive false: ListAll shows the account active")
		}
	}
	e.setActive(a, true)
	if !e.read(a).Active {
		t.Error("SetActive true: Find shows the account deactivated")
	}
}

// testReactivation: where Capabilities.ReactivationClearsManager, an
// Update that reactivates with the manager in set keeps the manager (the
// target handles its own rule), and one without it, or SetActive true,
// clears it; elsewhere the manager survives every reactivation.
func testReactivation(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	if !e.carriesAndReads(roster.Manager, roster.Active) {
		return
	}
	boss := e.create(e.person())
	deactivated := func() *target.Account {
		p := e.person()
		p.Manager = &target.Ref{ID: boss.ID}
		a := e.create(p)
		e.setActive(a, false)
		return e.read(a)
	}
	clears := e.caps.ReactivationClearsManager
	rule := "the manager survives reactivation (ReactivationClearsManager false)"
	if clears {
		rule = "reactivation clears the manager (ReactivationClearsManager)"
	}
	for _, tc := range []struct {
		how  string
		do   func(a *target.Account)
		kept bool
	}{
		{"Update of active and manager", func(a *target.Account) {
			to := a.Clone()
			to.Active, to.Manager = true, &target.Ref{ID: boss.ID}
			e.update(a, to, roster.Active, roster.Manager)
		}, true},
		{"Update of active alone", func(a *target.Account) {
			to := a.Clone()
			to.Active = true
			e.update(a, to, roster.Active)
		}, !clears},
		{"SetActive true", func(a *target.Account) { e.setActive(a, true) }, !clears},
	} {
		a := deactivated()
		tc.do(a)
		got := e.read(a)
		want := ""
		if tc.kept {
			want = boss.ID
		}
		if !got.Active || got.ManagerID() != want {
			t.Errorf("%s: active %v, manager %q; want active, manager %q: %s", tc.how, got.Active, got.ManagerID(), want, rule)
		}
	}
}

// testNames: given and family names round-trip where carried and read,
// and each changes alone.
func testNames(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	if !e.carriesAndReads(roster.FirstName, roster.LastName) {
		return
	}
	p := e.person()
	p.Name = target.Name{Formatted: "Zoë Ångström", Given: "Zoë", Family: "Ångström"}
	a := e.read(e.create(p))
	if a.Name != p.Name {
		t.Errorf("created with name %+v: reads back %+v", p.Name, a.Name)
	}
	for _, f := range []roster.Field{roster.FirstName, roster.LastName} {
		to := a.Clone()
		to.Set(f, changed(a, f))
		e.update(a, to, f)
		got := e.read(a)
		if got.Name.Given != to.Name.Given || got.Name.Family != to.Name.Family {
			t.Errorf("Update %s: name reads back %+v, want given %q family %q", f, got.Name, to.Name.Given, to.Name.Family)
		}
		a = got
	}
}

// testAddPhone: AddPhone adds numbers read back in Phones, the primary
// one first as PrimaryPhone; where the account holds one number
// (Capabilities.MaxPhones 1: AWS), the second replaces the first as the
// primary one. (Adding a number the account has is never asked of a
// target: plans leave such numbers out, and after a lost answer the
// executor reads the account before adding again.)
func testAddPhone(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	if !e.carriesAndReads(roster.Phone) {
		return
	}
	a := e.create(e.person())
	first := target.Phone{Number: "+44-7236-123459", Type: "work", Primary: true}
	second := target.Phone{Number: "+1-415-555-0100", Type: "mobile"}
	count := func(got *target.Account, p target.Phone) int {
		n := 0
		for _, q := range got.Phones {
			if samePhone(q.Number, p.Number) {
				n++
			}
		}
		return n
	}
	if e.caps.MaxPhones == 1 {
		e.notRun("adding a second number: the account holds one (MaxPhones 1); checked that it replaces the first")
		for _, p := range []target.Phone{first, second} {
			if err := e.tgt.AddPhone(e.ctx, ref(a), p); err != nil {
				t.Fatalf("AddPhone %s: %v", p.Number, err)
			}
			if got := e.read(a); len(got.Phones) != 1 || count(got, p) != 1 || !samePhone(got.PrimaryPhone(), p.Number) {
				t.Errorf("after adding %s, the phones are %+v; want it alone, primary", p.Number, got.Phones)
			}
		}
		return
	}
	for i, p := range []target.Phone{first, second} {
		if err := e.tgt.AddPhone(e.ctx, ref(a), p); err != nil {
			t.Fatalf("AddPhone %s: %v", p.Number, err)
		}
		got := e.read(a)
		if count(got, first) != 1 || i > 0 && count(got, second) != 1 {
			t.Errorf("after adding %d numbers, the phones are %+v; want %s once and, after the second, %s once", i+1, got.Phones, first.Number, second.Number)
		}
		if !samePhone(got.PrimaryPhone(), first.Number) {
			t.Errorf("after adding %d numbers, the primary phone is %q, want %s", i+1, got.PrimaryPhone(), first.Number)
		}
	}
}
