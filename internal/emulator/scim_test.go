package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/testkit"
)

const (
	coreUser = "urn:ietf:params:scim:schemas:core:2.0:User"
	entUser  = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	fbAuth   = "urn:ietf:params:scim:schemas:extension:facebook:authmethod:2.0:User"
	fbStatus = "urn:ietf:params:scim:schemas:extension:facebook:accountstatusdetails:2.0:User"
	patchURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

type scimResp struct {
	status int
	body   map[string]any
	header http.Header
}

// scimDo sends one SCIM request over real HTTP; hdr adds headers as
// name, value pairs.
func scimDo(t testing.TB, srv *emulator.Server, method, path string, body any, hdr ...string) scimResp {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, srv.URL()+emulator.SCIMPrefix+path, rd)
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	req.Header.Set("Content-Type", "application/scim+json")
	req.Header.Set("User-Agent", "wpimport-test")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1]) // "" sends none

	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	out := scimResp{status: resp.StatusCode, header: resp.Header}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out.body); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, data)
		}
	}
	return out
}

// want fails unless r has the status (and, for errors, the scimType).
func (r scimResp) want(t testing.TB, status int, scimType string) scimResp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %v", r.status, status, r.body)
	}
	if status >= 400 && r.body != nil {
		if r.body["status"] != fmt.Sprint(status) || !slices.Contains(asStrings(r.body["schemas"]), "urn:ietf:params:scim:api:messages:2.0:Error") {
			t.Fatalf("error body is not RFC 7644 §3.12: %v", r.body)
		}
		if got, _ := r.body["scimType"].(string); got != scimType {
			t.Fatalf("scimType %q, want %q: %v", got, scimType, r.body)
		}
	}
	return r
}

func asStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func user(userName, name string, extra map[string]any) map[string]any {
	u := map[string]any{"schemas": []string{coreUser}, "userName": userName, "displayName": name}
	for k, v := range extra {
		u[k] = v
		if strings.HasPrefix(k, "urn:") {
			u["schemas"] = append(u["schemas"].([]string), k)
		}
	}
	return u
}

func patch(ops ...map[string]any) map[string]any {
	return map[string]any{"schemas": []string{patchURN}, "Operations": ops}
}

func op(o, path string, v any) map[string]any {
	m := map[string]any{"op": o}
	if path != "" {
		m["path"] = path
	}
	if v != nil {
		m["value"] = v
	}
	return m
}

func userNames(r scimResp) []string {
	var out []string
	for _, u := range r.body["Resources"].([]any) {
		out = append(out, u.(map[string]any)["userName"].(string))
	}
	slices.Sort(out)
	return out
}

func TestSCIMOneTenantTwoAPIs(t *testing.T) {
	srv, c := start(t, emulator.Config{})
	r := scimDo(t, srv, "POST", "/Users", user("Ada@Acme.example", "Ada Lovelace", map[string]any{
		"externalId": "E-001", "title": "Engineer",
		"name":      map[string]any{"givenName": "Ada", "familyName": "Lovelace"},
		"emails":    []any{map[string]any{"value": "Ada@Acme.example", "type": "work", "primary": true}},
		entUser:     map[string]any{"department": "R&D", "costCenter": "CC1", "employeeNumber": "0042"},
		fbAuth:      map[string]any{"authMethod": "sso"},
		"locale":    "en-GB",
		"addresses": []any{map[string]any{"type": "work", "formatted": "London"}},
	})).want(t, 201, "")
	id := r.body["id"].(string)
	if r.header.Get("ETag") == "" || r.header.Get("ETag") != r.body["meta"].(map[string]any)["version"] {
		t.Fatalf("ETag %q, meta %v", r.header.Get("ETag"), r.body["meta"])
	}
	if r.header.Get("Location") != emulator.SCIMPrefix+"/Users/"+id {
		t.Fatalf("Location %q", r.header.Get("Location"))
	}
	// Graph sees the same account.
	m, err := c.get(id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Email != "Ada@Acme.example" || m.ExternalID != "E-001" || m.Department != "R&D" || m.Locale != "en_GB" || !m.Active {
		t.Fatalf("Graph sees %+v", m)
	}
	// An account made over Graph is a SCIM User, found by userName in any case.
	gid, err := c.create("Bob Byte", "bob@acme.example", "E-002", "")
	if err != nil {
		t.Fatal(err)
	}
	r = scimDo(t, srv, "GET", "/Users?filter="+url.QueryEscape(`userName eq "BOB@ACME.EXAMPLE"`), nil).want(t, 200, "")
	if r.body["totalResults"] != 1.0 || r.body["Resources"].([]any)[0].(map[string]any)["id"] != gid {
		t.Fatalf("userName look-up: %v", r.body)
	}
	// externalId is case-exact.
	r = scimDo(t, srv, "GET", "/Users?filter="+url.QueryEscape(`externalId eq "e-002"`), nil).want(t, 200, "")
	if r.body["totalResults"] != 0.0 {
		t.Fatalf("externalId matched in another case: %v", r.body)
	}
	// Uniqueness across both APIs and cases.
	scimDo(t, srv, "POST", "/Users", user("BOB@acme.example", "Other", nil)).want(t, 409, "uniqueness")
	scimDo(t, srv, "POST", "/Users", user("new@acme.example", "Other", map[string]any{"externalId": "E-001"})).want(t, 409, "uniqueness")
	// Deactivating over SCIM is Graph's active=false.
	scimDo(t, srv, "PATCH", "/Users/"+gid, patch(op("replace", "active", false))).want(t, 200, "")
	if m, _ := c.get(gid); m.Active {
		t.Fatal("deactivated over SCIM, still active over Graph")
	}
	// The admin route shows the tenant from either side.
	for _, q := range []string{"", "?view=scim"} {
		req, _ := http.NewRequest("GET", srv.URL()+"/_emulator/state"+q, nil)
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var view map[string]any
		json.NewDecoder(resp.Body).Decode(&view)
		resp.Body.Close()
		key := map[string]string{"": "accounts", "?view=scim": "Users"}[q]
		if list, _ := view[key].([]any); len(list) != 2 {
			t.Fatalf("state%s: %v", q, view)
		}
	}
}

func TestSCIMFilters(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMFilterMax: 4})
	for _, u := range []map[string]any{
		user("ann@a.example", "Ann", map[string]any{"title": "Engineer", "externalId": "1", entUser: map[string]any{"department": "Sales"}}),
		user("ben@a.example", "Ben", map[string]any{"title": "Manager", "externalId": "2", "active": false}),
		user("cat@b.example", "Cat", map[string]any{"externalId": "3", "emails": []any{map[string]any{"value": "cat@b.example", "type": "work"}}}),
		user("dan@b.example", "Dan", map[string]any{"title": "engineer lead", "externalId": "4"}),
		user("eve@c.example", "Eve", map[string]any{"externalId": "5"}),
	} {
		scimDo(t, srv, "POST", "/Users", u).want(t, 201, "")
	}
	cases := map[string][]string{
		`userName eq "ANN@a.example"`:                    {"ann@a.example"},
		`userName ne "ann@a.example" and active eq true`: {"cat@b.example", "dan@b.example", "eve@c.example"},
		`title co "engineer"`:                            {"ann@a.example", "dan@b.example"},
		`userName sw "b"`:                                {"ben@a.example"},
		`userName ew "@b.example"`:                       {"cat@b.example", "dan@b.example"},
		`title pr`:                                       {"ann@a.example", "ben@a.example", "dan@b.example"},
		`externalId gt "3"`:                              {"dan@b.example", "eve@c.example"},
		`externalId ge "3" and externalId le "4"`:        {"cat@b.example", "dan@b.example"},
		`externalId lt "2"`:                              {"ann@a.example"},
		`not (title pr) or userName eq "ben@a.example"`:  {"ben@a.example", "cat@b.example", "eve@c.example"},
		`(userName sw "a" or userName sw "c") and not (externalId eq "3")`:                 {"ann@a.example"},
		`emails[type eq "work" and value ew "b.example"]`:                                  {"cat@b.example", "dan@b.example"},
		`emails.value co "@C.example"`:                                                     {"eve@c.example"},
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "sales"`: {"ann@a.example"},
		`active eq false`: {"ben@a.example"},
	}
	for f, want := range cases {
		r := scimDo(t, srv, "GET", "/Users?filter="+url.QueryEscape(f), nil).want(t, 200, "")
		if got := userNames(r); !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", f, got, want)
		}
	}
	for _, bad := range []string{`userName eq`, `userName zz "x"`, `(userName eq "a"`, `userName eq "open`, `title eq [1]`, `and`, `emails[type eq "work"`} {
		scimDo(t, srv, "GET", "/Users?filter="+url.QueryEscape(bad), nil).want(t, 400, "invalidFilter")
	}
	scimDo(t, srv, "GET", "/Users?filter="+url.QueryEscape(`userName pr`), nil).want(t, 400, "tooMany")
}

func TestSCIMPaging(t *testing.T) {
	srv, _ := start(t, emulator.Config{PageCap: 5})
	for i := range 7 {
		scimDo(t, srv, "POST", "/Users", user(fmt.Sprintf("u%d@a.example", i), "U", nil)).want(t, 201, "")
	}
	var seen []string
	for start := 1; ; {
		r := scimDo(t, srv, "GET", fmt.Sprintf("/Users?startIndex=%d&count=3", start), nil).want(t, 200, "")
		n := len(r.body["Resources"].([]any))
		if r.body["totalResults"] != 7.0 || r.body["itemsPerPage"] != float64(n) || r.body["startIndex"] != float64(start) {
			t.Fatalf("page at %d: %v", start, r.body)
		}
		seen = append(seen, userNames(r)...)
		if start += n; n == 0 || start > 7 {
			break
		}
	}
	if len(seen) != 7 {
		t.Fatalf("paged %d of 7: %v", len(seen), seen)
	}
	r := scimDo(t, srv, "GET", "/Users?startIndex=0&count=50", nil).want(t, 200, "")
	if r.body["startIndex"] != 1.0 || r.body["itemsPerPage"] != 5.0 {
		t.Fatalf("startIndex 0, count over the cap: %v", r.body)
	}
	if r := scimDo(t, srv, "GET", "/Users?count=0", nil).want(t, 200, ""); r.body["itemsPerPage"] != 0.0 || r.body["totalResults"] != 7.0 {
		t.Fatalf("count=0: %v", r.body)
	}
	scimDo(t, srv, "GET", "/Users?count=ten", nil).want(t, 400, "invalidValue")
	// The same by POST .search, with JSON numbers.
	r = scimDo(t, srv, "POST", "/Users/.search", map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"},
		"startIndex": 6, "count": 3, "filter": `userName sw "u"`}).want(t, 200, "")
	if r.body["startIndex"] != 6.0 || r.body["itemsPerPage"] != 2.0 || r.body["totalResults"] != 7.0 {
		t.Fatalf(".search: %v", r.body)
	}
	scimDo(t, srv, "POST", "/Users/.search", map[string]any{"startIndex": 1}).want(t, 400, "invalidSyntax")
}

func TestSCIMPutAndPatch(t *testing.T) {
	srv, c := start(t, emulator.Config{})
	mgr := scimDo(t, srv, "POST", "/Users", user("boss@a.example", "Boss", nil)).want(t, 201, "").body["id"].(string)
	r := scimDo(t, srv, "POST", "/Users", user("ann@a.example", "Ann", map[string]any{"title": "Engineer",
		"phoneNumbers": []any{map[string]any{"value": "+44 20 7946 0000", "type": "work"}}})).want(t, 201, "")
	id := r.body["id"].(string)
	path := "/Users/" + id

	// PUT replaces: title, left out, is cleared; the id in the body is ignored.
	put := user("ann@a.example", "Ann B", map[string]any{"id": "999", entUser: map[string]any{"department": "Ops"}})
	r = scimDo(t, srv, "PUT", path, put).want(t, 200, "")
	if r.body["id"] != id || r.body["title"] != nil || r.body["displayName"] != "Ann B" {
		t.Fatalf("PUT: %v", r.body)
	}
	// PATCH: each op, paths with filters, extension paths.
	r = scimDo(t, srv, "PATCH", path, patch(
		op("replace", "title", "Lead"),
		op("add", "phoneNumbers", []any{map[string]any{"value": "+1 415 555 0100", "type": "mobile"}}),
		op("replace", `emails[type eq "work"].value`, "ann.b@a.example"),
		op("replace", "userName", "ann.b@a.example"),
		op("replace", entUser+":manager", map[string]any{"value": mgr}),
		op("replace", entUser+":department", "R&D"),
		op("add", "", map[string]any{entUser: map[string]any{"costCenter": "CC9"}}),
	)).want(t, 200, "")
	ent := r.body[entUser].(map[string]any)
	if r.body["title"] != "Lead" || r.body["userName"] != "ann.b@a.example" || ent["department"] != "R&D" ||
		ent["costCenter"] != "CC9" || ent["manager"].(map[string]any)["value"] != mgr || len(r.body["phoneNumbers"].([]any)) != 1 {
		t.Fatalf("PATCH: %v", r.body) // PUT dropped the first phone
	}
	if m, _ := c.get(id); m.Email != "ann.b@a.example" || m.ManagerID() != mgr {
		t.Fatalf("Graph sees %+v", m)
	}
	r = scimDo(t, srv, "PATCH", path, patch(op("remove", "title", nil), op("remove", `phoneNumbers[type eq "mobile"]`, nil))).want(t, 200, "")
	if r.body["title"] != nil || r.body["phoneNumbers"] != nil {
		t.Fatalf("remove: %v", r.body)
	}
	before := r.body["meta"].(map[string]any)["version"]
	for _, tc := range []struct {
		name, scimType string
		body           map[string]any
	}{
		{"no target", "noTarget", patch(op("replace", `emails[type eq "home"].value`, "x@a.example"))},
		{"remove without path", "noTarget", patch(op("remove", "", nil))},
		{"capitalised op", "invalidSyntax", patch(op("Replace", "title", "X"))},
		{"string boolean", "invalidValue", patch(op("replace", "active", "False"))},
		{"read-only id", "mutability", patch(op("replace", "id", "1"))},
		{"read-only claimed", "mutability", patch(op("replace", fbStatus+":claimed", true))},
		{"atomic", "invalidValue", patch(op("replace", "title", "Half"), op("replace", "active", "yes"))},
		{"bare-string manager", "invalidValue", patch(op("replace", entUser+":manager", mgr))},
		{"Meta's managerId", "invalidValue", patch(op("replace", entUser+":manager", map[string]any{"managerId": mgr}))},
		{"unknown manager", "invalidValue", patch(op("replace", entUser+":manager.value", "404"))},
		{"bad path", "invalidPath", patch(op("replace", "emails[type eq", "x"))},
		{"no schema", "invalidSyntax", map[string]any{"Operations": []any{op("replace", "title", "X")}}},
		{"duplicate userName", "uniqueness", patch(op("replace", "userName", "BOSS@a.example"), op("replace", `emails[type eq "work"].value`, "boss@a.example"))},
	} {
		scimDo(t, srv, "PATCH", path, tc.body).want(t, map[bool]int{true: 409, false: 400}[tc.scimType == "uniqueness"], tc.scimType)
	}
	if now := scimDo(t, srv, "GET", path, nil).want(t, 200, "").body["meta"].(map[string]any)["version"]; now != before {
		t.Fatal("a refused PATCH changed the User")
	}
	scimDo(t, srv, "PUT", path, user("ann.b@a.example", "", nil)).want(t, 400, "invalidValue")
	scimDo(t, srv, "PUT", path, map[string]any{"userName": "x@a.example", "displayName": "X"}).want(t, 400, "invalidSyntax")
	scimDo(t, srv, "POST", "/Users", user("x@a.example", "X", map[string]any{"nickname": "x", "favouriteColour": "red"})).want(t, 400, "invalidValue")
	scimDo(t, srv, "POST", "/Users", `{"schemas":[`).want(t, 400, "invalidSyntax")
}

func TestSCIMVersionsAndDelete(t *testing.T) {
	srv, _ := start(t, emulator.Config{})
	r := scimDo(t, srv, "POST", "/Users", user("ann@a.example", "Ann", nil)).want(t, 201, "")
	id, v1 := r.body["id"].(string), r.header.Get("ETag")
	scimDo(t, srv, "GET", "/Users/"+id, nil, "If-None-Match", v1).want(t, 304, "")
	v2 := scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "title", "A")), "If-Match", v1).want(t, 200, "").header.Get("ETag")
	if v2 == v1 {
		t.Fatal("the version did not change")
	}
	scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "title", "B")), "If-Match", v1).want(t, 412, "invalidVers")
	scimDo(t, srv, "PUT", "/Users/"+id, user("ann@a.example", "Ann", nil), "If-Match", v1).want(t, 412, "invalidVers")
	scimDo(t, srv, "DELETE", "/Users/"+id, nil, "If-Match", v1).want(t, 412, "invalidVers")
	if r := scimDo(t, srv, "GET", "/Users/"+id, nil, "If-None-Match", v1).want(t, 200, ""); r.body["title"] != "A" {
		t.Fatalf("after 412s: %v", r.body)
	}
	scimDo(t, srv, "DELETE", "/Users/"+id, nil, "If-Match", v2).want(t, 204, "")
	scimDo(t, srv, "GET", "/Users/"+id, nil).want(t, 404, "")
	scimDo(t, srv, "DELETE", "/Users/"+id, nil).want(t, 404, "")
}

func TestSCIMBulk(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMBulkMaxOps: 4, SCIMMaxPayload: 4096})
	bulk := func(failOnErrors int, ops ...map[string]any) map[string]any {
		return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"}, "failOnErrors": failOnErrors, "Operations": ops}
	}
	post := func(bulkID string, u map[string]any) map[string]any {
		return map[string]any{"method": "POST", "path": "/Users", "bulkId": bulkID, "data": u}
	}
	// The report comes first and names its manager by bulkId.
	r := scimDo(t, srv, "POST", "/Bulk", bulk(0,
		post("r1", user("rep@a.example", "Rep", map[string]any{entUser: map[string]any{"manager": map[string]any{"value": "bulkId:m1"}}})),
		post("m1", user("mgr@a.example", "Mgr", nil)),
		post("d1", user("MGR@a.example", "Dup", nil)),
	)).want(t, 200, "")
	ops := r.body["Operations"].([]any)
	status := func(i int) string { return ops[i].(map[string]any)["status"].(string) }
	if len(ops) != 3 || status(0) != "201" || status(1) != "201" || status(2) != "409" {
		t.Fatalf("bulk: %v", r.body)
	}
	mgrID := strings.TrimPrefix(ops[1].(map[string]any)["location"].(string), emulator.SCIMPrefix+"/Users/")
	rep := scimDo(t, srv, "GET", "/Users?filter="+url.QueryEscape(`userName eq "rep@a.example"`), nil).body["Resources"].([]any)[0].(map[string]any)
	if got := rep[entUser].(map[string]any)["manager"].(map[string]any)["value"]; got != mgrID {
		t.Fatalf("manager %v, want %s", got, mgrID)
	}
	// failOnErrors stops after that many errors; an unknown bulkId is an error.
	r = scimDo(t, srv, "POST", "/Bulk", bulk(1,
		post("x1", user("x@a.example", "X", map[string]any{entUser: map[string]any{"manager": map[string]any{"value": "bulkId:nobody"}}})),
		post("x2", user("y@a.example", "", nil)),
		post("x3", user("z@a.example", "Z", nil)),
	)).want(t, 200, "")
	if ops := r.body["Operations"].([]any); len(ops) != 1 || ops[0].(map[string]any)["status"] != "409" {
		t.Fatalf("failOnErrors 1: %v", r.body)
	}
	five := bulk(0, post("1", user("1@a.example", "1", nil)), post("2", user("2@a.example", "2", nil)), post("3", user("3@a.example", "3", nil)),
		post("4", user("4@a.example", "4", nil)), post("5", user("5@a.example", "5", nil)))
	scimDo(t, srv, "POST", "/Bulk", five).want(t, 413, "")
	big := user("big@a.example", strings.Repeat("B", 5000), nil)
	scimDo(t, srv, "POST", "/Bulk", bulk(0, post("b", big))).want(t, 413, "")
	if n := len(srv.Snapshot().Accounts); n != 2 {
		t.Fatalf("%d accounts, want 2 (rep and mgr)", n)
	}
}

func TestSCIMDiscovery(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMBulkMaxOps: 50})
	spc := scimDo(t, srv, "GET", "/ServiceProviderConfig", nil).want(t, 200, "").body
	if spc["bulk"].(map[string]any)["maxOperations"] != 50.0 || spc["etag"].(map[string]any)["supported"] != true ||
		spc["filter"].(map[string]any)["maxResults"] != 200.0 {
		t.Fatalf("ServiceProviderConfig: %v", spc)
	}
	rt := scimDo(t, srv, "GET", "/ResourceTypes/User", nil).want(t, 200, "").body
	if len(rt["schemaExtensions"].([]any)) != 4 {
		t.Fatalf("ResourceTypes/User: %v", rt)
	}
	all := scimDo(t, srv, "GET", "/Schemas", nil).want(t, 200, "").body
	if all["totalResults"] != 6.0 {
		t.Fatalf("Schemas: %v", all["totalResults"])
	}
	scimDo(t, srv, "GET", "/Schemas/"+entUser, nil).want(t, 200, "")
	scimDo(t, srv, "GET", "/Nothing", nil).want(t, 404, "")
}

func TestSCIMFaults(t *testing.T) {
	t.Run("throttled", func(t *testing.T) {
		srv, _ := start(t, emulator.Config{Rate: 1, Burst: 1, RetryAfter: 2 * time.Second})
		scimDo(t, srv, "GET", "/Users", nil).want(t, 200, "")
		r := scimDo(t, srv, "GET", "/Users", nil).want(t, 429, "")
		if r.header.Get("Retry-After") != "2" {
			t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
		}
	})
	t.Run("5xx has no effect", func(t *testing.T) {
		srv, _ := start(t, emulator.Config{FailRate: 1})
		scimDo(t, srv, "POST", "/Users", user("a@a.example", "A", nil)).want(t, 500, "")
		if len(srv.Snapshot().Accounts) != 0 {
			t.Fatal("a 500 created an account")
		}
	})
	t.Run("lost answer commits", func(t *testing.T) {
		srv, _ := start(t, emulator.Config{DropRate: 1})
		data, _ := json.Marshal(user("a@a.example", "A", nil))
		req, _ := http.NewRequest("POST", srv.URL()+"/scim/v2/Users", bytes.NewReader(data))
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		if _, err := http.DefaultClient.Do(req); err == nil {
			t.Fatal("an answer came")
		}
		if len(srv.Snapshot().Accounts) != 1 {
			t.Fatal("the lost POST did not commit")
		}
	})
	t.Run("token", func(t *testing.T) {
		srv, _ := start(t, emulator.Config{})
		r := scimDo(t, srv, "GET", "/Users", nil, "Authorization", "Bearer wrong").want(t, 401, "")
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
		}
	})
	t.Run("latency", func(t *testing.T) {
		srv, _ := start(t, emulator.Config{Latency: 30 * time.Millisecond})
		t0 := time.Now()
		scimDo(t, srv, "GET", "/Users", nil).want(t, 200, "")
		if time.Since(t0) < 30*time.Millisecond {
			t.Fatal("no latency")
		}
	})
}

// hookReceiver records signed webhook bodies, failing the first fails.
type hookReceiver struct {
	mu     sync.Mutex
	fails  int
	bodies []map[string]any
	bad    int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fails > 0 {
		h.fails--
		w.WriteHeader(503)
		return
	}
	if r.Header.Get("X-Hub-Signature-256") != emulator.Sign(data, "s3cret") {
		h.bad++
	}
	var b map[string]any
	json.Unmarshal(data, &b)
	h.bodies = append(h.bodies, b)
}

func TestSCIMGroupsAndWebhooks(t *testing.T) {
	recv := &hookReceiver{fails: 2}
	hs := httptest.NewServer(recv)
	defer hs.Close()
	srv := testkit.Emulator(t, emulator.Config{WebhookURL: hs.URL, AppSecret: "s3cret", SCIMMaxMembers: 3})
	c := graphClient(t, srv)
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		r := scimDo(t, srv, "POST", "/Users", user(fmt.Sprintf("u%d@a.example", i), "U", map[string]any{entUser: map[string]any{"department": map[bool]string{true: "Sales", false: "Ops"}[i < 2]}})).want(t, 201, "")
		ids = append(ids, r.body["id"].(string))
	}
	member := func(id string) map[string]any { return map[string]any{"value": id} }
	g := scimDo(t, srv, "POST", "/Groups", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"displayName": "Team", "members": []any{member(ids[0])}}).want(t, 201, "").body
	gid := g["id"].(string)
	set, err := c.FindPeopleSet(ctx, "Team")
	if err != nil || set == nil || set.ID != gid {
		t.Fatalf("Graph sees %v, %v", set, err)
	}
	r := scimDo(t, srv, "PATCH", "/Groups/"+gid, patch(op("add", "members", []any{member(ids[1]), member(ids[2])}),
		op("remove", fmt.Sprintf(`members[value eq "%s"]`, ids[0]), nil))).want(t, 200, "")
	if n := len(r.body["members"].([]any)); n != 2 {
		t.Fatalf("members: %v", r.body["members"])
	}
	scimDo(t, srv, "PATCH", "/Groups/"+gid, patch(op("add", "members", []any{member(ids[0]), member(ids[3]), member(ids[4]), member(ids[0])}))).want(t, 400, "invalidValue")
	scimDo(t, srv, "PATCH", "/Groups/"+gid, patch(op("add", "members", []any{member("nobody")}))).want(t, 400, "invalidValue")
	if r := scimDo(t, srv, "POST", "/Groups/.search", map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"},
		"filter": `displayName eq "team"`, "count": 5}).want(t, 200, ""); r.body["totalResults"] != 1.0 {
		t.Fatalf("groups .search: %v", r.body)
	}
	// A dynamic set made over Graph is a group whose members follow its conditions.
	didRef, err := c.CreatePeopleSet(ctx, "Sales", []target.Condition{{Field: "DEPARTMENT", Operator: "IS", Values: []string{"Sales"}}})
	did := didRef.ID
	if err != nil {
		t.Fatal(err)
	}
	d := scimDo(t, srv, "GET", "/Groups/"+did, nil).want(t, 200, "").body
	if n := len(d["members"].([]any)); n != 2 {
		t.Fatalf("dynamic members: %v", d["members"])
	}
	scimDo(t, srv, "PATCH", "/Groups/"+did, patch(op("add", "members", []any{member(ids[4])}))).want(t, 400, "mutability")
	scimDo(t, srv, "POST", "/Groups", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Sales"}).want(t, 409, "uniqueness")
	if err := c.DeletePeopleSet(ctx, didRef); err != nil {
		t.Fatal(err)
	}
	scimDo(t, srv, "DELETE", "/Groups/"+gid, nil).want(t, 204, "")
	if set, err := c.FindPeopleSet(ctx, "Team"); err != nil || set != nil {
		t.Fatalf("Graph still sees the deleted group: %v %v", set, err)
	}
	// Five changes, in order, each signed; the receiver failed twice first.
	deadline := time.Now().Add(10 * time.Second)
	for srv.Webhooks().Sent < 5 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	recv.mu.Lock()
	defer recv.mu.Unlock()
	var got []string
	for _, b := range recv.bodies {
		if b["object"] != "workplace_community" {
			t.Fatalf("object %v", b["object"])
		}
		ch := b["entry"].([]any)[0].(map[string]any)["changes"].([]any)[0].(map[string]any)
		v := ch["value"].(map[string]any)
		if ch["field"] != "people_sets" {
			t.Fatalf("field %v", ch["field"])
		}
		got = append(got, fmt.Sprintf("%v %v", v["id"] == gid, v["name"]))
	}
	want := []string{"true Team", "true Team", "false Sales", "false <nil>", "true <nil>"}
	if !slices.Equal(got, want) || recv.bad != 0 {
		t.Fatalf("webhooks %v (bad signatures %d), want %v", got, recv.bad, want)
	}
}

func TestSCIMStateRoundTrip(t *testing.T) {
	srv, _ := start(t, emulator.Config{})
	scimDo(t, srv, "POST", "/Users", user("E-77", "No Mail", map[string]any{"externalId": "E-77"})).want(t, 201, "")
	scimDo(t, srv, "POST", "/Groups", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "G"}).want(t, 201, "")
	srv2, _ := start(t, emulator.Config{State: srv.Snapshot()})
	r := scimDo(t, srv2, "GET", "/Users?filter="+url.QueryEscape(`userName eq "e-77"`), nil).want(t, 200, "")
	if r.body["totalResults"] != 1.0 {
		t.Fatalf("after a reload: %v", r.body)
	}
	if r := scimDo(t, srv2, "GET", "/Groups", nil).want(t, 200, ""); r.body["totalResults"] != 1.0 {
		t.Fatalf("groups after a reload: %v", r.body)
	}
}

// BenchmarkSCIMLookup50: one filtered read of 50 users by id, as the SCIM
// client's re-read before apply sends it, against 20,000 users.
func BenchmarkSCIMLookup50(b *testing.B) {
	st := &emulator.State{}
	for i := range 20_000 {
		st.Accounts = append(st.Accounts, &emulator.Account{Name: "U", Email: fmt.Sprintf("u%d@a.example", i), Active: true})
	}
	srv, _ := start(b, emulator.Config{State: st})
	var terms []string
	for i := range 50 {
		terms = append(terms, fmt.Sprintf(`id eq "%d"`, 100_000_000_000_001+i*300))
	}
	q := "/Users?count=50&filter=" + url.QueryEscape(strings.Join(terms, " or "))
	for b.Loop() {
		if r := scimDo(b, srv, "GET", q, nil); r.status != 200 || r.body["totalResults"] != 50.0 {
			b.Fatalf("%d %v", r.status, r.body["totalResults"])
		}
	}
}
