package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/scim"
)

// fakeUsers is a tiny SCIM listing whose paging can be made to misbehave.
type fakeUsers struct {
	n         int
	total     int  // totalResults to claim; 0 = n
	noTotal   bool // leave totalResults out
	echoCount bool // itemsPerPage = the count asked
	skip      int  // never return this index (1-based)
	repeat    bool // every page starts with the last User of the one before
	ignoreGET bool // the query's startIndex and count are ignored (POST .search honours them)
	mu        sync.Mutex
	queries   []string
}

func (f *fakeUsers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+token || r.Header.Get("User-Agent") != "wpimport/test" {
		w.WriteHeader(401)
		return
	}
	var start, count int
	if r.Method == "POST" {
		var q struct{ StartIndex, Count int }
		json.NewDecoder(r.Body).Decode(&q)
		start, count = q.StartIndex, q.Count
	} else {
		fmt.Sscan(r.URL.Query().Get("startIndex"), &start)
		fmt.Sscan(r.URL.Query().Get("count"), &count)
		if f.ignoreGET {
			start, count = 1, 3 // its own default page
		}
	}
	f.mu.Lock()
	f.queries = append(f.queries, fmt.Sprintf("%s %d+%d", r.Method, start, count))
	f.mu.Unlock()
	from := start
	if f.repeat && start > 1 {
		from = start - 1
	}
	res := []any{}
	for i := from; i < from+count && i <= f.n; i++ {
		if i != f.skip {
			res = append(res, map[string]any{"id": fmt.Sprint(i), "userName": fmt.Sprintf("u%d@x.example", i), "active": i%2 == 0})
		}
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

func listAll(t *testing.T, c *scim.Client) ([]string, error) {
	t.Helper()
	var ids []string
	err := c.ListAll(context.Background(), func(p []target.Account) error {
		for _, a := range p {
			ids = append(ids, a.ID)
		}
		return nil
	})
	return ids, err
}

// Paging goes by the resources returned, never by itemsPerPage; every
// account comes once, active or not; a listing that cannot be shown
// complete is an error naming the counts, never a short success.
func TestListingSafety(t *testing.T) {
	f := &fakeUsers{n: 5, echoCount: true}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, l := open(t, srv.URL)
	if ids, err := listAll(t, c); strings.Join(ids, ",") != "1,2,3,4,5" || err != nil {
		t.Fatalf("echoed itemsPerPage: %v %v", ids, err)
	}
	if want := []string{"GET 1+2", "GET 3+2", "GET 5+2"}; !slices.Equal(f.queries, want) {
		t.Fatalf("queries %v", f.queries)
	}
	if got := strings.Join(l.called(), "|"); got != "GET /Users|GET /Users|GET /Users" {
		t.Fatalf("calls %s", got)
	}
	// Unstable pages: a User seen twice counts once.
	f = &fakeUsers{n: 5, repeat: true}
	srv2 := httptest.NewServer(f)
	defer srv2.Close()
	c, _ = open(t, srv2.URL)
	if ids, err := listAll(t, c); strings.Join(ids, ",") != "1,2,3,4,5" || err != nil {
		t.Fatalf("repeated Users: %v %v", ids, err)
	}
	for name, tc := range map[string]struct {
		f    *fakeUsers
		want string
	}{
		"one missing":  {&fakeUsers{n: 5, skip: 3}, "the /Users listing returned 4 accounts but the service counts 5"},
		"total larger": {&fakeUsers{n: 4, total: 6}, "the /Users listing returned 4 accounts but the service counts 6"},
		"no total":     {&fakeUsers{n: 3, noTotal: true}, "the /Users listing has no totalResults (2 accounts seen so far)"},
	} {
		srv := httptest.NewServer(tc.f)
		c, _ := open(t, srv.URL)
		_, err := listAll(t, c)
		srv.Close()
		if te := target.As(err); te == nil || te.Kind != target.Invalid || !strings.HasPrefix(te.Message, tc.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A server that ignores the query's paging is listed by POST /Users/.search,
// a read the layer may repeat.
func TestListingSearchFallback(t *testing.T) {
	f := &fakeUsers{n: 5, ignoreGET: true}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, l := open(t, srv.URL)
	if ids, err := listAll(t, c); strings.Join(ids, ",") != "1,2,3,4,5" || err != nil {
		t.Fatalf("%v %v", ids, err)
	}
	if want := []string{"GET 1+3", "POST 4+2"}; !slices.Equal(f.queries, want) {
		t.Fatalf("queries %v", f.queries)
	}
	if got := strings.Join(l.called(), "|"); got != "GET /Users|POST /Users/.search" {
		t.Fatalf("calls %s (a .search page must be safe to repeat)", got)
	}
}

// Against the emulator: every account once, deactivated ones included,
// in one pass (no second listing for the inactive ones).
func TestListAllEmulator(t *testing.T) {
	for _, profile := range []string{emulator.ProfileRFC, emulator.ProfileMeta} {
		t.Run(profile, func(t *testing.T) {
			_, c, l := emu(t, profile, func(cfg *target.Config) { cfg.PageSize = 3 })
			ctx := context.Background()
			var ids []string
			for i := range 7 {
				a, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: fmt.Sprintf("P %d", i)},
					Email: fmt.Sprintf("p%d@acme.example", i), Active: i != 3})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, a.ID)
			}
			l.reset()
			var got []target.Account
			if err := c.ListAll(ctx, func(p []target.Account) error { got = append(got, p...); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(got) != 7 || got[3].ID != ids[3] || got[3].Active || !got[4].Active || got[6].Email != "p6@acme.example" {
				t.Fatalf("listed %+v", got)
			}
			if n := len(l.called()); n != 3 {
				t.Fatalf("%d calls for 7 accounts at 3 a page: %v", n, l.called())
			}
		})
	}
}
