package scim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// GitHub EMU (SCIM-DIALECTS.md §3) documents no discovery and has groups:
// they are carried, and a member is removed by a value list (no
// value-filter paths). It takes no enterprise extension: its fields are
// refused before any write. It makes a userName a handle: the handle is
// the roster's user name (Capabilities.Same), not a value not applied, and
// one made of the email is no user name of the account's own. Emails,
// which it cannot filter on, are found in a listing.
func TestGitHubGroupsAndHandles(t *testing.T) {
	_, c, l := emu(t, emulator.ProfileGitHub)
	ctx := context.Background()
	caps, err := c.Capabilities(ctx)
	if err != nil || !caps.Groups || !caps.CanCarry(roster.Groups) || caps.CanCarry(roster.Department) || caps.CanCarry(roster.Manager) {
		t.Fatalf("%+v %v", caps, err)
	}
	ann, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Ann Lee"}, UserName: "ann.lee", Email: "ann@acme.example", ExternalID: "E1", Active: true})
	if err != nil || ann.UserName != "ann-lee_acme" || !caps.Equal(roster.UserName, "ann.lee", ann.UserName) {
		t.Fatalf("%+v %v", ann, err)
	}
	bo, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Bo"}, Email: "bo.x@acme.example", Active: true})
	if err != nil || bo.UserName != "" || bo.LoginName() != "bo.x@acme.example" {
		t.Fatalf("the handle of the email: %+v %v", bo, err)
	}
	found, err := c.Find(ctx, []target.Key{{Kind: target.ByEmail, Value: "BO.X@acme.example"}, {Kind: target.ByUserName, Value: "ann.lee"}})
	if err != nil || len(found) != 2 || found[target.Key{Kind: target.ByUserName, Value: "ann.lee"}].ID != ann.ID {
		t.Fatalf("%v %v", found, err)
	}
	l.reset()
	_, err = c.Update(ctx, target.Ref{ID: ann.ID}, &target.Account{Department: "R&D"}, []roster.Field{roster.Department})
	if te := kindOf(t, err, target.Invalid); !strings.Contains(te.Message, "cannot carry department") || len(l.called()) != 0 {
		t.Fatalf("%v, calls %v", te, l.called())
	}
	g, err := c.CreateGroup(ctx, "Eng")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ChangeMembers(ctx, g, []string{ann.ID, bo.ID}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.ChangeMembers(ctx, g, nil, []string{bo.ID}); err != nil {
		t.Fatal(err)
	}
	groups, err := c.ListGroups(ctx)
	if err != nil || len(groups) != 1 || strings.Join(groups[0].Members, ",") != ann.ID || !groups[0].MembersKnown {
		t.Fatalf("%+v %v", groups, err)
	}
}

// Zoom (SCIM-DIALECTS.md §5): PATCH only for active, so other changes go
// by GET and PUT, a cleared value as null (its PUT changes only what it
// names); its externalId is its own id, not ours.
func TestZoomPutsAndClears(t *testing.T) {
	srv, c, l := emu(t, emulator.ProfileZoom)
	ctx := context.Background()
	a, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Ann"}, Email: "ann@acme.example", Title: "Engineer", Department: "R&D", Active: true})
	if err != nil || a.ExternalID != "" {
		t.Fatalf("%+v %v", a, err)
	}
	l.reset()
	got, err := c.Update(ctx, target.Ref{ID: a.ID}, &target.Account{Department: "Ops"}, []roster.Field{roster.Title, roster.Department})
	if err != nil || got.Title != "" || got.Department != "Ops" {
		t.Fatalf("%+v %v", got, err)
	}
	if s := snapshotOf(t, srv, a.ID); s.Title != "" || s.Department != "Ops" {
		t.Fatalf("stored %+v", s)
	}
	if _, err := c.SetActive(ctx, target.Ref{ID: a.ID}, false); err != nil {
		t.Fatal(err)
	}
	if calls := strings.Join(l.called(), "|"); calls != "GET /Users/"+a.ID+"|PUT /Users/"+a.ID+"|PATCH /Users/"+a.ID {
		t.Fatalf("calls %s", calls)
	}
}

// Salesforce (SCIM-DIALECTS.md §7): new users get the profile "Standard
// User" from /Entitlements (asked once); a userName it answers in lower
// case is kept, not a value not applied; it never deletes users, so
// Remove asks nothing, and a DELETE it is sent anyway (501) is a
// permanent refusal, not a passing fault.
func TestSalesforceProfilesAndNoDelete(t *testing.T) {
	srv, c, l := emu(t, emulator.ProfileSalesforce)
	ctx := context.Background()
	var ids []string
	for _, un := range []string{"Ann.Lee@Acme.example", "Bo@Acme.example"} {
		got, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "X", Family: "Lee"}, UserName: un, Email: strings.ToLower(un), Active: true})
		if err != nil || !strings.EqualFold(got.LoginName(), un) {
			t.Fatalf("%+v %v", got, err)
		}
		ids = append(ids, got.ID)
	}
	if calls := strings.Join(l.called(), "|"); calls != "GET /ServiceProviderConfigs|GET /ResourceTypes|GET /Entitlements|POST /Users !|POST /Users !" {
		t.Fatalf("calls %s", calls)
	}
	view := srv.SCIMView()["Users"].([]any)[0].(map[string]any)
	if e := view["entitlements"].([]any)[0].(map[string]any); e["display"] != "Standard User" || view["userName"] != "ann.lee@acme.example" {
		t.Fatalf("stored %v", view)
	}
	l.reset()
	if te := kindOf(t, c.Remove(ctx, target.Ref{ID: ids[0]}, target.RemoveDelete), target.Invalid); !strings.Contains(te.Message, "never deletes users") || len(l.called()) != 0 {
		t.Fatalf("%v %v", te, l.called())
	}
	rfc, _ := open(t, srv.URL()+emulator.SCIMPrefix, func(cfg *target.Config) { cfg.Token, cfg.Dialect = srv.Token(), "rfc" })
	err := rfc.Remove(ctx, target.Ref{ID: ids[0]}, target.RemoveDelete)
	if te := kindOf(t, err, target.Invalid); te.Status != 501 || !strings.Contains(te.Message, "never deleted") || target.IsRetryable(err) || target.IsUnknownOutcome(err) {
		t.Fatalf("%#v", te)
	}
}

// Meta (SCIM-DIALECTS.md §12): the start date goes in the starttermdates
// extension as unix seconds, on create and on update, and reads back.
func TestMetaStartDate(t *testing.T) {
	srv, c, _ := emu(t, emulator.ProfileMeta)
	ctx := context.Background()
	a, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Ann"}, Email: "ann@acme.example", StartDate: "2024-03-01", Active: true})
	if err != nil || a.StartDate != "2024-03-01" {
		t.Fatalf("%+v %v", a, err)
	}
	got, err := c.Update(ctx, target.Ref{ID: a.ID}, &target.Account{StartDate: "2025-01-06"}, []roster.Field{roster.StartDate})
	if err != nil || got.StartDate != "2025-01-06" || snapshotOf(t, srv, a.ID).StartDate != "2025-01-06" {
		t.Fatalf("%+v %v", got, err)
	}
	if back := account(t, c, target.Key{Kind: target.ByEmail, Value: "ann@acme.example"}); back.StartDate != "2025-01-06" {
		t.Fatalf("read back %+v", back)
	}
}
