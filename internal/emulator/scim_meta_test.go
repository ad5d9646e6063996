package emulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
)

// Meta's managed work accounts, SCIM-DIALECTS.md §12 and API-NOTES.md.

func TestSCIMMetaProfile(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileMeta})
	r := scimDo(t, srv, "POST", "/Users", user("ann@a.example", "Ann", map[string]any{"externalId": "E1"})).want(t, 201, "")
	id := r.body["id"].(string)
	if r.header.Get("ETag") != "" || r.body["meta"].(map[string]any)["version"] != nil {
		t.Fatal("Meta's profile sent a version")
	}
	if st := r.body[fbStatus].(map[string]any); st["invited"] != true {
		t.Fatalf("not invited at once: %v", st)
	}
	// §12: userName eq and externalId eq, one expression; nothing else.
	for _, f := range []string{`userName eq "ANN@a.example"`, `externalId eq "E1"`} {
		if got := userNames(scimDo(t, srv, "GET", filterQ("Users", f), nil).want(t, 200, "")); len(got) != 1 {
			t.Fatalf("%s: %v", f, got)
		}
	}
	for _, f := range []string{`userName sw "a"`, `userName eq "a" or userName eq "b"`, `title eq "x"`} {
		graphErr(t, scimDo(t, srv, "GET", filterQ("Users", f), nil), 400, "100")
	}
	// §12: /Users is the only endpoint.
	for _, p := range []string{"/Groups", "/ServiceProviderConfig", "/Schemas", "/ResourceTypes", "/Bulk"} {
		graphErr(t, scimDo(t, srv, "GET", p, nil), 404, "100")
	}
	// §12: a User-Agent is mandatory.
	graphErr(t, scimDo(t, srv, "GET", "/Users/"+id, nil, "User-Agent", ""), 403, "10")
	// §12: the manager is written as managerId (the RFC form is accepted too)
	// and answered as managerId.
	boss := scimDo(t, srv, "POST", "/Users", user("boss@a.example", "Boss", nil)).want(t, 201, "").body["id"].(string)
	r = scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", entUser+":manager", map[string]any{"managerId": boss}))).want(t, 200, "")
	if m := r.body[entUser].(map[string]any)["manager"].(map[string]any); m["managerId"] != boss {
		t.Fatalf("manager answered as %v", m)
	}
	scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", entUser+":manager", map[string]any{"value": boss}))).want(t, 200, "")
	// §12: errors are Graph-style; a duplicate is a 409.
	graphErr(t, scimDo(t, srv, "POST", "/Users", user("ANN@a.example", "Ann", nil)), 409, "100")
	// A bad token is answered in Graph's shape, as Meta's samples show.
	req, _ := http.NewRequest("GET", srv.URL()+"/scim/v2/Users", nil)
	req.Header.Set("User-Agent", "t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Error struct{ Code int } `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 401 || body.Error.Code != 190 {
		t.Fatalf("meta 401: %d %+v", resp.StatusCode, body)
	}
}

// §12, API-NOTES: reactivating an account clears its manager, unless the
// same request sets it; an RFC service keeps it.
func TestSCIMMetaReactivationClearsManager(t *testing.T) {
	for prof, cleared := range map[string]bool{emulator.ProfileMeta: true, emulator.ProfileRFC: false} {
		srv, _ := start(t, emulator.Config{SCIMProfile: prof})
		boss := scimDo(t, srv, "POST", "/Users", user("boss@a.example", "Boss", nil)).want(t, 201, "").body["id"].(string)
		id := scimDo(t, srv, "POST", "/Users", user("ann@a.example", "Ann", map[string]any{entUser: map[string]any{"manager": map[string]any{"value": boss}}})).
			want(t, 201, "").body["id"].(string)
		scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "active", false))).want(t, 200, "")
		r := scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "active", true))).want(t, 200, "")
		if got := r.body[entUser] == nil; got != cleared {
			t.Errorf("%s: after reactivation the enterprise extension is %v; want the manager cleared: %v", prof, r.body[entUser], cleared)
		}
		if a := srv.Snapshot().Accounts[1]; (a.Manager == "") != cleared {
			t.Errorf("%s: the tenant holds manager %q", prof, a.Manager)
		}
		// Set again in the same request: kept.
		scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "active", false))).want(t, 200, "")
		r = scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "active", true), op("replace", entUser+":manager", map[string]any{"value": boss}))).want(t, 200, "")
		if r.body[entUser] == nil {
			t.Errorf("%s: a manager set with the reactivation was dropped", prof)
		}
	}
}

// §12: e-mail-less accounts unless the setting is off ("Missing Email
// field"); DELETE only for accounts never claimed.
func TestSCIMMetaEmailAndDelete(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileMeta, State: &emulator.State{Accounts: []*emulator.Account{
		{ID: "7", Name: "Claimed", Email: "c@a.example", Active: true, Claimed: true}}}})
	id := scimDo(t, srv, "POST", "/Users", user("E-77", "No Mail", map[string]any{"externalId": "E-77"})).want(t, 201, "").body["id"].(string)
	graphErr(t, scimDo(t, srv, "DELETE", "/Users/7", nil), 409, "100")
	// §12: only userName is required to create.
	r := scimDo(t, srv, "POST", "/Users", map[string]any{"schemas": []string{coreUser}, "userName": "only@a.example"}).want(t, 201, "")
	if r.body["displayName"] != "only@a.example" {
		t.Fatalf("a User with only a userName: %v", r.body)
	}
	scimDo(t, srv, "DELETE", "/Users/"+id, nil).want(t, 204, "")
	strict, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileMeta, SCIMNoEmailless: true})
	r = scimDo(t, strict, "POST", "/Users", user("E-77", "No Mail", map[string]any{"externalId": "E-77"}))
	graphErr(t, r, 400, "100")
	if msg := r.body["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "Missing Email field") {
		t.Fatalf("message %q", msg)
	}
}
