package targettest

import (
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// testErrorKinds: a duplicate create is Conflict or Invalid and leaves
// one account; a missing account is NotFound; a refused token is Fatal
// with the service's own status and words, the token in none of them.
func testErrorKinds(t *testing.T, h Harness) {
	t.Run("Duplicate", func(t *testing.T) { testDuplicate(t, h) })
	t.Run("Missing", func(t *testing.T) { testMissing(t, h) })
	t.Run("RefusedToken", func(t *testing.T) { testRefusedToken(t, h) })
}

func testDuplicate(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	a := e.create(e.person())
	dup := e.person()
	dup.Email, dup.UserName = strings.ToUpper(a.Email), strings.ToUpper(a.UserName)
	_, err := e.tgt.Create(e.ctx, dup)
	if te := kindIs(t, "Create of a second account with the same login", err, target.Conflict, target.Invalid); te != nil && (te.Status == 0 || te.Message == "") {
		t.Errorf("the duplicate's error keeps no status or words of the service: %+v", te)
	}
	if id := e.findOne(e.tgt, a, true); id != a.ID {
		t.Errorf("after the duplicate, Find shows %s, want %s", id, a.ID)
	}
	if !e.caps.CanCarry(roster.ExternalID) {
		return
	}
	dup = e.person()
	dup.ExternalID = a.ExternalID
	_, err = e.tgt.Create(e.ctx, dup)
	kindIs(t, "Create of a second account with the same external id", err, target.Conflict, target.Invalid)
	dup.ExternalID = ""
	e.findOne(e.tgt, dup, false)
	if !e.caps.CanLookUp(target.ByExternalID) {
		var ids []string
		for _, b := range e.list(e.tgt) {
			if b.ExternalID == a.ExternalID {
				ids = append(ids, b.ID)
			}
		}
		if len(ids) != 1 || ids[0] != a.ID {
			t.Errorf("after the duplicate, the listing has the external id on %v, want only %s", ids, a.ID)
		}
		return
	}
	if id := e.findOne(e.tgt, &target.Account{ExternalID: a.ExternalID}, true); id != a.ID {
		t.Errorf("after the duplicate, the external id finds %s, want %s", id, a.ID)
	}
}

func testMissing(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	gone := target.Ref{ID: e.goneID()}
	to := e.person()
	_, err := e.tgt.Update(e.ctx, gone, to, []roster.Field{roster.Name})
	kindIs(t, "Update of a missing account", err, target.NotFound)
	if !target.IsNotFound(err) {
		t.Errorf("IsNotFound is false for %v", err)
	}
	_, err = e.tgt.SetActive(e.ctx, gone, false)
	kindIs(t, "SetActive of a missing account", err, target.NotFound)
	switch e.caps.Delete {
	case target.DeleteUnclaimed, target.DeleteDestroys, target.DeleteRemoves:
		kindIs(t, "Remove of a missing account", e.tgt.Remove(e.ctx, gone, target.RemoveDelete), target.NotFound)
	}
}

func testRefusedToken(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	token := e.srv.RefusedToken
	if token == "" {
		e.notRun("the server names no refused token")
		return
	}
	bad, _ := e.open(token, nil)
	p := e.person()
	var errs []error
	_, err := bad.Find(e.ctx, []target.Key{e.keyOf(p)})
	errs = append(errs, err)
	errs = append(errs, bad.ListAll(e.ctx, func([]target.Account) error { return nil }))
	_, err = bad.Create(e.ctx, p)
	errs = append(errs, err)
	for i, err := range errs {
		what := []string{"Find", "ListAll", "Create"}[i] + " with a refused token"
		te := kindIs(t, what, err, target.Fatal)
		if !target.IsFatal(err) {
			t.Errorf("%s: IsFatal is false for %v", what, err)
		}
		if te == nil {
			continue
		}
		if te.Status != 401 && te.Status != 403 || te.Code == "" && te.Message == "" || te.Target != h.Target {
			t.Errorf("%s: status %d, code %q, message %q, target %q; want the service's own 401 or 403, its code or words, and target %q",
				what, te.Status, te.Code, te.Message, te.Target, h.Target)
		}
		if strings.Contains(err.Error(), token) {
			t.Errorf("%s: the token is in the error: %v", what, err)
		}
	}
	// A layer gives up at once on a fatal answer.
	lt, rec := e.open(token, pace.New(1000, instant(3)).Wrap)
	calls, attempts := rec.during(func() { _, err = lt.Find(e.ctx, []target.Key{e.keyOf(p)}) })
	if !target.IsFatal(err) || len(attempts) != len(calls) {
		t.Errorf("Find with a refused token, behind a layer: %v after %d attempts of %d calls; want fatal, not repeated", err, len(attempts), len(calls))
	}
	if n := len(e.list(e.tgt)); n != 0 {
		t.Errorf("the refused Create made an account: %d listed", n)
	}
}
