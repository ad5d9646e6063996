package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/target"
)

// Groups against the emulator: made empty, found by name ignoring case,
// filled and emptied in requests of at most 100 changes, listed with
// their members, deleted.
func TestGroupsEmulator(t *testing.T) {
	_, c, l := emu(t, emulator.ProfileRFC)
	ctx := context.Background()
	var ids []string
	for i := range 120 {
		a, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: fmt.Sprint("P", i)}, Email: fmt.Sprintf("p%d@acme.example", i), Active: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	l.reset()
	g, err := c.CreateGroup(ctx, "Night Shift")
	if err != nil || g.ID == "" {
		t.Fatalf("%+v %v", g, err)
	}
	found, err := c.FindGroup(ctx, "night shift")
	if err != nil || found == nil || found.ID != g.ID || found.Name != "Night Shift" {
		t.Fatalf("%+v %v", found, err)
	}
	if none, err := c.FindGroup(ctx, "Day Shift"); none != nil || err != nil {
		t.Fatalf("%+v %v", none, err)
	}
	if err := c.ChangeMembers(ctx, g, ids, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.ChangeMembers(ctx, g, ids[:1], ids[100:]); err != nil { // adding one already there changes nothing
		t.Fatal(err)
	}
	groups, err := c.ListGroups(ctx)
	if err != nil || len(groups) != 1 || len(groups[0].Members) != 100 || !groups[0].MembersKnown || slices.Contains(groups[0].Members, ids[100]) {
		t.Fatalf("%+v %v", groups, err)
	}
	if err := c.DeleteGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	if groups, err := c.ListGroups(ctx); err != nil || len(groups) != 0 {
		t.Fatalf("after delete: %+v %v", groups, err)
	}
	// A FindGroup that misses confirms the miss from the listing (a
	// server may match displayName by case). The listing of one group is
	// confirmed by asking the next page: a first page whose totalResults
	// is its own size may be all a service shows (AWS without a cursor,
	// SCIM-DIALECTS.md §1).
	want := []string{"POST /Groups !", "GET /Groups", "GET /Groups", "GET /Groups", "GET /Groups", "PATCH /Groups/" + g.ID, "PATCH /Groups/" + g.ID,
		"PATCH /Groups/" + g.ID, "PATCH /Groups/" + g.ID, "GET /Groups", "GET /Groups", "DELETE /Groups/" + g.ID + " !", "GET /Groups"}
	if got := l.called(); !slices.Equal(got, want) {
		t.Fatalf("calls %v", got)
	}
}

// A member is removed by a value filter, its id escaped as a JSON string;
// two groups of one name are an error naming both.
func TestGroupsWire(t *testing.T) {
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case "PATCH":
			data, _ := io.ReadAll(r.Body)
			bodies = append(bodies, string(data))
			w.WriteHeader(204)
		case "GET":
			json.NewEncoder(w).Encode(map[string]any{"totalResults": 2, "Resources": []any{
				map[string]any{"id": "g1", "displayName": "Ops"}, map[string]any{"id": "g2", "displayName": "OPS"}}})
		}
	}))
	defer srv.Close()
	c, _ := open(t, srv.URL)
	if err := c.ChangeMembers(context.Background(), target.Ref{ID: "g1"}, nil, []string{`a"b`, "c"}); err != nil {
		t.Fatal(err)
	}
	if want := `"Operations":[{"op":"remove","path":"members[value eq \"a\\\"b\"]"},{"op":"remove","path":"members[value eq \"c\"]"}]`; len(bodies) != 1 || !strings.Contains(bodies[0], want) {
		t.Fatalf("sent %v, want %s", bodies, want)
	}
	_, err := c.FindGroup(context.Background(), "ops")
	if te := kindOf(t, err, target.Invalid); !strings.Contains(te.Message, `2 groups are named "ops" (ids g1 and g2)`) {
		t.Fatalf("%v", err)
	}
}
