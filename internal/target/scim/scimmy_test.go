//go:build scimmy

package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/scim"
	"github.com/wpimport/wpimport/internal/target/targettest"
	"github.com/wpimport/wpimport/internal/testkit"
)

// These tests meet SCIMMY, a SCIM server wpimport did not write. It
// differs from the RFC and from our emulator in the ways API-NOTES.md
// lists (no ETags, userName matched case-sensitively, itemsPerPage echoing
// the count, the query's paging ignored), and the client must survive
// each.

func scimmy(t *testing.T) (*scim.Client, *layer, string) {
	base := testkit.SCIMMY(t)
	c, l := open(t, base, func(cfg *target.Config) { cfg.Token, cfg.PageSize = testkit.SCIMMYToken, 7 })
	return c, l, base
}

func TestSCIMMYDiscovery(t *testing.T) {
	c, _, _ := scimmy(t)
	d, err := c.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !d.Discovered || !d.Patch || d.ETag || !d.Knows(scim.Enterprise) || d.Knows(scim.AuthMethod) || !d.Groups {
		t.Fatalf("discovery %+v", d)
	}
	caps, _ := c.Capabilities(context.Background())
	if caps.CanCarry(roster.AuthMethod) || !caps.CanCarry(roster.Department) || caps.CanCarry(roster.StartDate) ||
		caps.Versions || caps.LookupBatch != 50 || !caps.Groups || caps.ReadsClaim {
		t.Fatalf("caps %+v", caps)
	}
}

func TestSCIMMYQuirks(t *testing.T) {
	c, l, base := scimmy(t)
	ctx := context.Background()
	boss, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Boss"}, Email: "boss@acme.example", ExternalID: "B-1", Department: "Ops", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 20 {
		a, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: fmt.Sprintf("P %d", i), Given: "P", Family: fmt.Sprint(i)},
			Email: fmt.Sprintf("p%d@acme.example", i), ExternalID: fmt.Sprintf("E-%d", i), Manager: &target.Ref{ID: boss.ID},
			Locale: "en_GB", Title: "Eng", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	// itemsPerPage echoes the count asked, the query's paging is ignored:
	// paging goes by resources returned, by POST .search.
	n := 0
	l.reset()
	if err := c.ListAll(ctx, func(p []target.Account) error { n += len(p); return nil }); err != nil {
		t.Fatal(err)
	}
	if calls := l.called(); n != 21 || !slices.Contains(calls, "POST /Users/.search") {
		t.Fatalf("listed %d of 21 by %v", n, calls)
	}
	// userName eq matched case-sensitively by the server; given and family
	// names read back.
	upper := target.Key{Kind: target.ByEmail, Value: "P3@ACME.example"}
	ext, extOther := target.Key{Kind: target.ByExternalID, Value: "E-4"}, target.Key{Kind: target.ByExternalID, Value: "e-4"}
	found, err := c.Find(ctx, []target.Key{upper, ext, extOther})
	if err != nil {
		t.Fatal(err)
	}
	a := found[upper]
	if a == nil || a.ID != ids[3] || a.ManagerID() != boss.ID || a.Locale != "en_GB" || a.Name.Given != "P" || a.Name.Family != "3" {
		t.Fatalf("look-up in another case: %+v", a)
	}
	if found[ext] == nil || found[ext].ID != ids[4] || found[extOther] != nil {
		t.Fatalf("externalId look-up: %+v / %+v", found[ext], found[extOther])
	}
	// Updates without ETags (If-Match is not sent where the service has none).
	if _, err := c.Update(ctx, target.Ref{ID: ids[0], Version: `W/"x"`}, &target.Account{Title: "Lead", Department: "R&D", Name: target.Name{Family: "Zero"}},
		[]roster.Field{roster.Title, roster.Department, roster.Manager, roster.LastName}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetActive(ctx, target.Ref{ID: ids[1]}, false); err != nil {
		t.Fatal(err)
	}
	if err := c.AddPhone(ctx, target.Ref{ID: ids[2]}, target.Phone{Number: "+44 20 7946 0000", Type: "work", Primary: true}); err != nil {
		t.Fatal(err)
	}
	got, err := c.Find(ctx, []target.Key{{Kind: target.ByID, Value: ids[0]}, {Kind: target.ByID, Value: ids[1]}, {Kind: target.ByID, Value: ids[2]}})
	if err != nil {
		t.Fatal(err)
	}
	a, b, p := got[target.Key{Kind: target.ByID, Value: ids[0]}], got[target.Key{Kind: target.ByID, Value: ids[1]}], got[target.Key{Kind: target.ByID, Value: ids[2]}]
	if a.Title != "Lead" || a.Department != "R&D" || a.Manager != nil || a.Name.Family != "Zero" || a.Name.Given != "P" || b.Active || len(p.Phones) != 1 || p.PrimaryPhone() != "+44 20 7946 0000" {
		t.Fatalf("after updates: %+v / %+v / %+v", a, b, p.Phones)
	}
	// A uniqueness error, in SCIMMY's shape, is a conflict with its code.
	_, err = c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Again"}, Email: "p5@acme.example", ExternalID: "E-new", Active: true})
	if te := target.As(err); te == nil || te.Kind != target.Conflict || te.Status != 409 || te.Code != "uniqueness" {
		t.Fatalf("duplicate create: %v", err)
	}
	// A plain-text 401 stops the run, in the service's words.
	bad, err := scim.New(target.Config{URL: base, Token: "wrong-token-123"})
	if err != nil {
		t.Fatal(err)
	}
	err = bad.ListAll(ctx, func([]target.Account) error { return nil })
	if te := target.As(err); te == nil || te.Kind != target.Fatal || te.Status != 401 || te.Message != "Unauthorized" || bytes.Contains([]byte(err.Error()), []byte("wrong-token-123")) {
		t.Fatalf("plain 401: %v", err)
	}
	// A bare-string manager is refused by an RFC service: the client must
	// never send one, and does not (above, the manager went as value).
	body, _ := json.Marshal(map[string]any{"schemas": []string{scim.CoreUser, scim.Enterprise}, "userName": "bare@acme.example",
		scim.Enterprise: map[string]any{"manager": boss.ID}})
	req, _ := http.NewRequest("POST", base+"/Users", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testkit.SCIMMYToken)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("bare-string manager: %d %s", resp.StatusCode, msg)
	}
	if err := c.Remove(ctx, target.Ref{ID: ids[6]}, target.RemoveDelete); err != nil {
		t.Fatal(err)
	}
	if found, err := c.Find(ctx, []target.Key{{Kind: target.ByID, Value: ids[6]}}); err != nil || len(found) != 0 {
		t.Fatalf("after delete: %v %v", found, err)
	}
}

// Groups on SCIMMY: made, found, filled, emptied, listed.
func TestSCIMMYGroups(t *testing.T) {
	c, _, _ := scimmy(t)
	ctx := context.Background()
	var ids []string
	for i := range 3 {
		a, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: fmt.Sprint("G", i)}, Email: fmt.Sprintf("g%d@acme.example", i), Active: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	g, err := c.CreateGroup(ctx, "Night Shift")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ChangeMembers(ctx, g, ids, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.ChangeMembers(ctx, g, nil, ids[:1]); err != nil {
		t.Fatal(err)
	}
	found, err := c.FindGroup(ctx, "Night Shift")
	if err != nil || found == nil || found.ID != g.ID || len(found.Members) != 2 {
		t.Fatalf("%+v %v", found, err)
	}
}

// Bulk on SCIMMY: creates and an update go together, each answered.
func TestSCIMMYBulk(t *testing.T) {
	base := testkit.SCIMMY(t)
	c, l := open(t, base, func(cfg *target.Config) { cfg.Token, cfg.Bulk = testkit.SCIMMYToken, true })
	scim.HoldBulk(c, 5)
	got, errs := createAll(c, 5)
	for i := range got {
		if errs[i] != nil || got[i].ID == "" {
			t.Fatalf("%d: %+v %v", i, got[i], errs[i])
		}
	}
	if calls := l.called(); !slices.Equal(calls, []string{"GET /ServiceProviderConfig", "GET /ResourceTypes", "POST /Bulk !"}) {
		t.Fatalf("calls %v", calls)
	}
	found, err := c.Find(context.Background(), []target.Key{{Kind: target.ByEmail, Value: "n3@x.example"}})
	if err != nil || found[target.Key{Kind: target.ByEmail, Value: "n3@x.example"}].ID != got[3].ID {
		t.Fatalf("%v %v", found, err)
	}
}

// TestSCIMMYConformance runs the suite every target passes against SCIMMY,
// a server wpimport did not write: each case on a new SCIMMY process. The
// fault cases are logged as not run (SCIMMY cannot stage faults), as are
// the cases of what SCIMMY does not offer.
func TestSCIMMYConformance(t *testing.T) {
	targettest.Run(t, targettest.Harness{Name: "scim on SCIMMY", Target: scim.Name, Start: func(t *testing.T, o targettest.Options) *targettest.Server {
		base := testkit.SCIMMY(t)
		return &targettest.Server{
			Config:       target.Config{URL: base, Token: testkit.SCIMMYToken, UserAgent: "wpimport/targettest", PageSize: o.PageCap},
			RefusedToken: "refused-token-0123456789abcdef",
		}
	}})
}
