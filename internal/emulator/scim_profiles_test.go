package emulator_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
)

// Tests of the SCIM profiles, written from /work/shared/SCIM-DIALECTS.md
// (§n is its section): every refusal the document names is answered as it
// says, every quirk it names is visible. Requests are built by hand.

// errShape checks an error answer's status and body shape; text, if set,
// must be in the service's message.
type errShape func(t testing.TB, r scimResp, status int, text string)

// rfcErr: RFC 7644 §3.12, status a string; text is the scimType.
func rfcErr(t testing.TB, r scimResp, status int, scimType string) {
	t.Helper()
	r.want(t, status, scimType)
}

// awsErr: §1, "schema" beside "schemas", string status, request id, time.
func awsErr(t testing.TB, r scimResp, status int, text string) {
	t.Helper()
	b := r.body
	if r.status != status || b["schema"] != "urn:ietf:params:scim:api:messages:2.0:Error" || b["status"] != fmt.Sprint(status) ||
		b["exceptionRequestId"] == nil || b["timeStamp"] == nil || !slices.Contains(asStrings(b["schemas"]), "urn:ietf:params:scim:api:messages:2.0:Error") {
		t.Fatalf("want AWS's %d error shape, got %d %v", status, r.status, b)
	}
	if d, _ := b["detail"].(string); !strings.Contains(d, text) {
		t.Fatalf("detail %q, want %q in it", d, text)
	}
}

// slackErr: §2, {"Errors": {"description", "code"}}.
func slackErr(t testing.TB, r scimResp, status int, text string) {
	t.Helper()
	e, _ := r.body["Errors"].(map[string]any)
	if r.status != status || e == nil || e["code"] != float64(status) {
		t.Fatalf("want Slack's %d error shape, got %d %v", status, r.status, r.body)
	}
	if d, _ := e["description"].(string); !strings.Contains(d, text) {
		t.Fatalf("description %q, want %q in it", d, text)
	}
}

// zoomErr: §5, §15.8: §3.12 with a numeric status.
func zoomErr(t testing.TB, r scimResp, status int, text string) {
	t.Helper()
	if r.status != status || r.body["status"] != float64(status) {
		t.Fatalf("want Zoom's %d error (numeric status), got %d %v", status, r.status, r.body)
	}
	if d, _ := r.body["detail"].(string); !strings.Contains(d, text) {
		t.Fatalf("detail %q, want %q in it", d, text)
	}
}

// graphErr: §12, Graph's {"error": {"message", "code"}}; text is the code.
func graphErr(t testing.TB, r scimResp, status int, code string) {
	t.Helper()
	e, _ := r.body["error"].(map[string]any)
	if r.status != status || e == nil || fmt.Sprint(e["code"]) != code || e["message"] == nil {
		t.Fatalf("want a Graph-style %d error with code %s, got %d %v", status, code, r.status, r.body)
	}
}

// filterQ is /Users or /Groups with a filter.
func filterQ(kind, f string) string { return "/" + kind + "?filter=" + url.QueryEscape(f) }

// named is a User with givenName and familyName, as AWS requires.
func named(userName, given, family string, extra map[string]any) map[string]any {
	u := user(userName, given+" "+family, extra)
	u["name"] = map[string]any{"givenName": given, "familyName": family}
	return u
}

// okUser is a User every rule of the profile accepts: names, one primary
// email on a verified domain, a short userName for Slack, a profile
// entitlement for Salesforce.
func okUser(prof, local string) map[string]any {
	email := local + "@acme.example"
	u := named(email, "Ann", "Lee", map[string]any{"emails": []any{map[string]any{"value": email, "type": "work", "primary": true}}})
	switch prof {
	case "slack":
		u["userName"] = local
	case "salesforce":
		u["entitlements"] = []any{map[string]any{"value": "00e000000000001AAA"}}
	}
	return u
}

func group(name string, members ...string) map[string]any {
	var ms []any
	for _, id := range members {
		ms = append(ms, map[string]any{"value": id})
	}
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": name, "members": ms}
}

// seeded is a state of n active accounts, u0@acme.example….
func seeded(n int) *emulator.State {
	st := &emulator.State{}
	for i := range n {
		st.Accounts = append(st.Accounts, &emulator.Account{Name: fmt.Sprintf("U %d", i), GivenName: "U", FamilyName: fmt.Sprint(i),
			Email: fmt.Sprintf("u%d@acme.example", i), Active: true})
	}
	return st
}

func resources(r scimResp) []map[string]any {
	var out []map[string]any
	for _, x := range r.body["Resources"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

func TestSCIMProfileNames(t *testing.T) {
	want := []string{"rfc", "meta", "aws", "github", "slack", "atlassian", "zoom", "salesforce"}
	if got := emulator.ProfileNames(); !slices.Equal(got, want) {
		t.Fatalf("profiles %v, want %v", got, want)
	}
	for _, n := range want {
		if emulator.ProfileSummary(n) == "" {
			t.Errorf("%s has no summary", n)
		}
	}
	_, err := emulator.New(emulator.Config{SCIMProfile: "okta"})
	if err == nil || !strings.Contains(err.Error(), `"okta"`) || !strings.Contains(err.Error(), strings.Join(want, ", ")) {
		t.Fatalf("unknown profile: %v", err)
	}
}

// Which endpoints each service has (§14, §15.6, §15.11): a 404 where the
// document says, or implies, there is none.
func TestSCIMProfileEndpoints(t *testing.T) {
	search := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"}}
	bulk := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"}, "Operations": []any{}}
	type ep struct {
		method, path string
		body         any
	}
	eps := []ep{{"GET", "/ServiceProviderConfig", nil}, {"GET", "/ServiceProviderConfigs", nil}, {"GET", "/Schemas", nil},
		{"GET", "/ResourceTypes", nil}, {"GET", "/Groups", nil}, {"POST", "/Bulk", bulk}, {"POST", "/Users/.search", search}}
	// served[profile] lists the endpoints above that answer 200, in order.
	served := map[string]string{
		"rfc":        "SPC Schemas ResourceTypes Groups Bulk .search",
		"meta":       ".search",                                   // §12: /Users only
		"aws":        "SPC Schemas ResourceTypes Groups",          // §1: no Bulk, no .search
		"github":     "Groups .search",                            // §3: no discovery documented
		"slack":      "SPC Schemas ResourceTypes Groups",          // §2: endpoint list
		"atlassian":  "SPC Schemas ResourceTypes Groups .search",  // §4: [NF] → RFC
		"zoom":       "Groups",                                    // §5: 11 operations on Users and Groups
		"salesforce": "SPCs Schemas ResourceTypes Groups .search", // §7: plural discovery, no Bulk
	}
	names := []string{"SPC", "SPCs", "Schemas", "ResourceTypes", "Groups", "Bulk", ".search"}
	for prof, want := range served {
		t.Run(prof, func(t *testing.T) {
			srv, _ := start(t, emulator.Config{SCIMProfile: prof})
			var got []string
			for i, e := range eps {
				r := scimDo(t, srv, e.method, e.path, e.body, "Accept", "application/scim+json")
				switch r.status {
				case 200:
					got = append(got, names[i])
				case 404:
				default:
					t.Errorf("%s %s: %d %v", e.method, e.path, r.status, r.body)
				}
			}
			if g := strings.Join(got, " "); g != want {
				t.Errorf("served %q, want %q", g, want)
			}
		})
	}
}

// ETags only where documented (§1: AWS none; §5: Zoom W/"…"; RFC yes);
// where there are none, If-Match is not checked.
func TestSCIMProfileETags(t *testing.T) {
	for prof, etags := range map[string]bool{"rfc": true, "zoom": true, "aws": false, "slack": false, "github": false,
		"atlassian": false, "salesforce": false, "meta": false} {
		srv, _ := start(t, emulator.Config{SCIMProfile: prof})
		r := scimDo(t, srv, "POST", "/Users", okUser(prof, "ann"), "Accept", "application/scim+json")
		if r.status != 201 {
			t.Fatalf("%s: create %d %v", prof, r.status, r.body)
		}
		v, _ := r.body["meta"].(map[string]any)["version"].(string)
		if got := r.header.Get("ETag") != "" && strings.HasPrefix(v, `W/"`); got != etags {
			t.Errorf("%s: ETag %q, meta.version %q; want ETags %v", prof, r.header.Get("ETag"), v, etags)
		}
		id := r.body["id"].(string)
		r = scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "active", false)), "Accept", "application/scim+json", "If-Match", `W/"stale"`)
		if want := map[bool]int{true: 412, false: 200}[etags]; r.status != want {
			t.Errorf("%s: stale If-Match answered %d, want %d: %v", prof, r.status, want, r.body)
		}
	}
}

// SCIMIgnoredPatchPaths: a PATCH operation on a path named there is
// answered 200 and changes nothing (issue 21: a server that ignored the
// manager in one path form); other operations, and other forms of the
// same change, apply.
func TestSCIMIgnoredPatchPaths(t *testing.T) {
	const mgr = entUser + ":manager"
	srv, _ := start(t, emulator.Config{SCIMIgnoredPatchPaths: []string{mgr}, State: seeded(2)})
	ids := userIDs(t, srv)
	r := scimDo(t, srv, "PATCH", "/Users/"+ids[1], patch(op("replace", mgr, map[string]any{"value": ids[0]}))).want(t, 200, "")
	if ent, _ := r.body[entUser].(map[string]any); ent["manager"] != nil {
		t.Fatalf("the ignored operation set the manager: %v", ent)
	}
	r = scimDo(t, srv, "PATCH", "/Users/"+ids[1], patch(op("replace", mgr, map[string]any{"value": ids[0]}), op("replace", "title", "Lead"))).want(t, 200, "")
	if ent, _ := r.body[entUser].(map[string]any); ent["manager"] != nil || r.body["title"] != "Lead" {
		t.Fatalf("answered %v", r.body)
	}
	r = scimDo(t, srv, "PATCH", "/Users/"+ids[1], patch(op("replace", mgr+".value", ids[0]))).want(t, 200, "")
	if ent, _ := r.body[entUser].(map[string]any); ent["manager"].(map[string]any)["value"] != ids[0] {
		t.Fatalf("the other form was not applied: %v", r.body)
	}
}

// userIDs are the ids of the Users listed, in order.
func userIDs(t *testing.T, srv *emulator.Server) []string {
	t.Helper()
	var out []string
	for _, u := range resources(scimDo(t, srv, "GET", "/Users", nil).want(t, 200, "")) {
		out = append(out, u["id"].(string))
	}
	return out
}
