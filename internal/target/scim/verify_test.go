package scim_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

const managerPath = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"

// A server that accepts a PATCH of the manager in one path form and keeps
// nothing (issue 21: an open-source server did so, apply said "updated",
// and every later plan planned the update again): the target sees the
// manager was not kept, sends it once more in the other form
// (…:manager.value), and succeeds where that one is kept; where neither
// is kept, the update ends *target.NotApplied with both values, not a
// success.
func TestManagerNotKept(t *testing.T) {
	ctx := context.Background()
	setup := func(ignored ...string) (*emulator.Server, *layer, string, string, func() (*target.Account, error)) {
		srv, c, l := emuWith(t, emulator.Config{SCIMProfile: emulator.ProfileRFC, SCIMIgnoredPatchPaths: ignored})
		boss, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Boss"}, Email: "boss@acme.example", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		a, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Ann"}, Email: "ann@acme.example", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		l.reset()
		return srv, l, boss.ID, a.ID, func() (*target.Account, error) {
			return c.Update(ctx, target.Ref{ID: a.ID, Version: a.Version}, &target.Account{Manager: &target.Ref{ID: boss.ID}}, []roster.Field{roster.Manager})
		}
	}

	srv, l, boss, id, update := setup(managerPath)
	got, err := update()
	if err != nil || got.ManagerID() != boss || snapshotOf(t, srv, id).Manager != boss {
		t.Fatalf("%+v %v", got, err)
	}
	if calls := strings.Join(l.called(), "|"); calls != "PATCH /Users/"+id+"|PATCH /Users/"+id {
		t.Fatalf("calls %s (the object form, then manager.value)", calls)
	}

	srv, l, boss, id, update = setup(managerPath, managerPath+".value")
	got, err = update()
	var na *target.NotApplied
	if !errors.As(err, &na) || na.Field != "manager" || na.Sent != boss || na.Kept != "" || !target.IsNotApplied(err) {
		t.Fatalf("%v", err)
	}
	if got == nil || got.ID != id || got.ManagerID() != "" || snapshotOf(t, srv, id).Manager != "" {
		t.Fatalf("answered %+v", got)
	}
	if msg := err.Error(); msg != `the service accepted manager "`+boss+`" but kept "(empty)"` {
		t.Fatalf("message %q", msg)
	}
	if calls := strings.Join(l.called(), "|"); calls != "PATCH /Users/"+id+"|PATCH /Users/"+id {
		t.Fatalf("calls %s", calls)
	}
}

// A value the service rewrites as it documents (Salesforce lower-cases a
// userName) is kept, not "not applied"; Capabilities.Same says so to the
// plan, which then does not plan it again.
func TestRewrittenValuesAreKept(t *testing.T) {
	_, c, _ := emu(t, emulator.ProfileSalesforce)
	ctx := context.Background()
	a, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Ann", Family: "Lee"}, UserName: "Ann.Lee", Email: "ann@acme.example", Active: true})
	if err != nil || a.UserName != "ann.lee" {
		t.Fatalf("%+v %v", a, err)
	}
	got, err := c.Update(ctx, target.Ref{ID: a.ID}, &target.Account{UserName: "Ann.Lee2"}, []roster.Field{roster.UserName})
	if err != nil || got.UserName != "ann.lee2" {
		t.Fatalf("%+v %v", got, err)
	}
	caps, _ := c.Capabilities(ctx)
	if !caps.Equal(roster.UserName, "Ann.Lee2", got.UserName) || caps.Equal(roster.Title, "A", "a") {
		t.Fatal("Same: userName ignoring case, nothing else")
	}
}
