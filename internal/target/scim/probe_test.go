package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/scim"
)

// A service none of the dialects knows is probed by its answers. One that
// refuses `or` (AWS's, met without its dialect: discovery says filters
// return 200) is asked one key a request from then on, and the
// capabilities say so, and why.
func TestProbeOrRefused(t *testing.T) {
	srv, c, _ := emu(t, emulator.ProfileAWS, func(cfg *target.Config) { cfg.Dialect = "rfc" })
	ctx := context.Background()
	for _, e := range []string{"a", "b", "c"} {
		if _, err := c.Create(ctx, awsPerson(0x61+int(e[0]))); err != nil {
			t.Fatal(err)
		}
	}
	caps, _ := c.Capabilities(ctx)
	if caps.LookupBatch != 50 || caps.Origin("lookup") != "discovery" {
		t.Fatalf("batch %d from %q before any look-up", caps.LookupBatch, caps.Origin("lookup"))
	}
	var keys []target.Key
	for _, i := range []int{0xc2, 0xc3, 0xc4} {
		keys = append(keys, target.Key{Kind: target.ByEmail, Value: awsPerson(i).Email})
	}
	before := srv.Stats().Calls
	if found, err := c.Find(ctx, keys); err != nil || len(found) != 3 {
		t.Fatalf("%v %v", found, err)
	}
	if n := srv.Stats().Calls - before; n != 4 {
		t.Fatalf("%d calls: want the `or` refused, then one key a request", n)
	}
	caps, _ = c.Capabilities(ctx)
	if caps.LookupBatch != 1 || caps.Origin("lookup") != "probe: the service refused 3 keys joined by or (HTTP 400 invalidFilter): one key a request" {
		t.Fatalf("batch %d from %q", caps.LookupBatch, caps.Origin("lookup"))
	}
	before = srv.Stats().Calls
	if found, err := c.Find(ctx, keys[:2]); err != nil || len(found) != 2 || srv.Stats().Calls-before != 2 {
		t.Fatalf("%v %v: no `or` again", found, err)
	}
}

// pagesServer lists n Users, its own page of size at a time, ignoring
// startIndex; with cursors it answers RFC 9865 cursor pages; with offer,
// its index pages offer a nextCursor; without search, POST /.search is 404.
type pagesServer struct {
	n, size        int
	cursors, offer bool
	mu             sync.Mutex
	asked          []string
}

func (p *pagesServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.asked = append(p.asked, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	p.mu.Unlock()
	if r.URL.Path != "/Users" || r.Method != "GET" {
		w.WriteHeader(404)
		return
	}
	from := 0
	cur, isCursor := r.URL.Query()["cursor"]
	if isCursor && !p.cursors {
		isCursor = false // not understood: the first page again
	}
	if isCursor && cur[0] != "" {
		fmt.Sscan(cur[0], &from)
	}
	if p.offer && r.URL.Query().Get("startIndex") == "1" {
		isCursor = true
	}
	var res []any
	for i := from; i < min(from+p.size, p.n); i++ {
		res = append(res, map[string]any{"id": fmt.Sprint(i + 1), "userName": fmt.Sprintf("u%d@x.example", i+1)})
	}
	body := map[string]any{"Resources": res, "itemsPerPage": len(res)}
	if isCursor {
		if from+p.size < p.n {
			body["nextCursor"] = fmt.Sprint(from + p.size)
		}
	} else {
		body["totalResults"], body["startIndex"] = len(res), 1 // the page, not the population
	}
	json.NewEncoder(w).Encode(body)
}

func (p *pagesServer) queries() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.asked, " | ")
}

// A listing that cannot be shown complete is an error, never a short
// success: a first page whose totalResults is its own size is confirmed
// by asking the next; a next page that repeats the first means startIndex
// is ignored. Cursors (RFC 9865) are tried, then POST .search; where
// neither answers, the listing fails, and the capabilities say from then
// on that the population cannot be listed (Complete false: plans look
// each row up, and refuse --sync and group removals). Where cursors
// answer, or an answer offers a nextCursor, the listing is complete by
// cursor.
func TestProbeRepeatedPages(t *testing.T) {
	ctx := context.Background()
	list := func(p *pagesServer) (int, *scim.Client, *layer, error) {
		srv := httptest.NewServer(p)
		t.Cleanup(srv.Close)
		c, l := open(t, srv.URL, func(cfg *target.Config) { cfg.PageSize = 100 })
		if _, err := c.Capabilities(ctx); err != nil {
			t.Fatal(err)
		}
		n := 0
		err := c.ListAll(ctx, func(page []target.Account) error { n += len(page); return nil })
		caps, _ := c.Capabilities(ctx)
		if err == nil && (caps.Paging != target.PageCursor || !caps.Complete) || err != nil && (caps.Paging != target.PageNone || caps.Complete) {
			t.Errorf("after %v: paging %s complete %v (%s)", err, caps.Paging, caps.Complete, caps.Origin("paging"))
		}
		return n, c, l, err
	}
	p := &pagesServer{n: 120, size: 50}
	n, c, l, err := list(p)
	te := kindOf(t, err, target.Invalid)
	if !strings.Contains(te.Message, "the /Users listing cannot be shown complete: a second page of /Users repeated the first (startIndex ignored), "+
		"and the service answers neither RFC 9865 cursors nor POST /Users/.search. wpimport plans nothing from it: plans look each row up instead") || n != 50 {
		t.Fatalf("%d listed: %v", n, err)
	}
	if q := p.queries(); !strings.HasSuffix(q, "GET /Users?count=100&startIndex=1 | GET /Users?count=100&startIndex=51 | "+
		"GET /Users?count=100&cursor= | POST /Users/.search?") {
		t.Fatalf("asked %s", q)
	}
	l.reset()
	if err := c.ListAll(ctx, func([]target.Account) error { return nil }); err == nil || len(l.called()) != 0 {
		t.Fatalf("a second listing: %v after %v; want it refused at once", err, l.called())
	}

	for name, p := range map[string]*pagesServer{"cursors": {n: 120, size: 50, cursors: true}, "offered": {n: 120, size: 50, cursors: true, offer: true}} {
		if n, _, _, err := list(p); err != nil || n != 120 {
			t.Errorf("%s: %d listed, %v (asked %s)", name, n, err, p.queries())
		}
	}
	// A server ignoring startIndex whose people fit in one page cannot be
	// told from one that shows only its first page (AWS's old 50): an
	// error, never a guess.
	if n, _, _, err := list(&pagesServer{n: 30, size: 50}); err == nil || n != 30 {
		t.Errorf("%d listed, %v: a server ignoring startIndex repeats its one page, and answers no cursor", n, err)
	}
	// One that honours startIndex answers the confirming request with
	// nobody: complete, in two requests.
	f := &fakeUsers{n: 30}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, _ = open(t, srv.URL, func(cfg *target.Config) { cfg.PageSize = 100 })
	if ids, err := listAll(t, c); len(ids) != 30 || err != nil || strings.Join(f.queries, "|") != "GET 1+100|GET 31+100" {
		t.Errorf("%d listed, %v, asked %v", len(ids), err, f.queries)
	}
}

// Without /ResourceTypes, a one-item GET /Groups says whether the service
// has groups; a Bulk the service announces and answers 404 is given up:
// the write goes alone, and Bulk is off from then on.
func TestProbeGroupsAndBulk(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Method+" "+r.URL.Path)
		mu.Unlock()
		switch {
		case r.URL.Path == "/ServiceProviderConfig":
			io.WriteString(w, `{"patch":{"supported":true},"bulk":{"supported":true,"maxOperations":10},"filter":{"supported":true}}`)
		case r.URL.Path == "/Groups":
			io.WriteString(w, `{"totalResults":0,"Resources":[]}`)
		case r.URL.Path == "/Users" && r.Method == "POST":
			w.WriteHeader(201)
			io.WriteString(w, `{"id":"9","userName":"n@x.example","displayName":"N","active":true}`)
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	c, _ := open(t, srv.URL, withBulk)
	ctx := context.Background()
	caps, err := c.Capabilities(ctx)
	if err != nil || !caps.Groups || !caps.Bulk || caps.Origin("groups") != "probe: GET /Groups?count=1 (no /ResourceTypes)" {
		t.Fatalf("%+v %v", caps, err)
	}
	got, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "N"}, Email: "n@x.example", Active: true})
	if err != nil || got.ID != "9" {
		t.Fatalf("%+v %v", got, err)
	}
	caps, _ = c.Capabilities(ctx)
	if caps.Bulk || caps.Origin("bulk") != "probe: POST /Bulk answered 404: writes go one a request" {
		t.Fatalf("bulk %v from %q", caps.Bulk, caps.Origin("bulk"))
	}
	if strings.Join(asked, "|") != "GET /ServiceProviderConfig|GET /ResourceTypes|GET /Groups|POST /Bulk|POST /Users" {
		t.Fatalf("asked %v", asked)
	}
}

// What wpimport check prints beyond the capabilities (Probe), writing
// nothing: the dialect and why; for a service of no known dialect, what
// its answers show (AWS met as unknown: `or` refused, startIndex ignored,
// cursors answered), now in the capabilities too; a dialect's documented
// budget; the rate headers.
func TestProbeFacts(t *testing.T) {
	ctx := context.Background()
	facts := func(c *scim.Client) map[string]string {
		t.Helper()
		fs, err := c.Probe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, f := range fs {
			m[f.Name] = f.Value
		}
		return m
	}
	srv, c, _ := emu(t, emulator.ProfileAWS, func(cfg *target.Config) { cfg.Dialect = "" })
	for i := range 3 {
		if _, err := c.Create(ctx, awsPerson(i)); err != nil {
			t.Fatal(err)
		}
	}
	writes := srv.Stats().Calls
	f := facts(c) // a page, two keys joined by or, a second page (the first again), a cursor page
	if f["Dialect"] != "rfc (no known service at 127.0.0.1: RFC 7644 as discovery and the answers show)" ||
		f["Paging"] != `cursor; itemsPerPage sent as 1 [probe: a second page of /Users repeated the first (startIndex ignored); the service answers RFC 9865 cursors]` ||
		f["Users"] != "not given (listings go by cursor to the end)" || f["Rate"] != "no rate headers sent (wpimport paces by --rate and slows on 429)" {
		t.Fatalf("facts %q", f)
	}
	caps, _ := c.Capabilities(ctx)
	if caps.LookupBatch != 1 || caps.Paging != target.PageCursor || srv.Stats().Calls-writes != 4 {
		t.Fatalf("batch %d paging %s after %d calls", caps.LookupBatch, caps.Paging, srv.Stats().Calls-writes)
	}
	_, c, _ = emu(t, emulator.ProfileAWS)
	if f := facts(c); f["Users"] != "not given (listings go by cursor to the end)" || !strings.HasPrefix(f["Paging"], "cursor; itemsPerPage sent as 0 [dialect aws") {
		t.Fatalf("facts %q", f)
	}
	_, c, _ = emu(t, emulator.ProfileGitHub)
	if f := facts(c); f["Budget"] != "1000 users provisioned an hour (SCIM-DIALECTS.md §3): 10,000 take at least 9h0m0s" || f["Dialect"] != "github (--scim-dialect github)" {
		t.Fatalf("facts %q", f)
	}
	_, c, _ = emuWith(t, emulator.Config{SCIMProfile: emulator.ProfileAtlassian, Rate: 50, Burst: 50})
	if f := facts(c); !strings.HasPrefix(f["Rate"], "X-Ratelimit-Limit: 50; X-Ratelimit-Remaining: ") || !strings.HasSuffix(f["Rate"], "% of the budget used)") {
		t.Fatalf("facts %q", f)
	}
}
