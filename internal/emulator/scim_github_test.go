package emulator_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
)

// GitHub Enterprise Managed Users, SCIM-DIALECTS.md §3.

func TestSCIMGitHubUsers(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileGitHub,
		State: &emulator.State{Accounts: []*emulator.Account{{ID: "7", Name: "C", Email: "c@acme.example", Active: true, Claimed: true}}}})
	// §3: a User-Agent is required.
	rfcErr(t, scimDo(t, srv, "GET", "/Users", nil, "User-Agent", ""), 403, "")
	// §3 username considerations: the userName becomes a handle.
	for _, tc := range []struct{ in, handle string }{
		{"Ann.Lee@acme.example", "Ann-Lee_acme"},
		{"bob_o'neil+x@acme.example", "bob-o-neil-x_acme"},
		{"--carl--", "carl_acme"},
		{"dee", "dee_acme"},
	} {
		r := scimDo(t, srv, "POST", "/Users", user(tc.in, "Someone", nil)).want(t, 201, "")
		if r.body["userName"] != tc.handle {
			t.Errorf("%s: userName answered %v, want %s", tc.in, r.body["userName"], tc.handle)
		}
	}
	// The email survives as the email.
	r := scimDo(t, srv, "GET", filterQ("Users", `userName eq "Ann-Lee_acme"`), nil).want(t, 200, "")
	ann := resources(r)[0]
	if e := ann["emails"].([]any)[0].(map[string]any)["value"]; e != "Ann.Lee@acme.example" {
		t.Fatalf("email %v", e)
	}
	// Collisions: only the first user is made (409); too long: 400.
	rfcErr(t, scimDo(t, srv, "POST", "/Users", user("ann.lee@other.example", "Other Ann", nil)), 409, "uniqueness")
	rfcErr(t, scimDo(t, srv, "POST", "/Users", user(strings.Repeat("x", 35)+"@acme.example", "Long", nil)), 400, "invalidValue")
	scimDo(t, srv, "POST", "/Users", user(strings.Repeat("x", 34)+"@acme.example", "Just fits", nil)).want(t, 201, "")
	// A PUT with the handle, or with the userName that made it, keeps the handle.
	id := ann["id"].(string)
	for _, un := range []string{"Ann-Lee_acme", "Ann.Lee@acme.example"} {
		if r := scimDo(t, srv, "PUT", "/Users/"+id, user(un, "Ann Lee", map[string]any{"emails": ann["emails"]})).want(t, 200, ""); r.body["userName"] != "Ann-Lee_acme" {
			t.Fatalf("PUT %s: userName %v", un, r.body["userName"])
		}
	}
	// §3 attributes: title is not among them (accepted, not kept); the
	// enterprise extension is not a GitHub schema.
	if r := scimDo(t, srv, "POST", "/Users", user("eve@acme.example", "Eve", map[string]any{"title": "CTO"})).want(t, 201, ""); r.body["title"] != nil {
		t.Fatalf("title kept: %v", r.body)
	}
	rfcErr(t, scimDo(t, srv, "POST", "/Users", user("fay@acme.example", "Fay", map[string]any{entUser: map[string]any{"department": "R&D"}})), 400, "invalidSyntax")
	// §3: no value-filter paths in PATCH.
	rfcErr(t, scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", `emails[type eq "work"].value`, "a@acme.example"))), 400, "invalidPath")
	scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "emails", []any{map[string]any{"value": "a@acme.example", "type": "work", "primary": true}}))).want(t, 200, "")
	// §3 filters: one expression.
	scimDo(t, srv, "GET", filterQ("Users", `externalId eq "x"`), nil).want(t, 200, "")
	rfcErr(t, scimDo(t, srv, "GET", filterQ("Users", `userName eq "dee_acme" and externalId eq "x"`), nil), 400, "invalidFilter")
	rfcErr(t, scimDo(t, srv, "GET", filterQ("Users", `title eq "x"`), nil), 400, "invalidFilter")
	// §3: DELETE is a hard deprovision, claimed or not; gone from listings.
	scimDo(t, srv, "DELETE", "/Users/7", nil).want(t, 204, "")
	rfcErr(t, scimDo(t, srv, "GET", "/Users/7", nil), 404, "")
	if r := scimDo(t, srv, "GET", filterQ("Users", `id eq "7"`), nil).want(t, 200, ""); r.body["totalResults"] != 0.0 {
		t.Fatalf("a deprovisioned user is listed: %v", r.body)
	}
	// §3: Groups, though no discovery says so.
	rfcErr(t, scimDo(t, srv, "GET", "/ServiceProviderConfig", nil), 404, "")
	g := scimDo(t, srv, "POST", "/Groups", group("Eng", id)).want(t, 201, "")
	rfcErr(t, scimDo(t, srv, "GET", filterQ("Groups", `members eq "`+id+`"`), nil), 400, "invalidFilter")
	// §3: no value-filter paths in a PATCH, of a group either: a member
	// goes by a value list.
	gid := g.body["id"].(string)
	rfcErr(t, scimDo(t, srv, "PATCH", "/Groups/"+gid, patch(op("remove", `members[value eq "`+id+`"]`, nil))), 400, "invalidPath")
	scimDo(t, srv, "PATCH", "/Groups/"+gid, patch(op("remove", "members", []any{map[string]any{"value": id}}))).want(t, 200, "")
	if r := scimDo(t, srv, "GET", "/Groups/"+gid, nil).want(t, 200, ""); len(asList(r.body["members"])) != 0 {
		t.Fatalf("members %v", r.body["members"])
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }

// §3: "do not assign more than 1,000 users per hour": a window limit, set
// short here; only users made count.
func TestSCIMGitHubUserWindow(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileGitHub, SCIMUserWindow: time.Second, SCIMUserWindowMax: 3})
	scimDo(t, srv, "POST", "/Users", user("x", "", nil)).want(t, 400, "invalidValue") // refused: uses no slot
	var firstDone time.Time                                                           // the first slot was taken before this
	for _, n := range []string{"a", "b", "c"} {
		scimDo(t, srv, "POST", "/Users", user(n+"@acme.example", n, nil)).want(t, 201, "")
		if firstDone.IsZero() {
			firstDone = time.Now()
		}
	}
	r := scimDo(t, srv, "POST", "/Users", user("d@acme.example", "d", nil))
	rfcErr(t, r, 429, "")
	if !strings.Contains(r.body["detail"].(string), "at most 3 users") {
		t.Fatalf("detail %v", r.body["detail"])
	}
	if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	scimDo(t, srv, "GET", "/Users", nil).want(t, 200, "") // reads are not limited
	time.Sleep(time.Until(firstDone.Add(time.Second + 50*time.Millisecond)))
	scimDo(t, srv, "POST", "/Users", user("d@acme.example", "d", nil)).want(t, 201, "")
}
