package scim_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// awsPerson is the i-th person as AWS needs them: given, family and
// display names, one email.
func awsPerson(i int) *target.Account {
	return &target.Account{Name: target.Name{Formatted: fmt.Sprintf("Pat Doe%03d", i), Given: "Pat", Family: fmt.Sprintf("Doe%03d", i)},
		Email: fmt.Sprintf("pat.doe%03d@acme.example", i), ExternalID: fmt.Sprintf("E%03d", i), Active: true}
}

// AWS IAM Identity Center (SCIM-DIALECTS.md §1): a create carries the
// given, family and display names and one primary email (AWS refuses one
// without, in its own words); 150 people are listed completely by cursor,
// so a second plan finds every one of them (not the 50 or 100 of a first
// page); the same service met as an unknown one (rfc) is found to ignore
// startIndex and listed by cursor too.
func TestAWSCreatesAndListsEveryone(t *testing.T) {
	srv, c, l := emu(t, emulator.ProfileAWS)
	ctx := context.Background()
	_, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Ann Lee"}, Email: "ann@acme.example", Active: true})
	if te := kindOf(t, err, target.Invalid); te.Status != 400 || te.Message != "name.givenName is required by this service" {
		t.Fatalf("a create without given names: %#v", te)
	}
	var people []*target.Account
	for i := range 150 {
		got, err := c.Create(ctx, awsPerson(i))
		if err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		people = append(people, got)
	}
	s := snapshotOf(t, srv, people[7].ID)
	if s.GivenName != "Pat" || s.FamilyName != "Doe007" || s.Name != "Pat Doe007" || s.Email != "pat.doe007@acme.example" {
		t.Fatalf("stored %+v", s)
	}
	l.reset()
	seen := map[string]bool{}
	if err := c.ListAll(ctx, func(p []target.Account) error {
		for _, a := range p {
			seen[a.ID] = true
		}
		return nil
	}); err != nil || len(seen) != 150 {
		t.Fatalf("listed %d of 150: %v", len(seen), err)
	}
	// Two cursor pages: AWS holds a page one short of count while more remain.
	if calls := strings.Join(l.called(), "|"); calls != "GET /Users|GET /Users" {
		t.Fatalf("calls %s", calls)
	}
	var keys []target.Key
	for _, p := range people {
		keys = append(keys, target.Key{Kind: target.ByEmail, Value: p.Email})
	}
	if found, err := c.Find(ctx, keys); err != nil || len(found) != 150 {
		t.Fatalf("a second plan finds %d of 150: %v", len(found), err)
	}

	// Met as an unknown service: the first page says totalResults 100,
	// its own size; the next repeats it (startIndex ignored); cursors
	// then list everyone, and the capabilities say so, from the probe.
	rfc, rl := open(t, srv.URL()+emulator.SCIMPrefix, func(cfg *target.Config) { cfg.Token, cfg.PageSize, cfg.Dialect = srv.Token(), 100, "rfc" })
	caps, _ := rfc.Capabilities(ctx)
	if caps.Paging != target.PageIndex {
		t.Fatalf("paging %s before any listing", caps.Paging)
	}
	rl.reset()
	n := 0
	if err := rfc.ListAll(ctx, func(p []target.Account) error { n += len(p); return nil }); err != nil || n != 150 {
		t.Fatalf("listed %d of 150: %v", n, err)
	}
	if calls := strings.Join(rl.called(), "|"); calls != "GET /Users|GET /Users|GET /Users|GET /Users" {
		t.Fatalf("calls %s (a page, the same page again, two cursor pages)", calls)
	}
	caps, _ = rfc.Capabilities(ctx)
	if caps.Paging != target.PageCursor || !caps.Complete || !strings.HasPrefix(caps.Origin("paging"), "probe: a second page of /Users repeated the first") {
		t.Fatalf("paging %s complete %v from %q", caps.Paging, caps.Complete, caps.Origin("paging"))
	}
}

// AWS: no request holds two operations on userName and active (§1, "no
// multiple PATCH operations on userName or active"): an email change
// that moves the userName with it and a deactivation go in two PATCHes,
// the deactivation last; a second phone replaces the first (one value a
// multi-valued attribute); groups are answered without members, so their
// members are not known.
func TestAWSUpdatesAndGroups(t *testing.T) {
	srv, c, l := emu(t, emulator.ProfileAWS)
	ctx := context.Background()
	a, err := c.Create(ctx, awsPerson(1))
	if err != nil {
		t.Fatal(err)
	}
	l.reset()
	to := &target.Account{Email: "pat.new@acme.example", Active: false}
	got, err := c.Update(ctx, target.Ref{ID: a.ID}, to, []roster.Field{roster.Email, roster.Active})
	if err != nil || got.Email != to.Email || got.Active {
		t.Fatalf("%+v %v", got, err)
	}
	if calls := strings.Join(l.called(), "|"); calls != "GET /Users/"+a.ID+"|PATCH /Users/"+a.ID+"|PATCH /Users/"+a.ID {
		t.Fatalf("calls %s (read the userName, then the email with it, then active alone)", calls)
	}
	if s := snapshotOf(t, srv, a.ID); s.Email != to.Email || s.Active || s.UserName != "" {
		t.Fatalf("stored %+v (the userName follows the email)", s)
	}
	for _, p := range []string{"+44-7236-123459", "+1-415-555-0100"} {
		if err := c.AddPhone(ctx, target.Ref{ID: a.ID}, target.Phone{Number: p, Type: "work"}); err != nil {
			t.Fatal(err)
		}
	}
	if ph := snapshotOf(t, srv, a.ID).Phones; len(ph) != 1 || ph[0].Number != "+1-415-555-0100" || !ph[0].Primary {
		t.Fatalf("phones %+v", ph)
	}
	g, err := c.CreateGroup(ctx, "Night Shift")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ChangeMembers(ctx, g, []string{a.ID}, nil); err != nil {
		t.Fatal(err)
	}
	groups, err := c.ListGroups(ctx)
	if err != nil || len(groups) != 1 || groups[0].MembersKnown || len(groups[0].Members) != 0 {
		t.Fatalf("%+v %v", groups, err)
	}
	if err := c.ChangeMembers(ctx, g, nil, []string{a.ID}); err != nil { // removed by a value filter with eq, as AWS takes
		t.Fatal(err)
	}
	if view := srv.SCIMView()["Groups"].([]any)[0].(map[string]any); len(asAny(view["members"])) != 0 {
		t.Fatalf("members %v", view["members"])
	}
}

func asAny(v any) []any { l, _ := v.([]any); return l }
