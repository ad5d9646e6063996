package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/target"
)

// Filter values are JSON strings, percent-encoded; the answer is checked
// by the client (a server that ignores the filter finds nobody).
func TestLookupFilters(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/Users" {
			w.WriteHeader(404)
			return
		}
		got = append(got, r.URL.RawQuery)
		json.NewEncoder(w).Encode(map[string]any{"totalResults": 2, "Resources": []any{
			map[string]any{"id": "1", "userName": "other@x.example", "externalId": "E1"},
			map[string]any{"id": "2", "userName": "x2@x.example", "externalId": "e 2"},
		}})
	}))
	defer srv.Close()
	c, _ := open(t, srv.URL)
	ctx := context.Background()
	found, err := c.Find(ctx, []target.Key{{Kind: target.ByEmail, Value: `o"brien@x.example`}})
	if err != nil || len(found) != 0 {
		t.Fatalf("a server ignoring the filter gave a match: %v %v", found, err)
	}
	if !strings.Contains(got[0], `filter=userName%20eq%20%22o%5C%22brien%40x.example%22`) {
		t.Fatalf("filter sent as %s", got[0])
	}
	found, err = c.Find(ctx, []target.Key{{Kind: target.ByExternalID, Value: "E 2"}})
	if err != nil || len(found) != 0 {
		t.Fatalf("externalId matched in another case: %v %v", found, err)
	}
}

// Two accounts for one key are an error naming both, never a guess.
func TestLookupTwoMatches(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/Users" {
			w.WriteHeader(404)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"totalResults": 2, "Resources": []any{
			map[string]any{"id": "1", "userName": "Ann@x.example"}, map[string]any{"id": "2", "userName": "ann@x.example"}}})
	}))
	defer srv.Close()
	c, _ := open(t, srv.URL)
	_, err := c.Find(context.Background(), []target.Key{{Kind: target.ByEmail, Value: "ann@x.example"}})
	te := kindOf(t, err, target.Invalid)
	if !strings.Contains(te.Message, "2 accounts answer to the userName or email ann@x.example (ids 1 and 2)") {
		t.Fatalf("%v", err)
	}
}

// filterServer is a SCIM service whose discovery says it filters with up
// to maxResults, and whose filter takes `attr eq "v" or …`. It matches
// userName case-sensitively (as SCIMMY does); refuseOr makes it refuse a
// filter with `or` (400 invalidFilter), as AWS does.
type filterServer struct {
	maxResults int
	refuseOr   bool
	users      []map[string]any
	mu         sync.Mutex
	filters    []string
}

var term = regexp.MustCompile(`(\w+) eq ("(?:[^"\\]|\\.)*")`)

func (f *filterServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/ServiceProviderConfig":
		fmt.Fprintf(w, `{"patch":{"supported":true},"filter":{"supported":true,"maxResults":%d},"etag":{"supported":false}}`, f.maxResults)
		return
	case "/ResourceTypes", "/Groups": // no groups
		w.WriteHeader(404)
		return
	}
	filter := r.URL.Query().Get("filter")
	f.mu.Lock()
	f.filters = append(f.filters, filter)
	f.mu.Unlock()
	if f.refuseOr && strings.Contains(filter, " or ") {
		w.WriteHeader(400)
		io.WriteString(w, `{"status":"400","scimType":"invalidFilter","detail":"or is not supported"}`)
		return
	}
	res := []any{}
	for _, u := range f.users {
		for _, m := range term.FindAllStringSubmatch(filter, -1) {
			var v string
			json.Unmarshal([]byte(m[2]), &v)
			if u[m[1]] == v {
				res = append(res, u)
				break
			}
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"totalResults": len(res), "Resources": res})
}

func (f *filterServer) sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.filters...)
}

func people(n int) []map[string]any {
	var out []map[string]any
	for i := range n {
		out = append(out, map[string]any{"id": fmt.Sprint(i), "userName": fmt.Sprintf("p%d@x.example", i), "externalId": fmt.Sprintf("E-%d", i)})
	}
	return out
}

// Where discovery says filters return 50 or more, look-ups go 50 to a
// request joined by `or`; a key in another case than a case-sensitive
// server holds is asked again in lower case.
func TestLookupBatches(t *testing.T) {
	f := &filterServer{maxResults: 200, users: people(60)}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, l := open(t, srv.URL)
	caps, err := c.Capabilities(context.Background())
	if err != nil || caps.LookupBatch != 50 {
		t.Fatalf("LookupBatch %d %v", caps.LookupBatch, err)
	}
	var keys []target.Key
	for i := range 60 {
		keys = append(keys, target.Key{Kind: target.ByEmail, Value: fmt.Sprintf("p%d@x.example", i)},
			target.Key{Kind: target.ByExternalID, Value: fmt.Sprintf("E-%d", i)})
	}
	upper := target.Key{Kind: target.ByUserName, Value: "P7@X.example"}
	keys = append(keys, upper, target.Key{Kind: target.ByEmail, Value: "nobody@x.example"})
	l.reset()
	found, err := c.Find(context.Background(), keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 121 || found[upper].ID != "7" || found[target.Key{Kind: target.ByExternalID, Value: "E-59"}].ID != "59" {
		t.Fatalf("found %d: %v", len(found), found[upper])
	}
	sent := f.sent()
	// userName: 50, then 12 (10, the upper-case key, nobody); the upper-case
	// key again in lower case; externalId: 50, then 10.
	if len(sent) != 5 || strings.Count(sent[0], " or ") != 49 || strings.Count(sent[1], " or ") != 11 ||
		sent[2] != `userName eq "p7@x.example"` || strings.Count(sent[3], " or ") != 49 || !strings.HasPrefix(sent[3], `externalId eq "E-0" or externalId eq "E-1"`) {
		t.Fatalf("filters sent: %q", sent)
	}
	for _, call := range l.called() {
		if call != "GET /Users" {
			t.Fatalf("call %s", call)
		}
	}
}

// With filters that return fewer than 50, or none said, one key a request.
func TestLookupOneByOne(t *testing.T) {
	f := &filterServer{maxResults: 20, users: people(3)}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, _ := open(t, srv.URL)
	found, err := c.Find(context.Background(), []target.Key{{Kind: target.ByEmail, Value: "p0@x.example"},
		{Kind: target.ByEmail, Value: "p1@x.example"}, {Kind: target.ByExternalID, Value: "E-2"}})
	if err != nil || len(found) != 3 {
		t.Fatalf("%v %v", found, err)
	}
	if got := strings.Join(f.sent(), "|"); got != `userName eq "p0@x.example"|userName eq "p1@x.example"|externalId eq "E-2"` {
		t.Fatalf("filters sent: %s", got)
	}
}

// A chunk the service refuses to filter (400: no `or`) is asked one key
// at a time.
func TestLookupRefusedChunk(t *testing.T) {
	f := &filterServer{maxResults: 100, refuseOr: true, users: people(3)}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, _ := open(t, srv.URL)
	found, err := c.Find(context.Background(), []target.Key{{Kind: target.ByEmail, Value: "p0@x.example"},
		{Kind: target.ByEmail, Value: "p2@x.example"}})
	if err != nil || len(found) != 2 {
		t.Fatalf("%v %v", found, err)
	}
	if got := strings.Join(f.sent(), "|"); got != `userName eq "p0@x.example" or userName eq "p2@x.example"|userName eq "p0@x.example"|userName eq "p2@x.example"` {
		t.Fatalf("filters sent: %s", got)
	}
}

// Against the emulator: the RFC profile batches with `or`; Meta's (no
// discovery: one expression a filter) goes one key a request, ids by
// GET /Users/{id}, emails and external ids by their own filters.
func TestLookupEmulator(t *testing.T) {
	for _, tc := range []struct {
		profile string
		calls   []string
	}{
		{emulator.ProfileRFC, []string{"GET /Users", "GET /Users", "GET /Users"}},
		{emulator.ProfileMeta, []string{"GET /Users/{id}", "GET /Users/{id}", "GET /Users", "GET /Users",
			"GET /Users", "GET /Users"}},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			_, c, l := emu(t, tc.profile)
			ctx := context.Background()
			a, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Ann"}, Email: "ann@acme.example", ExternalID: "E-1", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Bo"}, ExternalID: "E-2", Active: true}) // email-less
			if err != nil {
				t.Fatal(err)
			}
			l.reset()
			keys := []target.Key{{Kind: target.ByID, Value: a.ID}, {Kind: target.ByID, Value: b.ID},
				{Kind: target.ByEmail, Value: "ANN@acme.example"}, {Kind: target.ByUserName, Value: "E-2"},
				{Kind: target.ByExternalID, Value: "E-2"}, {Kind: target.ByExternalID, Value: "E-1"}}
			found, err := c.Find(ctx, keys)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range []string{a.ID, b.ID, a.ID, b.ID, b.ID} {
				if found[keys[i]] == nil || found[keys[i]].ID != want {
					t.Errorf("%s: %+v", keys[i], found[keys[i]])
				}
			}
			// E-1 has an email for userName: both services find it by
			// external id (Meta filters on externalId too, SCIM-DIALECTS.md §12).
			if found[keys[5]] == nil || found[keys[5]].ID != a.ID {
				t.Errorf("E-1: %+v", found[keys[5]])
			}
			var calls []string
			for _, cl := range l.called() {
				calls = append(calls, strings.Replace(strings.Replace(cl, a.ID, "{id}", 1), "/"+b.ID, "/{id}", 1))
			}
			if strings.Join(calls, "|") != strings.Join(tc.calls, "|") {
				t.Errorf("calls %v", calls)
			}
		})
	}
}
