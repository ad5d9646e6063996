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
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/scim"
)

func withBulk(cfg *target.Config) { cfg.Bulk = true }

const bulkSPC = `{"patch":{"supported":true},"etag":{"supported":true},"bulk":{"supported":true,"maxOperations":10,"maxPayloadSize":100000},"filter":{"supported":true}}`

// bulkServer answers discovery with Bulk and hands each /Bulk request's
// operations to answer.
func bulkServer(t *testing.T, answer func(ops []map[string]any) []any) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ServiceProviderConfig":
			io.WriteString(w, bulkSPC)
		case "/ResourceTypes", "/Groups": // no groups
			w.WriteHeader(404)
		case "/Bulk":
			var req struct{ Operations []map[string]any }
			json.NewDecoder(r.Body).Decode(&req)
			json.NewEncoder(w).Encode(map[string]any{"Operations": answer(req.Operations)})
		default:
			t.Errorf("%s %s outside Bulk", r.Method, r.URL.Path)
			w.WriteHeader(500)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// emailOf is the email a Bulk create operation carries.
func emailOf(op map[string]any) string {
	data, _ := op["data"].(map[string]any)
	return fmt.Sprint(data["userName"])
}

// createAll makes n accounts at once, n<i>@x.example, through c.
func createAll(c *scim.Client, n int) ([]*target.Account, []error) {
	got, errs := make([]*target.Account, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			got[i], errs[i] = c.Create(context.Background(), &target.Account{Name: target.Name{Formatted: "N"},
				Email: fmt.Sprintf("n%d@x.example", i), Active: true})
		})
	}
	wg.Wait()
	return got, errs
}

// Bulk answers of other shapes: status a number or a string, no bulkId
// (answered in order), an error in its own shape.
func TestBulkAnswerShapes(t *testing.T) {
	srv := bulkServer(t, func(ops []map[string]any) []any {
		var out []any
		for _, op := range ops {
			switch emailOf(op) {
			case "n0@x.example":
				out = append(out, map[string]any{"method": "POST", "status": 201, "location": "https://x/Users/u1", "version": `W/"a"`})
			case "n1@x.example":
				out = append(out, map[string]any{"method": "POST", "status": "409", "response": map[string]any{"status": 409, "scimType": "uniqueness", "detail": "taken"}})
			case "n2@x.example":
				out = append(out, map[string]any{"method": "POST", "status": "201", "response": map[string]any{"id": "u3", "userName": "n2@x.example", "displayName": "N"}})
			}
		}
		return out
	})
	c, l := open(t, srv.URL, withBulk)
	scim.HoldBulk(c, 3)
	got, errs := createAll(c, 3)
	if got[0] == nil || got[0].ID != "u1" || got[0].Version != `W/"a"` || got[0].Email != "n0@x.example" {
		t.Fatalf("first: %+v %v", got[0], errs[0])
	}
	if te := kindOf(t, errs[1], target.Conflict); te.Code != "uniqueness" || te.Message != "taken" || te.Path != "/Users" || te.Method != "POST" {
		t.Fatalf("second: %#v", te)
	}
	if got[2] == nil || got[2].ID != "u3" || got[2].Name.Formatted != "N" {
		t.Fatalf("third: %+v %v", got[2], errs[2])
	}
	// Without /ResourceTypes, a one-item GET /Groups says whether there are groups.
	if calls := strings.Join(l.called(), "|"); calls != "GET /ServiceProviderConfig|GET /ResourceTypes|GET /Groups|POST /Bulk !" {
		t.Fatalf("calls %s", calls)
	}
}

// An operation the Bulk answer leaves out has an unknown outcome: a
// create is then for the caller to look up, never sent again here.
func TestBulkAnswerLeavesOneOut(t *testing.T) {
	srv := bulkServer(t, func(ops []map[string]any) []any {
		for _, op := range ops {
			if emailOf(op) == "n0@x.example" {
				return []any{map[string]any{"method": "POST", "bulkId": op["bulkId"], "status": "201", "location": "/Users/only"}}
			}
		}
		return nil
	})
	c, _ := open(t, srv.URL, withBulk)
	scim.HoldBulk(c, 2)
	got, errs := createAll(c, 2)
	if got[0] == nil || got[0].ID != "only" || errs[0] != nil {
		t.Fatalf("first: %+v %v", got[0], errs[0])
	}
	if te := kindOf(t, errs[1], target.UnknownOutcome); !strings.Contains(te.Text(), "did not mention this operation") {
		t.Fatalf("second: %v", te)
	}
}

// A Bulk request whose answer is lost leaves its create unknown, and
// sends its update (a replace, safe to repeat) again on its own, without
// the version it carried: the lost attempt may have taken effect.
func TestBulkLostUpdateSentAlone(t *testing.T) {
	var mu sync.Mutex
	var alone []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ServiceProviderConfig":
			io.WriteString(w, bulkSPC)
		case "/ResourceTypes", "/Groups": // no groups
			w.WriteHeader(404)
		case "/Bulk":
			data, _ := io.ReadAll(r.Body)
			if !strings.Contains(string(data), `"version":"W/\"1\""`) {
				t.Errorf("the update went without its version: %s", data)
			}
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		default:
			mu.Lock()
			alone = append(alone, r.Method+" "+r.URL.Path+" "+r.Header.Get("If-Match"))
			mu.Unlock()
			if r.Method == "GET" { // the client reads back what it wrote
				io.WriteString(w, `{"id":"7","userName":"a@x.example","title":"T"}`)
				return
			}
			w.WriteHeader(204)
		}
	}))
	defer srv.Close()
	c, l := open(t, srv.URL, withBulk)
	scim.HoldBulk(c, 2)
	var createErr, updateErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		_, createErr = c.Create(context.Background(), &target.Account{Name: target.Name{Formatted: "N"}, Email: "n@x.example", Active: true})
	})
	wg.Go(func() {
		_, updateErr = c.Update(context.Background(), target.Ref{ID: "7", Version: `W/"1"`}, &target.Account{Title: "T"}, []roster.Field{roster.Title})
	})
	wg.Wait()
	kindOf(t, createErr, target.UnknownOutcome)
	if updateErr != nil || strings.Join(alone, "|") != "PATCH /Users/7 |GET /Users/7 " {
		t.Fatalf("update: %v, sent alone %q", updateErr, alone)
	}
	if calls := strings.Join(l.called(), "|"); calls != "GET /ServiceProviderConfig|GET /ResourceTypes|GET /Groups|POST /Bulk !|PATCH /Users/7|GET /Users/7" {
		t.Fatalf("calls %s", calls)
	}
}

// Against the emulator: 20 creates in one Bulk request, then 20 updates
// with their versions in another, one of them stale (refused alone).
func TestBulkEmulator(t *testing.T) {
	srv, c, l := emu(t, emulator.ProfileRFC, withBulk)
	scim.HoldBulk(c, 20)
	got, errs := createAll(c, 20)
	for i := range got {
		if errs[i] != nil || got[i].Version == "" {
			t.Fatalf("%d: %+v %v", i, got[i], errs[i])
		}
	}
	raw(t, srv, "PATCH", "/Users/"+got[5].ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"Other"}]}`)
	upd := make([]error, 20)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			_, upd[i] = c.Update(context.Background(), target.Ref{ID: got[i].ID, Version: got[i].Version}, &target.Account{Title: "Lead"}, []roster.Field{roster.Title})
		})
	}
	wg.Wait()
	for i, err := range upd {
		title := snapshotOf(t, srv, got[i].ID).Title
		if i == 5 {
			if kindOf(t, err, target.PreconditionFailed); title != "Other" {
				t.Fatalf("the stale update overwrote: %s", title)
			}
		} else if err != nil || title != "Lead" {
			t.Fatalf("%d: %v, title %q", i, err, title)
		}
	}
	if calls := strings.Join(l.called(), "|"); calls != "GET /ServiceProviderConfig|GET /ResourceTypes|POST /Bulk !|POST /Bulk !" {
		t.Fatalf("calls %s", calls)
	}
}
