package targettest

import (
	"testing"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// freeText is a text field the target carries, reads and lets change,
// that takes any words; "" if none.
func freeText(c *target.Capabilities) roster.Field {
	for _, f := range []roster.Field{roster.Title, roster.Department, roster.Organization, roster.Division, roster.CostCenter, roster.Location} {
		if c.CanCarry(f) && c.CanRead(f) && !immutable(c, f) {
			return f
		}
	}
	return ""
}

// testVersions: where Capabilities.Versions, an account read has a
// version; an Update with a stale version fails PreconditionFailed and
// changes nothing, one with the current version succeeds.
func testVersions(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	if !e.caps.Versions {
		e.notRun("Capabilities.Versions is false")
		return
	}
	f := freeText(e.caps)
	if f == "" {
		t.Fatal("the target has versions and no free text field to change")
	}
	v1 := e.read(e.create(withSamples(e.caps, e.person())))
	if v1.Version == "" {
		t.Fatal("Capabilities say versions, and an account read has none")
	}
	to := v1.Clone()
	to.Set(f, "Version two")
	e.update(v1, to, f)
	v2 := e.read(v1)
	if v2.Version == v1.Version || v2.Get(f) != "Version two" {
		t.Errorf("after an Update: version %q (was %q), %s %q", v2.Version, v1.Version, f, v2.Get(f))
	}
	stale := v2.Clone()
	stale.Set(f, "Stale write")
	_, err := e.tgt.Update(e.ctx, ref(v1), stale, []roster.Field{f})
	kindIs(t, "Update with a stale version", err, target.PreconditionFailed)
	if !target.IsPreconditionFailed(err) {
		t.Errorf("Update with a stale version: IsPreconditionFailed is false for %v", err)
	}
	if got := e.read(v1); got.Get(f) != "Version two" || got.Version != v2.Version {
		t.Errorf("after the refused Update: %s %q version %q, want %q %q unchanged", f, got.Get(f), got.Version, "Version two", v2.Version)
	}
	e.update(v2, stale, f)
	if got := e.read(v1); got.Get(f) != "Stale write" {
		t.Errorf("Update with the current version: %s reads back %q", f, got.Get(f))
	}
}

// loginKeys are a's keys other than its id, of the kinds Find takes.
func (e *env) loginKeys(a *target.Account) []target.Key {
	var out []target.Key
	for _, k := range e.caps.LookupBy {
		if key := keyFor(k, a); k != target.ByID && key.Value != "" {
			out = append(out, key)
		}
	}
	return out
}

// findOne fails unless every login key of a finds one and the same
// account (or, with want false, none), and ListAll lists it once (none);
// it returns the account's id.
func (e *env) findOne(tgt target.Target, a *target.Account, want bool) string {
	e.t.Helper()
	keys := e.loginKeys(a)
	m, err := tgt.Find(e.ctx, keys)
	if err != nil {
		e.t.Fatalf("Find %v: %v", keys, err)
	}
	id := ""
	for _, k := range keys {
		got := m[k]
		switch {
		case !want && got != nil:
			e.t.Errorf("Find %s: found %s, want none", k, got.ID)
		case want && got == nil:
			e.t.Errorf("Find %s: not found", k)
		case want && id != "" && got.ID != id:
			e.t.Errorf("Find %s: %s, another key found %s", k, got.ID, id)
		case want:
			id = got.ID
		}
	}
	n := 0
	if want {
		n = 1
	}
	if got := countOf(e.list(tgt), a); got != n {
		e.t.Errorf("ListAll lists %d accounts %s, want %d", got, a.Describe(), n)
	}
	return id
}

// testLostCreate: a Create whose answer is lost (the server committed
// it) fails UnknownOutcome, and Find by every login key then finds
// exactly one account.
func testLostCreate(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	f, ok := e.faults()
	if !ok {
		return
	}
	a := e.person()
	f.DropNext(1)
	got, err := e.tgt.Create(e.ctx, a)
	f.DropNext(0)
	if err == nil {
		t.Fatalf("Create whose answer was lost returned %+v and no error", got)
	}
	kindIs(t, "Create whose answer was lost", err, target.UnknownOutcome)
	if !target.IsUnknownOutcome(err) {
		t.Errorf("IsUnknownOutcome is false for %v", err)
	}
	e.findOne(e.tgt, a, true)
}

// testLayerRepeats: behind a pace layer, a create whose answer is lost
// and one that got a 5xx are tried once (each call said it is not safe to
// repeat), and the lost one exists once, the failed one not at all; a
// read that got 5xx twice is repeated and answers; a listing whose page
// failed is repeated and complete.
func testLayerRepeats(t *testing.T, h Harness) {
	e := start(t, h, Options{PageCap: 7})
	f, ok := e.faults()
	if !ok {
		return
	}
	lt, rec := e.layered(instant(3))
	once := func(what string, calls, attempts []target.Call) {
		if len(attempts) != len(calls) {
			t.Errorf("%s: %d attempts of %d calls; the layer repeated a call the target described as safe to repeat", what, len(attempts), len(calls))
		}
	}
	lost, failed := e.person(), e.person()
	var err error
	f.DropNext(1)
	calls, attempts := rec.during(func() { _, err = lt.Create(e.ctx, lost) })
	f.DropNext(0)
	kindIs(t, "Create whose answer was lost, behind a layer", err, target.UnknownOutcome)
	once("Create whose answer was lost", calls, attempts)
	f.FailNext(1)
	calls, attempts = rec.during(func() { _, err = lt.Create(e.ctx, failed) })
	f.FailNext(0)
	if !target.IsUnknownOutcome(err) {
		t.Errorf("Create answered 5xx, behind a layer: %v, want an unknown outcome (transient)", err)
	}
	once("Create answered 5xx", calls, attempts)
	id := e.findOne(lt, lost, true)
	e.findOne(lt, failed, false)

	f.FailNext(2)
	var m map[target.Key]*target.Account
	key := target.Key{Kind: target.ByID, Value: id}
	if !e.caps.CanLookUp(target.ByID) {
		key = e.loginKeys(lost)[0]
	}
	calls, attempts = rec.during(func() { m, err = lt.Find(e.ctx, []target.Key{key}) })
	f.FailNext(0)
	if err != nil || m[key] == nil || m[key].ID != id {
		t.Errorf("Find after two 5xx, behind a layer retrying 3 times: %v, %v; want %s", m, err, id)
	}
	if len(attempts) != len(calls)+2 {
		t.Errorf("Find after two 5xx: %d attempts of %d calls, want the failed call repeated twice", len(attempts), len(calls))
	}

	for range 20 {
		e.create(e.person())
	}
	pages := 0
	err = lt.ListAll(e.ctx, func(p []target.Account) error {
		if pages++; pages == 1 {
			f.FailNext(1)
		}
		return nil
	})
	f.FailNext(0)
	if err != nil {
		t.Errorf("ListAll with a failed page, behind a layer: %v; want the page repeated", err)
	}
	if n := len(e.list(e.tgt)); n != 21 {
		t.Errorf("ListAll lists %d accounts, want 21", n)
	}
}

// testThrottled: a throttled answer is Throttled from the target itself;
// behind a layer it is repeated until answered, Throttled again once the
// layer's budget is spent, and a throttled create is made once.
func testThrottled(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	f, ok := e.faults()
	if !ok {
		return
	}
	a := e.create(e.person())
	key := e.keyOf(a)
	f.ThrottleNext(1)
	_, err := e.tgt.Find(e.ctx, []target.Key{key})
	f.ThrottleNext(0)
	kindIs(t, "Find throttled", err, target.Throttled)
	if !target.IsThrottled(err) {
		t.Errorf("IsThrottled is false for %v", err)
	}

	lt, rec := e.layered(instant(1))
	var m map[target.Key]*target.Account
	f.ThrottleNext(1)
	calls, attempts := rec.during(func() { m, err = lt.Find(e.ctx, []target.Key{key}) })
	f.ThrottleNext(0)
	if err != nil || m[key] == nil || m[key].ID != a.ID || len(attempts) != len(calls)+1 {
		t.Errorf("Find throttled once, behind a layer: %v, %v, %d attempts of %d calls; want %s after 1 repeat", m, err, len(attempts), len(calls), a.ID)
	}
	f.ThrottleNext(1000)
	calls, attempts = rec.during(func() { _, err = lt.Find(e.ctx, []target.Key{key}) })
	f.ThrottleNext(0)
	kindIs(t, "Find throttled past the layer's budget", err, target.Throttled)
	if len(calls) != 1 || len(attempts) != 4 {
		t.Errorf("Find throttled past the budget: %d attempts of %d calls, want 4 of 1 (4 × Retry.Tries 1)", len(attempts), len(calls))
	}
	p := e.person()
	f.ThrottleNext(1)
	if _, err := lt.Create(e.ctx, p); err != nil {
		t.Errorf("Create throttled once, behind a layer: %v; want it repeated (the service did nothing)", err)
	}
	f.ThrottleNext(0)
	e.findOne(e.tgt, p, true)
}
