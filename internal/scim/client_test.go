package scim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/scim"
	"github.com/wpimport/wpimport/internal/workplace"
)

const token = "s3cret-token-value"

func client(t *testing.T, url string) *scim.Client {
	t.Helper()
	c, err := scim.New(scim.Config{BaseURL: url, Token: token, UserAgent: "wpimport/test", PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Error answers of every shape become one kind of error, with the Graph
// code of the same meaning, a message a person can act on, and no token.
func TestErrorShapes(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		header  map[string]string
		body    string
		check   func(error) bool
		message string
	}{
		{"SCIM, status a number", 409, nil, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":409,"scimType":"uniqueness","detail":"taken"}`,
			workplace.IsInvalidParameter, "HTTP 409 uniqueness: taken (another account has this userName or externalId)"},
		{"SCIM, status a string", 400, nil, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidValue","detail":"bad locale"}`,
			workplace.IsInvalidParameter, "HTTP 400 invalidValue: bad locale"},
		{"Graph-style", 401, nil, `{"error":{"message":"Invalid OAuth access token s3cret-token-value","code":190}}`,
			workplace.IsFatal, "HTTP 401: Invalid OAuth access token [token]"},
		{"plain text", 503, nil, "Service Unavailable\n<html>…", workplace.IsTransient, "HTTP 503: Service Unavailable"},
		{"throttled", 429, map[string]string{"Retry-After": "7"}, ``, workplace.IsThrottle, "HTTP 429: Too Many Requests"},
		{"forbidden", 403, nil, `nope`, workplace.IsFatal, "allowed IP addresses"},
		{"not found", 404, nil, `{"status":"404","detail":"gone"}`, workplace.IsNotFound, "HTTP 404: gone"},
		{"stale", 412, nil, `{"status":"412","scimType":"invalidVers","detail":"changed"}`, workplace.IsVersionConflict, "make a new plan"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			_, err := client(t, srv.URL).GetMember(context.Background(), "123", nil)
			if err == nil || !tc.check(err) || !strings.Contains(err.Error(), tc.message) || strings.Contains(err.Error(), token) {
				t.Fatalf("%v", err)
			}
			var ae *workplace.APIError
			if tc.status == 429 && (!errors.As(err, &ae) || ae.RetryAfter != 7*time.Second) {
				t.Fatalf("Retry-After not read: %+v", ae)
			}
		})
	}
}

// fakeUsers is a tiny SCIM listing whose paging can be made to misbehave.
type fakeUsers struct {
	n         int
	total     int  // totalResults to claim; 0 = n
	noTotal   bool // leave totalResults out
	echoCount bool // itemsPerPage = the count asked
	skip      int  // never return this index (1-based)
	mu        sync.Mutex
	queries   []string
}

func (f *fakeUsers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.queries = append(f.queries, r.URL.RawQuery)
	f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+token || r.Header.Get("User-Agent") != "wpimport/test" {
		w.WriteHeader(401)
		return
	}
	var start, count int
	fmt.Sscan(r.URL.Query().Get("startIndex"), &start)
	fmt.Sscan(r.URL.Query().Get("count"), &count)
	var res []any
	for i := start; i < start+count && i <= f.n; i++ {
		if i == f.skip {
			continue
		}
		res = append(res, map[string]any{"id": fmt.Sprint(i), "userName": fmt.Sprintf("u%d@x.example", i), "active": true})
	}
	body := map[string]any{"Resources": res, "startIndex": start, "itemsPerPage": len(res)}
	if f.echoCount {
		body["itemsPerPage"] = count
	}
	if !f.noTotal {
		body["totalResults"] = max(f.total, f.n)
	}
	json.NewEncoder(w).Encode(body)
}

func listAll(c *scim.Client) (int, error) {
	n := 0
	err := c.ListMembers(context.Background(), workplace.ListOptions{}, func(p []workplace.Account) error { n += len(p); return nil })
	return n, err
}

func TestListingSafety(t *testing.T) {
	// itemsPerPage echoing the count: paging goes by resources returned.
	f := &fakeUsers{n: 5, echoCount: true}
	srv := httptest.NewServer(f)
	defer srv.Close()
	if n, err := listAll(client(t, srv.URL)); n != 5 || err != nil {
		t.Fatalf("echoed itemsPerPage: %d %v", n, err)
	}
	if want := []string{"count=2&startIndex=1", "count=2&startIndex=3", "count=2&startIndex=5"}; strings.Join(f.queries, " ") != strings.Join(want, " ") {
		t.Fatalf("queries %v", f.queries)
	}
	// A listing that returns fewer than totalResults plans nothing.
	for name, f := range map[string]*fakeUsers{"one missing": {n: 5, skip: 3}, "total larger": {n: 4, total: 6}, "no total": {n: 3, noTotal: true}} {
		srv := httptest.NewServer(f)
		_, err := listAll(client(t, srv.URL))
		srv.Close()
		var short *scim.ShortListingError
		if err == nil || (name != "no total" && !errors.As(err, &short)) || (name == "no total" && !strings.Contains(err.Error(), "no totalResults")) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Filter values are JSON strings, percent-encoded; the answer is checked
// by the client (a server that ignores the filter finds nobody).
func TestLookupFilters(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.RawQuery)
		json.NewEncoder(w).Encode(map[string]any{"totalResults": 2, "Resources": []any{
			map[string]any{"id": "1", "userName": "other@x.example", "externalId": "E1"},
			map[string]any{"id": "2", "userName": "x2@x.example", "externalId": "e 2"},
		}})
	}))
	defer srv.Close()
	c := client(t, srv.URL)
	if _, err := c.GetMember(context.Background(), `o"brien@x.example`, nil); !workplace.IsNotFound(err) {
		t.Fatalf("a server ignoring the filter gave a match: %v", err)
	}
	if !strings.Contains(got[0], `filter=userName%20eq%20%22o%5C%22brien%40x.example%22`) {
		t.Fatalf("filter sent as %s", got[0])
	}
	found, err := c.LookupExternalIDs(context.Background(), []string{"E 2"}, nil, 0)
	if err != nil || len(found) != 0 {
		t.Fatalf("externalId matched in another case: %v %v", found, err)
	}
}

// Two accounts for one key are an error, never a guess.
func TestLookupTwoMatches(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"totalResults": 2, "Resources": []any{
			map[string]any{"id": "1", "userName": "Ann@x.example"}, map[string]any{"id": "2", "userName": "ann@x.example"}}})
	}))
	defer srv.Close()
	_, err := client(t, srv.URL).GetMember(context.Background(), "ann@x.example", nil)
	if err == nil || !strings.Contains(err.Error(), "will not guess") {
		t.Fatalf("%v", err)
	}
}

// A service without PATCH is updated by GET, change, PUT with If-Match.
func TestNoPatchUsesPut(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	user := map[string]any{"schemas": []any{scim.CoreUser}, "id": "7", "userName": "a@x.example", "title": "Old", "meta": map[string]any{"version": `W/"1"`}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("If-Match"))
		switch {
		case r.URL.Path == "/ServiceProviderConfig":
			io.WriteString(w, `{"patch":{"supported":false},"etag":{"supported":true},"filter":{"supported":true}}`)
		case r.URL.Path == "/ResourceTypes":
			w.WriteHeader(404)
		case r.Method == "GET":
			json.NewEncoder(w).Encode(user)
		case r.Method == "PUT":
			var u map[string]any
			json.NewDecoder(r.Body).Decode(&u)
			u["meta"] = map[string]any{"version": `W/"2"`}
			user = u
			json.NewEncoder(w).Encode(u)
		default:
			w.WriteHeader(405)
		}
	}))
	defer srv.Close()
	c := client(t, srv.URL)
	if err := c.UpdateAccount(context.Background(), "7", workplace.Fields{"title": "New"}); err != nil {
		t.Fatal(err)
	}
	if user["title"] != "New" || user["userName"] != "a@x.example" {
		t.Fatalf("PUT body %v", user)
	}
	if got := strings.Join(seen, "|"); !strings.Contains(got, `GET /Users/7 |PUT /Users/7 W/"1"`) {
		t.Fatalf("calls %s", got)
	}
}

// The token goes to one server: a redirect is not followed.
func TestNoRedirect(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the redirect was followed, with Authorization %q", r.Header.Get("Authorization"))
	}))
	defer other.Close()
	srv := httptest.NewServer(http.RedirectHandler(other.URL+"/Users/1", http.StatusFound))
	defer srv.Close()
	if _, err := client(t, srv.URL).GetMember(context.Background(), "1", nil); err == nil {
		t.Fatal("a redirect was taken for an answer")
	}
}

func TestNewRefusesUnsafeURLs(t *testing.T) {
	for _, u := range []string{"http://scim.example.com/", "ftp://x/", "https://user:pw@scim.example.com/", "https://scim.example.com/?a=1", ""} {
		if _, err := scim.New(scim.Config{BaseURL: u, Token: token}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	if _, err := scim.New(scim.Config{BaseURL: "https://scim.workplace.com/"}); err == nil || !strings.Contains(err.Error(), "WPIMPORT_TOKEN") {
		t.Errorf("no token: %v", err)
	}
}

// The version the plan read goes as If-Match: a change made since the plan,
// even to an attribute the plan does not compare, makes the op stale and
// nothing is overwritten.
func TestPlanVersionMakesStale(t *testing.T) {
	r := newRig(t, emulator.Config{}, 1000, 100)
	ctx := context.Background()
	res := roster(t, 3)
	p := r.plan(t, res)
	if _, err := execute.Run(ctx, r.client, r.layer, p, execute.Options{}); err != nil {
		t.Fatal(err)
	}
	// The roster changes one title; the plan records the accounts' versions.
	csv := strings.Replace(rosterCSV(3), "Engineer", "Chief", 1)
	r2 := &rig{srv: r.srv, layer: execute.NewLayer(1000, execute.DefaultRetry)}
	r2.client, _ = scim.New(scim.Config{BaseURL: r.srv.URL() + emulator.SCIMPrefix, Token: r.srv.Token(), Wrap: r2.layer.Wrap})
	p2 := r2.plan(t, validated(t, csv))
	if len(p2.Ops) != 1 || p2.Ops[0].Version == "" {
		t.Fatalf("plan %+v", p2.Ops)
	}
	// Someone changes that account's employeeNumber (not compared) meanwhile.
	id := p2.Ops[0].AccountID
	req, _ := http.NewRequest("PATCH", r.srv.URL()+emulator.SCIMPrefix+"/Users/"+id, strings.NewReader(
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"99"}]}`))
	req.Header.Set("Authorization", "Bearer "+r.srv.Token())
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("the other change: %v %v", resp, err)
	}
	c3, _ := scim.New(scim.Config{BaseURL: r.srv.URL() + emulator.SCIMPrefix, Token: r.srv.Token(), Wrap: r2.layer.Wrap})
	pins := map[string]string{}
	for _, op := range p2.Ops {
		pins[op.AccountID] = op.Version
	}
	c3.PinVersions(pins)
	out, err := execute.Run(ctx, c3, r2.layer, p2, execute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := out.Outcomes[p2.Ops[0].ID]
	if o.Status != "stale" || !strings.Contains(o.Message, "412") {
		t.Fatalf("outcome %+v", o)
	}
	for _, a := range r.srv.Snapshot().Accounts {
		if a.ID == id && a.Title == "Chief" {
			t.Fatal("the title was overwritten despite the change")
		}
	}
}

// An id is one path segment, escaped once.
func TestIDEscaped(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.EscapedPath()
		io.WriteString(w, `{"id":"a b/c","userName":"x@x.example"}`)
	}))
	defer srv.Close()
	if _, err := client(t, srv.URL+"/scim/v2").GetMember(context.Background(), "a b/c", nil); err != nil {
		t.Fatal(err)
	}
	if got != "/scim/v2/Users/a%20b%2Fc" {
		t.Fatalf("path %s", got)
	}
}

// Bulk answers of other shapes: status a number, no bulkId (answered in
// order), an operation left out (its outcome unknown, so looked up).
func TestBulkAnswerShapes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ServiceProviderConfig":
			io.WriteString(w, `{"patch":{"supported":true},"bulk":{"supported":true,"maxOperations":10,"maxPayloadSize":100000},"filter":{"supported":true}}`)
		case "/ResourceTypes":
			w.WriteHeader(404)
		case "/Bulk":
			var req struct{ Operations []map[string]any }
			json.NewDecoder(r.Body).Decode(&req)
			var ops []any
			for i := range req.Operations {
				switch i {
				case 0:
					ops = append(ops, map[string]any{"method": "POST", "status": 201, "location": "https://x/Users/u1"})
				case 1:
					ops = append(ops, map[string]any{"method": "POST", "status": "409", "response": map[string]any{"status": 409, "scimType": "uniqueness", "detail": "taken"}})
				}
			}
			if len(req.Operations) == 3 {
				ops = append(ops, map[string]any{"method": "POST", "status": 201, "location": "https://x/Users/u3"})
			}
			json.NewEncoder(w).Encode(map[string]any{"Operations": ops})
		}
	}))
	defer srv.Close()
	c := client(t, srv.URL)
	if on, err := c.EnableBulk(context.Background()); !on || err != nil {
		t.Fatalf("bulk: %v %v", on, err)
	}
	defer c.Close()
	type res struct {
		id  string
		err error
	}
	out := make([]res, 3)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * time.Millisecond) // in this order
			id, err := c.CreateAccount(context.Background(), workplace.Fields{"name": "N", "email": fmt.Sprintf("n%d@x.example", i)})
			out[i] = res{id, err}
		}()
	}
	wg.Wait()
	if out[0].id != "u1" || !workplace.IsInvalidParameter(out[1].err) || out[2].id != "u3" {
		t.Fatalf("answers: %+v", out)
	}
}

// An operation the Bulk answer leaves out has an unknown outcome: the
// create is then looked up, never just sent again.
func TestBulkAnswerLeavesOneOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ServiceProviderConfig":
			io.WriteString(w, `{"bulk":{"supported":true,"maxOperations":10},"filter":{"supported":true}}`)
		case "/ResourceTypes":
			w.WriteHeader(404)
		case "/Bulk":
			var req struct{ Operations []map[string]any }
			json.NewDecoder(r.Body).Decode(&req)
			op := req.Operations[0]
			json.NewEncoder(w).Encode(map[string]any{"Operations": []any{
				map[string]any{"method": "POST", "bulkId": op["bulkId"], "status": "201", "location": "/Users/only"}}})
		}
	}))
	defer srv.Close()
	c := client(t, srv.URL)
	c.EnableBulk(context.Background())
	defer c.Close()
	errs := make([]error, 2)
	ids := make([]string, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * time.Millisecond)
			ids[i], errs[i] = c.CreateAccount(context.Background(), workplace.Fields{"name": "N", "email": fmt.Sprintf("m%d@x.example", i)})
		}()
	}
	wg.Wait()
	if ids[0] != "only" || errs[0] != nil || !workplace.IsUnknownOutcome(errs[1]) {
		t.Fatalf("ids %v errs %v", ids, errs)
	}
}
