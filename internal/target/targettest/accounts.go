package targettest

import (
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// samePhone compares numbers by their digits.
func samePhone(a, b string) bool { return digits(a) == digits(b) }

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// sameText compares a text field's values: emails and userNames ignoring case.
func sameText(f roster.Field, a, b string) bool {
	if f == roster.Email || f == roster.UserName {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// testRoundTrip: every field the target carries and reads is read back
// as created (a phone as added); an account created deactivated reads
// back deactivated.
func testRoundTrip(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	fields := both(e.caps)
	if len(fields) == 0 {
		t.Fatal("the target carries and reads no field")
	}
	c := e.caps
	want := withSamples(c, e.person())
	if c.CanCarry(roster.Manager) {
		boss := e.create(e.person())
		want.Manager = &target.Ref{ID: boss.ID}
	}
	if c.CanCarry(roster.IsFrontline) || c.CanCarry(roster.HasAccess) {
		want.Frontline = &target.Frontline{IsFrontline: true, HasAccess: true}
	}
	if c.CanCarry(roster.Invited) {
		yes := true
		want.Invited = &yes
	}
	a := e.create(want)
	const phone = "+44-7236-123459"
	if c.CanCarry(roster.Phone) {
		if err := e.tgt.AddPhone(e.ctx, ref(a), target.Phone{Number: phone, Type: "work", Primary: true}); err != nil {
			t.Fatalf("AddPhone: %v", err)
		}
	}
	got := e.read(a)
	for _, f := range fields {
		ok := true
		switch {
		case isText(f):
			ok = sameText(f, got.Get(f), want.Get(f))
		case f == roster.Manager:
			ok = got.ManagerID() == want.ManagerID()
		case f == roster.Active:
			ok = got.Active
		case f == roster.IsFrontline:
			ok = got.Frontline != nil && got.Frontline.IsFrontline
		case f == roster.HasAccess:
			ok = got.Frontline != nil && got.Frontline.HasAccess
		case f == roster.Phone:
			ok = samePhone(got.PrimaryPhone(), phone)
		case f == roster.Invited:
			ok = got.Get(f) == "true"
		default:
			t.Errorf("%s is carried and read, and the suite knows no round trip for it: add one to targettest", f)
			continue
		}
		if !ok {
			t.Errorf("%s reads back as %q, created as %q", f, got.Get(f), want.Get(f))
		}
	}
	if c.CanCarry(roster.Active) && c.CanRead(roster.Active) {
		off := e.person()
		off.Active = false
		if got := e.read(e.create(off)); got.Active {
			t.Error("an account created deactivated reads back active")
		}
	}
	// A name in any script, with an apostrophe, round-trips.
	p := e.person()
	p.Name.Formatted = "Zoë O'Brien-Ångström 林"
	if got := e.read(e.create(p)); got.Name.Formatted != p.Name.Formatted {
		t.Errorf("name %q reads back as %q", p.Name.Formatted, got.Name.Formatted)
	}
}

// keyFor is a's key of kind k; emails and userNames in upper case, as
// they match ignoring case.
func keyFor(k target.KeyKind, a *target.Account) target.Key {
	switch k {
	case target.ByID:
		return target.Key{Kind: k, Value: a.ID}
	case target.ByEmail:
		return target.Key{Kind: k, Value: strings.ToUpper(a.Email)}
	case target.ByUserName:
		return target.Key{Kind: k, Value: strings.ToUpper(a.LoginName())}
	}
	return target.Key{Kind: k, Value: a.ExternalID}
}

// goneID is the id of an account that is no longer there (created and
// deleted where the target deletes), else an id never given.
func (e *env) goneID() string {
	e.t.Helper()
	a := e.create(e.person())
	switch e.caps.Delete {
	case target.DeleteUnclaimed, target.DeleteDestroys, target.DeleteRemoves:
		if err := e.tgt.Remove(e.ctx, ref(a), target.RemoveDelete); err != nil {
			e.t.Fatalf("Remove %s: %v", a.ID, err)
		}
		return a.ID
	}
	return "9" + a.ID
}

// findCheck finds keys in one call and checks the answer against want:
// every key of want found as that account, with its active flag; every
// other key absent.
func (e *env) findCheck(tgt target.Target, keys []target.Key, want map[target.Key]*target.Account) {
	e.t.Helper()
	m, err := tgt.Find(e.ctx, keys)
	if err != nil {
		e.t.Errorf("Find %d keys: %v (a key naming nothing is absent, not an error)", len(keys), err)
		return
	}
	n := 0
	for _, k := range keys {
		w, got := want[k], m[k]
		switch {
		case w == nil && got != nil:
			e.t.Errorf("Find %s: found %s, which it does not name", k, got.ID)
		case w != nil && got == nil:
			e.t.Errorf("Find %s: not found", k)
		case w != nil && (got.ID != w.ID || got.Active != w.Active):
			e.t.Errorf("Find %s: id %s active %v, want %s active %v", k, got.ID, got.Active, w.ID, w.Active)
		}
		if w != nil {
			n++
		}
	}
	if len(m) > n {
		e.t.Errorf("Find answered %d keys, %d were found: %v", len(m), n, m)
	}
}

// testFindByEveryKey: Find looks accounts up by every key kind in
// LookupBy, active and deactivated alike, emails ignoring case; a key
// naming nothing is absent, not an error; by kind and all kinds in one call.
func testFindByEveryKey(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	on := e.create(e.person())
	off := e.create(e.person())
	if _, err := e.tgt.SetActive(e.ctx, ref(off), false); err != nil {
		t.Fatalf("SetActive false: %v", err)
	}
	off.Active = false
	nobody := &target.Account{ID: e.goneID(), Email: "nobody.zz@acme.example", UserName: "nobody.zz", ExternalID: "E-NOBODY"}
	var all []target.Key
	want := map[target.Key]*target.Account{}
	for _, kind := range e.caps.LookupBy {
		var keys []target.Key
		for _, a := range []*target.Account{on, off} {
			k := keyFor(kind, a)
			keys = append(keys, k)
			want[k] = a
		}
		keys = append(keys, keyFor(kind, nobody))
		calls, _ := e.rec.during(func() { e.findCheck(e.tgt, keys, want) })
		for _, c := range calls {
			if !c.Idempotent {
				t.Errorf("Find by %s made %s %s, not described as safe to repeat", kind, c.Method, c.Path)
			}
		}
		all = append(all, keys...)
	}
	e.findCheck(e.tgt, all, want)
	e.findCheck(e.tgt, nil, nil)
}

// testFindBeyondBatch: one Find of more keys than LookupBatch finds them
// all, in batches (not a call a key).
func testFindBeyondBatch(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	batch := e.caps.LookupBatch
	n := batch + batch/2 + 1
	people := make([]*target.Account, n)
	for i := range people {
		people[i] = e.create(e.person())
	}
	for _, kind := range e.caps.LookupBy {
		var keys []target.Key
		want := map[target.Key]*target.Account{}
		for _, a := range people {
			k := keyFor(kind, a)
			keys = append(keys, k)
			want[k] = a
		}
		_, attempts := e.rec.during(func() { e.findCheck(e.tgt, keys, want) })
		// A target may learn from an answer that its service takes fewer
		// keys a request (a probe narrows LookupBatch): the batches are
		// the ones it knows after, plus the request it learned from. Each
		// batch may be asked twice (a server matching emails by case).
		after, err := e.tgt.Capabilities(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		b := after.LookupBatch
		if most := 2*((n+b-1)/b) + 1; batch > 1 && b > 1 && len(attempts) > most {
			t.Errorf("Find of %d keys by %s made %d calls; with LookupBatch %d (%d after) it should take at most %d", n, kind, len(attempts), batch, b, most)
		}
	}
}
