package emulator_test

import (
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
)

// Zoom SCIM2, SCIM-DIALECTS.md §5.

const scimJSON = "application/scim+json"

func zoomDo(t testing.TB, srv *emulator.Server, method, path string, body any, hdr ...string) scimResp {
	t.Helper()
	return scimDo(t, srv, method, path, body, append([]string{"Accept", scimJSON}, hdr...)...)
}

func TestSCIMZoomUsers(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileZoom, State: &emulator.State{Accounts: []*emulator.Account{
		{ID: "9", Name: "Pending Pat", Email: "pat@acme.example", Title: "Old", Active: true, Invited: true}}}})
	// §5: Accept: application/scim+json.
	zoomErr(t, scimDo(t, srv, "GET", "/Users", nil), 406, "Accept: application/scim+json")
	zoomErr(t, scimDo(t, srv, "GET", "/Users", nil, "Accept", "application/json"), 406, "")
	zoomDo(t, srv, "GET", "/Users", nil, "Accept", "application/scim+json; charset=utf-8").want(t, 200, "")
	// §5: userName is the email.
	zoomErr(t, zoomDo(t, srv, "POST", "/Users", user("ann", "Ann", nil)), 400, "email address")
	boss := zoomDo(t, srv, "POST", "/Users", user("boss@acme.example", "Boss", nil)).want(t, 201, "").body["id"].(string)
	r := zoomDo(t, srv, "POST", "/Users", user("ann@acme.example", "Ann", map[string]any{"externalId": "HR-1", "title": "Eng",
		entUser: map[string]any{"department": "R&D", "organization": "Acme", "costCenter": "CC1", "manager": map[string]any{"value": boss}}})).want(t, 201, "")
	id := r.body["id"].(string)
	// §5: externalId is Zoom's own user id; the client's is not kept, so a
	// look-up by it finds nothing.
	if r.body["externalId"] != id {
		t.Fatalf("externalId %v, want Zoom's id %s", r.body["externalId"], id)
	}
	if r := zoomDo(t, srv, "GET", filterQ("Users", `externalId eq "HR-1"`), nil).want(t, 200, ""); r.body["totalResults"] != 0.0 {
		t.Fatalf("externalId eq the client's id found %v", r.body)
	}
	if got := userNames(zoomDo(t, srv, "GET", filterQ("Users", `externalId eq "`+id+`"`), nil).want(t, 200, "")); len(got) != 1 || got[0] != "ann@acme.example" {
		t.Fatalf("externalId eq Zoom's id: %v", got)
	}
	zoomErr(t, zoomDo(t, srv, "GET", filterQ("Users", `userName sw "a"`), nil), 400, "cannot filter")
	// §5 (devforum): ListUsers lacks manager, organization, costCenter that GetUser has.
	ent := resources(zoomDo(t, srv, "GET", filterQ("Users", `userName eq "ann@acme.example"`), nil).want(t, 200, ""))[0][entUser].(map[string]any)
	if ent["manager"] != nil || ent["organization"] != nil || ent["costCenter"] != nil || ent["department"] != "R&D" {
		t.Fatalf("listing's enterprise extension %v", ent)
	}
	if ent := zoomDo(t, srv, "GET", "/Users/"+id, nil).want(t, 200, "").body[entUser].(map[string]any); ent["manager"] == nil || ent["costCenter"] != "CC1" {
		t.Fatalf("GetUser's enterprise extension %v", ent)
	}
	// §5: PATCH activates and deactivates, nothing else.
	zoomDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "active", false))).want(t, 200, "")
	zoomDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "", map[string]any{"active": true}))).want(t, 200, "")
	zoomErr(t, zoomDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "title", "Lead"))), 400, "PATCH changes only active")
	zoomErr(t, zoomDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", entUser+":department", "Ops"))), 400, "PATCH changes only active")
	// §5: a PUT changes only what it names.
	r = zoomDo(t, srv, "PUT", "/Users/"+id, map[string]any{"title": "Lead"}).want(t, 200, "")
	if r.body["title"] != "Lead" || r.body["displayName"] != "Ann" || r.body[entUser].(map[string]any)["department"] != "R&D" {
		t.Fatalf("partial PUT: %v", r.body)
	}
	// §5: ETags as W/"…".
	v := r.header.Get("ETag")
	zoomErr(t, zoomDo(t, srv, "PUT", "/Users/"+id, map[string]any{"title": "X"}, "If-Match", `W/"old"`), 412, "")
	zoomDo(t, srv, "PUT", "/Users/"+id, map[string]any{"title": "X"}, "If-Match", v).want(t, 200, "")
	// §5: a pending user: 400 on look-up; a PUT succeeds and changes nothing.
	zoomErr(t, zoomDo(t, srv, "GET", filterQ("Users", `userName eq "pat@acme.example"`), nil), 400, "not exist or not belong to this account")
	r = zoomDo(t, srv, "PUT", "/Users/9", map[string]any{"title": "New"}).want(t, 200, "")
	if r.body["title"] != "Old" || srv.Snapshot().Accounts[0].Title != "Old" {
		t.Fatalf("a pending user's PUT was applied: %v", r.body)
	}
	// §5: DELETE → 204.
	zoomDo(t, srv, "DELETE", "/Users/"+id, nil).want(t, 204, "")
	zoomErr(t, zoomDo(t, srv, "GET", "/Users/"+id, nil), 404, "")
}

// §5: 429 without Retry-After, numeric status.
func TestSCIMZoomThrottle(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileZoom, Rate: 1, Burst: 1})
	zoomDo(t, srv, "GET", "/Users", nil).want(t, 200, "")
	r := zoomDo(t, srv, "GET", "/Users", nil)
	zoomErr(t, r, 429, "Too many requests")
	if r.header.Get("Retry-After") != "" {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
}
