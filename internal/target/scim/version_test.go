package scim_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// The version the caller read goes as If-Match: a change made since, even
// to an attribute wpimport does not compare, fails the write with a
// precondition error and nothing is overwritten.
func TestIfMatchFromRef(t *testing.T) {
	srv, c, _ := emu(t, emulator.ProfileRFC)
	ctx := context.Background()
	a, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Ann"}, Email: "ann@acme.example", Title: "Engineer", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	read := account(t, c, target.Key{Kind: target.ByEmail, Value: "ann@acme.example"})
	if read.Version == "" || read.Version != a.Version {
		t.Fatalf("versions: created %q, read %q", a.Version, read.Version)
	}
	raw(t, srv, "PATCH", "/Users/"+a.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+
		`{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"99"}]}`)
	stale := target.Ref{ID: a.ID, Version: read.Version}
	_, err = c.Update(ctx, stale, &target.Account{Title: "Chief"}, []roster.Field{roster.Title})
	if te := kindOf(t, err, target.PreconditionFailed); te.Status != 412 || te.Code != "invalidVers" {
		t.Fatalf("%#v", te)
	}
	if s := snapshotOf(t, srv, a.ID); s.Title != "Engineer" {
		t.Fatalf("the title was overwritten despite the change: %s", s.Title)
	}
	kindOf(t, c.Remove(ctx, stale, target.RemoveDelete), target.PreconditionFailed)
	// With the version as it is now, the write goes through and answers
	// the next version.
	now := account(t, c, target.Key{Kind: target.ByID, Value: a.ID})
	got, err := c.Update(ctx, target.Ref{ID: a.ID, Version: now.Version}, &target.Account{Title: "Chief"}, []roster.Field{roster.Title})
	if err != nil || got.Title != "Chief" || got.Version == now.Version || got.Version == "" {
		t.Fatalf("%+v %v", got, err)
	}
	if err := c.Remove(ctx, target.Ref{ID: a.ID, Version: got.Version}, target.RemoveDelete); err != nil {
		t.Fatal(err)
	}
	if found, err := c.Find(ctx, []target.Key{{Kind: target.ByID, Value: a.ID}}); err != nil || len(found) != 0 {
		t.Fatalf("after delete: %v %v", found, err)
	}
}

// A PATCH safe to repeat whose answer was lost is repeated by the layer
// without the If-Match it first carried: the lost attempt may have taken
// effect, and our own change would refuse the repeat.
func TestLostPatchRepeatedWithoutIfMatch(t *testing.T) {
	var mu sync.Mutex
	var ifMatch []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ServiceProviderConfig":
			io.WriteString(w, `{"patch":{"supported":true},"etag":{"supported":true}}`)
			return
		case "/ResourceTypes", "/Groups":
			w.WriteHeader(404)
			return
		}
		if r.Method == "GET" { // the client reads back what it wrote (the PATCH answered 204)
			io.WriteString(w, `{"id":"7","userName":"a@x.example","title":"New"}`)
			return
		}
		mu.Lock()
		ifMatch = append(ifMatch, r.Header.Get("If-Match"))
		n := len(ifMatch)
		mu.Unlock()
		if n == 1 { // the first answer is lost
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		w.WriteHeader(204)
	}))
	defer srv.Close()
	c, l := open(t, srv.URL)
	if _, err := c.Update(context.Background(), target.Ref{ID: "7", Version: `W/"1"`}, &target.Account{Title: "New"}, []roster.Field{roster.Title}); err != nil {
		t.Fatal(err)
	}
	// 2 discovery and a GET /Groups (no /ResourceTypes), 2 PATCH attempts, the GET that checks the title
	if strings.Join(ifMatch, "|") != `W/"1"|` || l.tries != 6 {
		t.Fatalf("If-Match sent %q in %d attempts", ifMatch, l.tries)
	}
}

// The same against the emulator, which commits the first PATCH and drops
// its answer: the repeat succeeds. An add of a phone is not repeated: its
// outcome is left unknown for the caller to resolve by reading.
func TestLostWritesEmulator(t *testing.T) {
	srv, c, l := emu(t, emulator.ProfileRFC)
	ctx := context.Background()
	a, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Ann"}, Email: "ann@acme.example", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	l.between = func() { srv.SetFaults(0, 0) }
	srv.SetFaults(0, 1)
	l.reset()
	if _, err := c.Update(ctx, target.Ref{ID: a.ID, Version: a.Version}, &target.Account{Title: "Chief"}, []roster.Field{roster.Title}); err != nil {
		t.Fatal(err)
	}
	if l.tries != 2 || snapshotOf(t, srv, a.ID).Title != "Chief" {
		t.Fatalf("%d attempts, title %q", l.tries, snapshotOf(t, srv, a.ID).Title)
	}
	srv.SetFaults(0, 1)
	l.reset()
	err = c.AddPhone(ctx, target.Ref{ID: a.ID}, target.Phone{Number: "+44 20 7946 0000", Primary: true})
	kindOf(t, err, target.UnknownOutcome)
	if l.tries != 1 || len(snapshotOf(t, srv, a.ID).Phones) != 1 {
		t.Fatalf("%d attempts, phones %+v", l.tries, snapshotOf(t, srv, a.ID).Phones)
	}
	srv.SetFaults(0, 0)
	// The lost create likewise: one attempt, an unknown outcome, the
	// account made once.
	srv.SetFaults(0, 1)
	l.reset()
	_, err = c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Bo"}, Email: "bo@acme.example", Active: true})
	kindOf(t, err, target.UnknownOutcome)
	srv.SetFaults(0, 0)
	if l.tries != 1 || account(t, c, target.Key{Kind: target.ByEmail, Value: "bo@acme.example"}).ID == "" {
		t.Fatalf("%d attempts", l.tries)
	}
}
