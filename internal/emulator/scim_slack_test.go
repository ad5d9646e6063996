package emulator_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
)

// Slack, SCIM-DIALECTS.md §2.

func slackUser(userName, display, email string, extra map[string]any) map[string]any {
	u := user(userName, display, extra)
	u["emails"] = []any{map[string]any{"value": email, "type": "work", "primary": true}}
	return u
}

func TestSCIMSlackUsers(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileSlack})
	// §2: userName under 21 characters; no @ in displayName.
	slackErr(t, scimDo(t, srv, "POST", "/Users", slackUser("annabel.lee@acme.example", "Ann Lee", "annabel.lee@acme.example", nil)), 400, "has 24 characters: this service takes at most 20")
	slackErr(t, scimDo(t, srv, "POST", "/Users", slackUser("annlee", "ann@acme.example", "ann@acme.example", nil)), 400, "contains @")
	r := scimDo(t, srv, "POST", "/Users", slackUser("abcdefghijklmnopqrst", "Ann Lee", "ann@acme.example", nil)).want(t, 201, "")
	ann := r.body["id"].(string)
	if r.body["userName"] != "abcdefghijklmnopqrst" {
		t.Fatalf("userName %v", r.body["userName"])
	}
	// §2: userName cannot be changed, by PATCH or PUT.
	slackErr(t, scimDo(t, srv, "PATCH", "/Users/"+ann, patch(op("replace", "userName", "ann"))), 400, "cannot be changed")
	slackErr(t, scimDo(t, srv, "PUT", "/Users/"+ann, slackUser("ann", "Ann Lee", "ann@acme.example", nil)), 400, "cannot be changed")
	scimDo(t, srv, "PUT", "/Users/"+ann, slackUser("abcdefghijklmnopqrst", "Ann B. Lee", "ann@acme.example", nil)).want(t, 200, "")
	// §2 (hackclub): a duplicate email is email_taken, naming the existing user's id.
	slackErr(t, scimDo(t, srv, "POST", "/Users", slackUser("ann2", "Ann Two", "ANN@acme.example", nil)), 409, "email_taken")
	r = scimDo(t, srv, "POST", "/Users", slackUser("ann2", "Ann Two", "ANN@acme.example", nil))
	if d := r.body["Errors"].(map[string]any)["description"].(string); !strings.Contains(d, "existing_user="+ann) {
		t.Fatalf("description %q names no existing_user=%s", d, ann)
	}
	// §2: the manager is enterprise manager.managerId.
	boss := scimDo(t, srv, "POST", "/Users", slackUser("boss", "Boss", "boss@acme.example", nil)).want(t, 201, "").body["id"].(string)
	slackErr(t, scimDo(t, srv, "PATCH", "/Users/"+ann, patch(op("replace", entUser+":manager", map[string]any{"value": boss}))), 400, "manager.managerId")
	r = scimDo(t, srv, "PATCH", "/Users/"+ann, patch(op("replace", entUser+":manager", map[string]any{"managerId": boss}))).want(t, 200, "")
	if m := r.body[entUser].(map[string]any)["manager"].(map[string]any); m["managerId"] != boss || m["value"] != nil {
		t.Fatalf("manager answered as %v, want managerId", m)
	}
	// §2: DELETE deactivates; the user is still listed.
	scimDo(t, srv, "DELETE", "/Users/"+ann, nil).want(t, 204, "")
	if r := scimDo(t, srv, "GET", "/Users/"+ann, nil).want(t, 200, ""); r.body["active"] != false {
		t.Fatalf("after DELETE: %v", r.body)
	}
	if got := userNames(scimDo(t, srv, "GET", "/Users", nil).want(t, 200, "")); !slices.Contains(got, "abcdefghijklmnopqrst") {
		t.Fatalf("after DELETE the user is not listed: %v", got)
	}
	// §2: DELETE /Groups removes the group.
	gid := scimDo(t, srv, "POST", "/Groups", group("Eng", boss)).want(t, 201, "").body["id"].(string)
	scimDo(t, srv, "DELETE", "/Groups/"+gid, nil).want(t, 204, "")
	slackErr(t, scimDo(t, srv, "GET", "/Groups/"+gid, nil), 404, "")
}

// §2: filters on userName and email (emails eq, email eq) only;
// discovery under-reports filter support; Schemas by resource name.
func TestSCIMSlackFiltersAndDiscovery(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileSlack})
	scimDo(t, srv, "POST", "/Users", slackUser("ann", "Ann", "ann@acme.example", map[string]any{"title": "Eng"})).want(t, 201, "")
	scimDo(t, srv, "POST", "/Users", slackUser("bob", "Bob", "bob@acme.example", nil)).want(t, 201, "")
	for f, want := range map[string][]string{
		`userName eq "ann"`:                                {"ann"},
		`emails eq "BOB@acme.example"`:                     {"bob"},
		`email eq "bob@acme.example"`:                      {"bob"},
		`userName eq "ann" or email eq "bob@acme.example"`: {"ann", "bob"},
	} {
		if got := userNames(scimDo(t, srv, "GET", filterQ("Users", f), nil).want(t, 200, "")); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", f, got, want)
		}
	}
	slackErr(t, scimDo(t, srv, "GET", filterQ("Users", `title eq "Eng"`), nil), 400, "cannot filter")
	spc := scimDo(t, srv, "GET", "/ServiceProviderConfig", nil).want(t, 200, "").body
	if spc["filter"].(map[string]any)["supported"] != false || spc["bulk"].(map[string]any)["supported"] != false {
		t.Fatalf("ServiceProviderConfig: %v", spc)
	}
	for _, p := range []string{"/Schemas/Users", "/Schemas/Groups", "/Schemas/" + coreUser} {
		scimDo(t, srv, "GET", p, nil).want(t, 200, "")
	}
}

// §2 rate-limits: create user 180 a minute, burst 20; 429 with
// Retry-After in seconds.
func TestSCIMSlackThrottle(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileSlack})
	created := 0
	var r scimResp
	for i := range 60 {
		r = scimDo(t, srv, "POST", "/Users", slackUser(fmt.Sprintf("u%d", i), "U", fmt.Sprintf("u%d@acme.example", i), nil))
		if r.status != 201 {
			break
		}
		created++
	}
	if created < 20 || created >= 60 {
		t.Fatalf("%d creates before a 429, want the burst of 20 and soon a refusal", created)
	}
	slackErr(t, r, 429, "Too many requests")
	if n, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || n < 1 {
		t.Fatalf("Retry-After %q, want seconds", r.header.Get("Retry-After"))
	}
	// Reads have their own budget.
	scimDo(t, srv, "GET", "/Users?count=1", nil).want(t, 200, "")
	if st := srv.Stats(); st.Throttled != 1 {
		t.Fatalf("%d throttled, want 1", st.Throttled)
	}
}
