//go:build scimmy

package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/scim"
	"github.com/wpimport/wpimport/internal/testkit"
	"github.com/wpimport/wpimport/internal/workplace"
)

// These tests meet SCIMMY, a SCIM server wpimport did not write. It
// differs from the RFC and from our emulator in the ways API-NOTES.md
// lists, and the client must survive each.

func scimmy(t *testing.T) (*scim.Client, string) {
	base := testkit.SCIMMY(t)
	c, err := scim.New(scim.Config{BaseURL: base, Token: testkit.SCIMMYToken, UserAgent: "wpimport/test", PageSize: 7})
	if err != nil {
		t.Fatal(err)
	}
	return c, base
}

func TestSCIMMYDiscovery(t *testing.T) {
	c, _ := scimmy(t)
	caps, err := c.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !caps.Discovered || !caps.Patch || caps.ETag || !caps.Knows(scim.Enterprise) || caps.Knows(scim.AuthMethod) || !caps.Groups {
		t.Fatalf("caps %+v", caps)
	}
	un := strings.Join(caps.Uncarried(), ",")
	if !strings.Contains(un, "auth_method") || strings.Contains(un, "department") {
		t.Fatalf("uncarried %s", un)
	}
}

func TestSCIMMYQuirks(t *testing.T) {
	c, base := scimmy(t)
	ctx := context.Background()
	boss, err := c.CreateAccount(ctx, workplace.Fields{"name": "Boss", "email": "boss@acme.example", "external_id": "B-1", "department": "Ops"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 20 {
		id, err := c.CreateAccount(ctx, workplace.Fields{"name": fmt.Sprintf("P %d", i), "email": fmt.Sprintf("p%d@acme.example", i),
			"external_id": fmt.Sprintf("E-%d", i), "manager": boss, "work_locale": "en_GB", "title": "Eng"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	// itemsPerPage echoes the count asked: paging must go by resources returned.
	n := 0
	if err := c.ListMembers(ctx, workplace.ListOptions{}, func(p []workplace.Account) error { n += len(p); return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 21 {
		t.Fatalf("listed %d of 21", n)
	}
	// userName eq matched case-sensitively by the server.
	a, err := c.GetMember(ctx, "P3@ACME.example", nil)
	if err != nil || a.ID != ids[3] || a.Managers == nil || a.Managers.Data[0].ID != boss || a.WorkLocale != "en_GB" {
		t.Fatalf("look-up in another case: %+v %v", a, err)
	}
	found, err := c.LookupExternalIDs(ctx, []string{"E-4", "e-4"}, nil, 0)
	if err != nil || len(found) != 1 || found[0].ID != ids[4] {
		t.Fatalf("externalId look-up: %+v %v", found, err)
	}
	// Updates without ETags (If-Match is not sent where the service has none).
	if err := c.UpdateAccount(ctx, ids[0], workplace.Fields{"title": "Lead", "department": "R&D", "manager": ""}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetActive(ctx, ids[1], false); err != nil {
		t.Fatal(err)
	}
	if err := c.AddPhone(ctx, ids[2], "+44 20 7946 0000", "work", true); err != nil {
		t.Fatal(err)
	}
	if err := c.AddPhone(ctx, ids[2], "+44 20 7946 0000", "work", true); err != nil { // a retry adds nothing
		t.Fatal(err)
	}
	a, _ = c.GetMember(ctx, ids[0], nil)
	b, _ := c.GetMember(ctx, ids[1], nil)
	p, _ := c.GetMember(ctx, ids[2], nil)
	if a.Title != "Lead" || a.Department != "R&D" || a.Managers != nil || *b.Active || len(p.PhoneNumbers()) != 1 {
		t.Fatalf("after updates: %+v / %+v / %+v", a, b, p.PhoneNumbers())
	}
	// A uniqueness error, in SCIMMY's shape, is a refused call (then looked up).
	_, err = c.CreateAccount(ctx, workplace.Fields{"name": "Again", "email": "p5@acme.example", "external_id": "E-new"})
	if !workplace.IsInvalidParameter(err) || !strings.Contains(err.Error(), "409") {
		t.Fatalf("duplicate create: %v", err)
	}
	// A plain-text 401 stops the run and says so.
	bad, _ := scim.New(scim.Config{BaseURL: base, Token: "wrong-token-123"})
	_, err = bad.GetMember(ctx, ids[0], nil)
	if !workplace.IsFatal(err) || !strings.Contains(err.Error(), "HTTP 401: Unauthorized") || strings.Contains(err.Error(), "wrong-token-123") {
		t.Fatalf("plain 401: %v", err)
	}
	// A bare-string manager is refused by an RFC service: the client must
	// never send one, and does not (above, the manager went as value).
	body, _ := json.Marshal(map[string]any{"schemas": []string{scim.CoreUser, scim.Enterprise}, "userName": "bare@acme.example",
		scim.Enterprise: map[string]any{"manager": boss}})
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
	if err := c.DeleteAccount(ctx, ids[6]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetMember(ctx, ids[6], nil); !workplace.IsNotFound(err) {
		t.Fatalf("after delete: %v", err)
	}
}
