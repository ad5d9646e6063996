package emulator_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
)

// AWS IAM Identity Center, SCIM-DIALECTS.md §1.

func awsServer(t *testing.T, cfg emulator.Config) *emulator.Server {
	t.Helper()
	cfg.SCIMProfile = emulator.ProfileAWS
	srv, _ := start(t, cfg)
	return srv
}

// §1 createuser, putuser: what a User must be.
func TestSCIMAWSUsers(t *testing.T) {
	srv := awsServer(t, emulator.Config{})
	primary := func(v string) map[string]any { return map[string]any{"value": v, "type": "work", "primary": true} }
	for _, tc := range []struct {
		name string
		body map[string]any
		text string
	}{
		{"no givenName", user("a@acme.example", "A B", map[string]any{"name": map[string]any{"familyName": "B"}}), "name.givenName is required"},
		{"no familyName", user("a@acme.example", "A B", map[string]any{"name": map[string]any{"givenName": "A"}}), "name.familyName is required"},
		{"no displayName", map[string]any{"schemas": []string{coreUser}, "userName": "a@acme.example", "name": map[string]any{"givenName": "A", "familyName": "B"}}, "displayName is required"},
		{"two emails", named("a@acme.example", "A", "B", map[string]any{"emails": []any{primary("a@acme.example"), map[string]any{"value": "a@home.example"}}}), "emails has 2 values"},
		{"two phones", named("a@acme.example", "A", "B", map[string]any{"phoneNumbers": []any{map[string]any{"value": "+44 20 7946 0000"}, map[string]any{"value": "+44 20 7946 0001"}}}), "phoneNumbers has 2 values"},
		{"email not primary", named("a@acme.example", "A", "B", map[string]any{"emails": []any{map[string]any{"value": "a@acme.example"}}}), "must be marked primary"},
		{"password", named("a@acme.example", "A", "B", map[string]any{"password": "x"}), "password is not supported"},
		{"groups on create", named("a@acme.example", "A", "B", map[string]any{"groups": []any{}}), "groups is not supported"},
		{"entitlements", named("a@acme.example", "A", "B", map[string]any{"entitlements": []any{}}), "entitlements is not supported"},
		{"semicolon", named("a@acme.example", "A;", "B", nil), `";"`},
		{"colon in title", named("a@acme.example", "A", "B", map[string]any{"title": "VP: Sales"}), `":"`},
		{"tab", named("a@acme.example", "A", "B\t", nil), `"\t"`},
		{"manager displayName", named("a@acme.example", "A", "B", map[string]any{entUser: map[string]any{"manager": map[string]any{"value": "1", "displayName": "X"}}}), `"displayName"`},
		{"Meta's extension", named("a@acme.example", "A", "B", map[string]any{fbAuth: map[string]any{"authMethod": "sso"}}), "Unknown schema"},
	} {
		t.Run(tc.name, func(t *testing.T) { awsErr(t, scimDo(t, srv, "POST", "/Users", tc.body), 400, tc.text) })
	}
	r := scimDo(t, srv, "POST", "/Users", named("ann@acme.example", "Ann", "Lee", map[string]any{"emails": []any{primary("ann@acme.example")}})).want(t, 201, "")
	id := r.body["id"].(string)
	if r.header.Get("ETag") != "" || r.body["meta"].(map[string]any)["version"] != nil {
		t.Fatalf("AWS has no meta.version (§1): %v %v", r.header, r.body["meta"])
	}
	if r.body[fbStatus] != nil {
		t.Fatalf("Meta's extensions answered by AWS: %v", r.body)
	}
	// §1 errors: 409 with AWS's words and shape.
	awsErr(t, scimDo(t, srv, "POST", "/Users", named("ANN@acme.example", "Ann", "Other", nil)), 409, "Refused to create a new, duplicate resource.")
	// §1 putuser: the same rules on PUT.
	awsErr(t, scimDo(t, srv, "PUT", "/Users/"+id, user("ann@acme.example", "Ann Lee", nil)), 400, "name.givenName is required")
	scimDo(t, srv, "PUT", "/Users/"+id, named("ann@acme.example", "Ann", "Lee", map[string]any{"title": "Lead"})).want(t, 200, "")
	// The manager is {value}; no displayName answered.
	boss := scimDo(t, srv, "POST", "/Users", named("boss@acme.example", "Bo", "Ss", nil)).want(t, 201, "").body["id"].(string)
	r = scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", entUser+":manager", map[string]any{"value": boss}))).want(t, 200, "")
	if m := r.body[entUser].(map[string]any)["manager"].(map[string]any); m["value"] != boss || m["displayName"] != nil {
		t.Fatalf("manager %v", m)
	}
	// §1 deleteuser: hard delete, whatever the account's state.
	srv2 := awsServer(t, emulator.Config{State: &emulator.State{Accounts: []*emulator.Account{{ID: "7", Name: "C", Email: "c@acme.example", Active: true, Claimed: true}}}})
	scimDo(t, srv2, "DELETE", "/Users/7", nil).want(t, 204, "")
	awsErr(t, scimDo(t, srv2, "GET", "/Users/7", nil), 404, "")
}

// §1 patchuser.
func TestSCIMAWSPatch(t *testing.T) {
	srv := awsServer(t, emulator.Config{})
	id := scimDo(t, srv, "POST", "/Users", named("ann@acme.example", "Ann", "Lee", nil)).want(t, 201, "").body["id"].(string)
	for _, tc := range []struct {
		name string
		body map[string]any
		text string
	}{
		{"userName and active in one request", patch(op("replace", "userName", "ann2@acme.example"), op("replace", "active", false)), "only one operation on userName or active"},
		{"active twice", patch(op("replace", "active", false), op("replace", "active", true)), "only one operation"},
		{"remove active", patch(op("remove", "active", nil)), "active cannot be removed"},
		{"remove userName", patch(op("remove", "userName", nil)), "userName cannot be removed"},
		{"remove without path", patch(op("remove", "", nil)), "remove needs a path"},
		{"path-less, two attributes", patch(op("replace", "", map[string]any{"title": "A", "displayName": "B"})),
			`Current PATCH support allows omitting "path" attribute only for Add and Replace operations modifying a single attribute.`},
		{"path-less, two extension attributes", patch(op("add", "", map[string]any{entUser: map[string]any{"department": "A", "costCenter": "B"}})), "omitting \"path\""},
		{"ne in a path filter", patch(op("replace", `emails[type ne "home"].value`, "x@acme.example")), "may only use eq"},
		{"not modifiable", patch(op("replace", fbAuth+":authMethod", "sso")), "cannot be changed by PATCH"},
		{"replace without value", patch(op("replace", "title", nil)), "needs a value"},
	} {
		t.Run(tc.name, func(t *testing.T) { awsErr(t, scimDo(t, srv, "PATCH", "/Users/"+id, tc.body), 400, tc.text) })
	}
	r := scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "", map[string]any{"title": "Lead"}), op("replace", "active", false),
		op("replace", `emails[type eq "work"].value`, "ann.lee@acme.example"), op("replace", entUser+":department", "R&D"))).want(t, 200, "")
	if r.body["title"] != "Lead" || r.body["active"] != false || r.body[entUser].(map[string]any)["department"] != "R&D" {
		t.Fatalf("allowed PATCH: %v", r.body)
	}
}

// §1 listusers, ssosync#1: cursor paging only, startIndex ignored, and
// without a cursor a first page whose totalResults is its own size.
func TestSCIMAWSPaging(t *testing.T) {
	srv := awsServer(t, emulator.Config{State: seeded(150)})
	r := scimDo(t, srv, "GET", "/Users", nil).want(t, 200, "")
	if len(resources(r)) != 100 || r.body["totalResults"] != 100.0 || r.body["nextCursor"] != nil {
		t.Fatalf("no cursor: %d users, totalResults %v (want 100, 100: a listing that looks complete)", len(resources(r)), r.body["totalResults"])
	}
	r2 := scimDo(t, srv, "GET", "/Users?startIndex=101&count=100", nil).want(t, 200, "")
	if resources(r2)[0]["id"] != resources(r)[0]["id"] || r2.body["startIndex"] != 1.0 {
		t.Fatalf("startIndex=101 was not ignored: first %v, startIndex %v", resources(r2)[0]["userName"], r2.body["startIndex"])
	}
	if r := scimDo(t, srv, "GET", "/Users?count=10", nil).want(t, 200, ""); r.body["totalResults"] != 10.0 {
		t.Fatalf("count=10: totalResults %v, want 10", r.body["totalResults"])
	}
	seen := map[string]bool{}
	pages := 0
	for cursor := ""; ; pages++ {
		r := scimDo(t, srv, "GET", "/Users?count=60&cursor="+cursor, nil).want(t, 200, "")
		if _, has := r.body["totalResults"]; has || r.body["startIndex"] != nil {
			t.Fatalf("a cursor page has totalResults or startIndex: %v", r.body)
		}
		for _, u := range resources(r) {
			seen[u["id"].(string)] = true
		}
		if r.body["itemsPerPage"] != float64(len(resources(r))) {
			t.Fatalf("itemsPerPage %v for %d", r.body["itemsPerPage"], len(resources(r)))
		}
		next, _ := r.body["nextCursor"].(string)
		if next == "" {
			break
		}
		if len(resources(r)) >= 60 {
			t.Fatalf("a page with more to come holds %d of count 60: §1 says it may hold fewer, and the emulator does", len(resources(r)))
		}
		cursor = next
	}
	if len(seen) != 150 || pages != 2 {
		t.Fatalf("cursor paging saw %d users in %d pages, want 150 in 3", len(seen), pages+1)
	}
	if r := scimDo(t, srv, "GET", "/Users?cursor&count=500", nil).want(t, 200, ""); len(resources(r)) > 100 {
		t.Fatalf("count=500 gave %d: the page is at most 100", len(resources(r)))
	}
	awsErr(t, scimDo(t, srv, "GET", "/Users?cursor&count=0", nil), 400, "count must be between 1 and 100")
	awsErr(t, scimDo(t, srv, "GET", "/Users?cursor=bogus", nil), 400, "cursor")
	if r := scimDo(t, srv, "GET", "/Users?cursor=bogus", nil); r.body["scimType"] != "invalidCursor" {
		t.Fatalf("scimType %v, want invalidCursor (RFC 9865)", r.body["scimType"])
	}
	if spc := scimDo(t, srv, "GET", "/ServiceProviderConfig", nil).want(t, 200, "").body; spc["bulk"].(map[string]any)["supported"] != false ||
		spc["etag"].(map[string]any)["supported"] != false || spc["pagination"] != nil {
		t.Fatalf("ServiceProviderConfig: %v", spc)
	}
}

// §1 limitations, listusers: eq only, joined by and; a few attributes.
func TestSCIMAWSFilters(t *testing.T) {
	srv := awsServer(t, emulator.Config{})
	ann := scimDo(t, srv, "POST", "/Users", named("ann@acme.example", "Ann", "Lee", map[string]any{"externalId": "E1"})).want(t, 201, "").body["id"].(string)
	bob := scimDo(t, srv, "POST", "/Users", named("bob@acme.example", "Bob", "Byte", map[string]any{entUser: map[string]any{"manager": map[string]any{"value": ann}}})).want(t, 201, "").body["id"].(string)
	gid := scimDo(t, srv, "POST", "/Groups", group("Eng", bob)).want(t, 201, "").body["id"].(string)
	for f, want := range map[string][]string{
		`userName eq "ANN@acme.example"`:                        {"ann@acme.example"},
		`userName eq "ann@acme.example" and externalId eq "E1"`: {"ann@acme.example"},
		`groups.value eq "` + gid + `"`:                         {"bob@acme.example"},
		`id eq "` + bob + `" and manager eq "` + ann + `"`:      {"bob@acme.example"},
	} {
		if got := userNames(scimDo(t, srv, "GET", filterQ("Users", f), nil).want(t, 200, "")); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", f, got, want)
		}
	}
	for _, f := range []string{`userName eq "a" or userName eq "b"`, `userName sw "a"`, `userName ne "a"`, `title eq "x"`,
		`not (userName eq "a")`, `emails[value eq "a"]`, `externalId eq 1`} {
		awsErr(t, scimDo(t, srv, "GET", filterQ("Users", f), nil), 400, "cannot filter")
	}
}

// §1 creategroup, patchgroup, listgroups: members are never answered,
// ≤100 member changes a request, never all members at once.
func TestSCIMAWSGroups(t *testing.T) {
	srv := awsServer(t, emulator.Config{State: seeded(103)})
	var ids []string
	for _, a := range srv.Snapshot().Accounts {
		ids = append(ids, a.ID)
	}
	r := scimDo(t, srv, "POST", "/Groups", group("Eng", ids[0], ids[1])).want(t, 201, "")
	gid := r.body["id"].(string)
	if m := r.body["members"].([]any); len(m) != 0 {
		t.Fatalf("create answered members %v", m)
	}
	if m := scimDo(t, srv, "GET", "/Groups/"+gid, nil).want(t, 200, "").body["members"].([]any); len(m) != 0 {
		t.Fatalf("GET answered members %v: AWS answers an empty list", m)
	}
	if g := resources(scimDo(t, srv, "GET", "/Groups", nil).want(t, 200, "")); len(g) != 1 || len(g[0]["members"].([]any)) != 0 {
		t.Fatalf("listing: %v", g)
	}
	// A user's groups are found with a member filter.
	if g := resources(scimDo(t, srv, "GET", filterQ("Groups", `members eq "`+ids[1]+`"`), nil).want(t, 200, "")); len(g) != 1 || g[0]["id"] != gid {
		t.Fatalf("members filter: %v", g)
	}
	member := func(ids ...string) []any {
		var out []any
		for _, id := range ids {
			out = append(out, map[string]any{"value": id})
		}
		return out
	}
	awsErr(t, scimDo(t, srv, "PATCH", "/Groups/"+gid, patch(op("add", "members", member(ids[2:]...)))), 400, "at most 100")
	awsErr(t, scimDo(t, srv, "POST", "/Groups", group("Big", ids[:101]...)), 400, "at most 100")
	awsErr(t, scimDo(t, srv, "PATCH", "/Groups/"+gid, patch(op("replace", "members", member(ids[5])))), 400, "all members")
	awsErr(t, scimDo(t, srv, "PATCH", "/Groups/"+gid, patch(op("remove", "members", nil))), 400, "all members")
	awsErr(t, scimDo(t, srv, "PATCH", "/Groups/"+gid, patch(op("add", "members", member(ids[2:102]...)),
		op("remove", fmt.Sprintf(`members[value eq "%s"]`, ids[0]), nil))), 400, "changes 101 members")
	scimDo(t, srv, "PATCH", "/Groups/"+gid, patch(op("add", "members", member(ids[2])), op("remove", fmt.Sprintf(`members[value eq "%s"]`, ids[0]), nil))).want(t, 200, "")
	got := srv.SCIMView()["Groups"].([]any)[0].(map[string]any)["members"].([]any)
	if len(got) != 2 || !strings.Contains(fmt.Sprint(got), ids[1]) || !strings.Contains(fmt.Sprint(got), ids[2]) {
		t.Fatalf("the tenant holds members %v, want %s and %s", got, ids[1], ids[2])
	}
}

// §1: 429 ThrottlingException without Retry-After.
func TestSCIMAWSThrottle(t *testing.T) {
	srv := awsServer(t, emulator.Config{Rate: 1, Burst: 1})
	scimDo(t, srv, "GET", "/Users", nil).want(t, 200, "")
	r := scimDo(t, srv, "GET", "/Users", nil)
	awsErr(t, r, 429, "Too many requests")
	if r.header.Get("Retry-After") != "" {
		t.Fatalf("AWS sent Retry-After %q", r.header.Get("Retry-After"))
	}
}
