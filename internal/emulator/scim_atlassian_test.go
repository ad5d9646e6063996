package emulator_test

import (
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
)

// Atlassian Cloud user provisioning, SCIM-DIALECTS.md §4.

func TestSCIMAtlassianUsers(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileAtlassian})
	// §4: accounts only on a verified domain.
	r := scimDo(t, srv, "POST", "/Users", user("ann@gmail.example", "Ann", nil))
	rfcErr(t, r, 400, "invalidValue")
	id := scimDo(t, srv, "POST", "/Users", user("ann@acme.example", "Ann", map[string]any{"externalId": "E1"})).want(t, 201, "").body["id"].(string)
	rfcErr(t, scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", `emails[type eq "work"].value`, "ann@gmail.example"))), 400, "invalidValue")
	// §4: an existing user is a 409.
	rfcErr(t, scimDo(t, srv, "POST", "/Users", user("ANN@acme.example", "Ann", nil)), 409, "uniqueness")
	// §4: one eq on userName or externalId.
	for _, f := range []string{`userName eq "ann@acme.example"`, `externalId eq "E1"`} {
		if got := userNames(scimDo(t, srv, "GET", filterQ("Users", f), nil).want(t, 200, "")); len(got) != 1 {
			t.Fatalf("%s: %v", f, got)
		}
	}
	for _, f := range []string{`userName eq "a" or userName eq "b"`, `userName eq "a" and externalId eq "E1"`, `displayName eq "Ann"`, `userName sw "ann"`} {
		rfcErr(t, scimDo(t, srv, "GET", filterQ("Users", f), nil), 400, "invalidFilter")
	}
	// §4: DELETE deactivates and deletes the SCIM record: 404 after, for
	// every operation; the account itself stays, deactivated.
	scimDo(t, srv, "DELETE", "/Users/"+id, nil).want(t, 204, "")
	rfcErr(t, scimDo(t, srv, "GET", "/Users/"+id, nil), 404, "")
	rfcErr(t, scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "active", true))), 404, "")
	rfcErr(t, scimDo(t, srv, "DELETE", "/Users/"+id, nil), 404, "")
	if r := scimDo(t, srv, "GET", filterQ("Users", `externalId eq "E1"`), nil).want(t, 200, ""); r.body["totalResults"] != 0.0 {
		t.Fatalf("the unlinked record is found: %v", r.body)
	}
	if a := srv.Snapshot().Accounts[0]; a.Active || a.ID != id {
		t.Fatalf("the account after DELETE: %+v", a)
	}
	// Another organization's verified domains.
	other, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileAtlassian, SCIMVerifiedDomains: []string{"corp.example"}})
	scimDo(t, other, "POST", "/Users", user("ann@corp.example", "Ann", nil)).want(t, 201, "")
	rfcErr(t, scimDo(t, other, "POST", "/Users", user("bob@acme.example", "Bob", nil)), 400, "invalidValue")
}

// §4: 100 users a page, startIndex for the next.
func TestSCIMAtlassianPaging(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileAtlassian, State: seeded(130)})
	r := scimDo(t, srv, "GET", "/Users?count=500", nil).want(t, 200, "")
	if len(resources(r)) != 100 || r.body["totalResults"] != 130.0 {
		t.Fatalf("first page: %d users, totalResults %v", len(resources(r)), r.body["totalResults"])
	}
	if r := scimDo(t, srv, "GET", "/Users?startIndex=101", nil).want(t, 200, ""); len(resources(r)) != 30 || r.body["startIndex"] != 101.0 {
		t.Fatalf("startIndex=101: %d users, startIndex %v", len(resources(r)), r.body["startIndex"])
	}
}

// §4: groups cannot be renamed; a same-name group is a 409.
func TestSCIMAtlassianGroups(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileAtlassian})
	gid := scimDo(t, srv, "POST", "/Groups", group("Eng")).want(t, 201, "").body["id"].(string)
	rfcErr(t, scimDo(t, srv, "POST", "/Groups", group("Eng")), 409, "uniqueness")
	rfcErr(t, scimDo(t, srv, "PATCH", "/Groups/"+gid, patch(op("replace", "displayName", "Engineering"))), 400, "mutability")
	rfcErr(t, scimDo(t, srv, "PUT", "/Groups/"+gid, group("Engineering")), 400, "mutability")
	scimDo(t, srv, "PUT", "/Groups/"+gid, group("Eng")).want(t, 200, "")
}

// §4: 429 with rate-limit headers.
func TestSCIMAtlassianRateHeaders(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileAtlassian, Rate: 0.5, Burst: 2, Now: func() time.Time { return now }})
	r := scimDo(t, srv, "GET", "/Users", nil).want(t, 200, "")
	if r.header.Get("X-RateLimit-Limit") != "2" || r.header.Get("X-RateLimit-Remaining") != "1" {
		t.Fatalf("headers %v", r.header)
	}
	scimDo(t, srv, "GET", "/Users", nil).want(t, 200, "")
	r = scimDo(t, srv, "GET", "/Users", nil)
	rfcErr(t, r, 429, "")
	if r.header.Get("Retry-After") == "" || r.header.Get("X-RateLimit-Remaining") != "0" || r.header.Get("X-RateLimit-Reset") != "2026-03-01T12:00Z" {
		t.Fatalf("429 headers %v", r.header)
	}
}
