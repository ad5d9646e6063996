package graph_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/testkit"
)

// Usage is the largest figure of the last X-App-Usage header, and a
// throttled answer shows 100.
func TestUsageHeader(t *testing.T) {
	c, _ := open(t, serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-App-Usage", `{"call_count":12,"total_time":37,"total_cputime":5}`)
		fmt.Fprint(w, `{"success":true}`)
	}), secret)
	if _, err := c.SetActive(t.Context(), target.Ref{ID: "1"}, true); err != nil {
		t.Fatal(err)
	}
	if c.Usage() != 37 {
		t.Errorf("usage = %d, want 37 (the largest figure)", c.Usage())
	}
	e, srv, _ := setup(t, emulator.Config{Rate: 1, Burst: 1})
	e.SetActive(t.Context(), target.Ref{ID: "1"}, true)
	_, err := e.SetActive(t.Context(), target.Ref{ID: "1"}, true)
	if !target.IsThrottled(err) || e.Usage() != 100 || srv.Stats().Throttled != 1 {
		t.Errorf("throttled: %v, usage %d, stats %+v; want throttled and usage 100", err, e.Usage(), srv.Stats())
	}
}

// ?ids= reads 50 ids a call, and its Call weighs one per id.
func TestIDsWeight(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	base, w := proxy(t, srv.URL())
	c, rec := open(t, base, srv.Token())
	var keys []target.Key
	for i := range 60 {
		id := create(t, c, target.Account{Name: target.Name{Formatted: fmt.Sprint("P", i)}, Email: fmt.Sprintf("p%d@acme.example", i), Active: true})
		keys = append(keys, byID(id))
	}
	before := len(rec.all())
	w.reset()
	m, err := c.Find(t.Context(), keys)
	if err != nil || len(m) != 60 {
		t.Fatalf("Find 60 ids: %d found, %v", len(m), err)
	}
	var weights []int
	for _, call := range rec.all()[before:] {
		weights = append(weights, call.Weight)
		if call.Method != "GET" || call.Path != "/" || !call.Idempotent {
			t.Errorf("call %+v, want an idempotent GET /", call)
		}
	}
	if !slices.Equal(weights, []int{50, 10}) {
		t.Errorf("weights %v, want [50 10]", weights)
	}
	for _, s := range w.all() {
		if n := len(strings.Split(s.Query.Get("ids"), ",")); n > 50 {
			t.Errorf("a call carried %d ids", n)
		}
	}
}

// external_ids sees only active members: the ids it does not find are
// looked for once in the deactivated listing.
func TestExternalIDsFindDeactivated(t *testing.T) {
	c, _, w := setup(t, emulator.Config{})
	on := create(t, c, target.Account{Name: target.Name{Formatted: "On"}, ExternalID: "E1", Email: "on@acme.example", Active: true})
	off := create(t, c, target.Account{Name: target.Name{Formatted: "Off"}, ExternalID: "E2", Email: "off@acme.example", Active: true})
	if _, err := c.SetActive(t.Context(), target.Ref{ID: off}, false); err != nil {
		t.Fatal(err)
	}
	w.reset()
	keys := []target.Key{{Kind: target.ByExternalID, Value: "E1"}, {Kind: target.ByExternalID, Value: "E2"}, {Kind: target.ByExternalID, Value: "E9"}}
	m, err := c.Find(t.Context(), keys)
	if err != nil {
		t.Fatal(err)
	}
	if m[keys[0]] == nil || m[keys[0]].ID != on || !m[keys[0]].Active || m[keys[1]] == nil || m[keys[1]].ID != off || m[keys[1]].Active || m[keys[2]] != nil {
		t.Errorf("found %v, want E1 active, E2 deactivated, E9 absent", m)
	}
	var paths []string
	for _, s := range w.all() {
		paths = append(paths, s.Path+"?external_ids="+s.Query.Get("external_ids")+"&inactive="+s.Query.Get("inactive"))
	}
	want := []string{"/community/members?external_ids=E1,E2,E9&inactive=", "/community/organization_members?external_ids=&inactive=1"}
	if !slices.Equal(paths, want) {
		t.Errorf("calls on the wire %q, want %q", paths, want)
	}
}

// An Update that reactivates sends active=true first and the manager in a
// second call: Workplace clears the manager on reactivation.
func TestReactivationSetsManagerSecond(t *testing.T) {
	c, _, w := setup(t, emulator.Config{})
	boss := create(t, c, target.Account{Name: target.Name{Formatted: "Boss"}, Email: "boss@acme.example", Active: true})
	id := create(t, c, target.Account{Name: target.Name{Formatted: "Em"}, Email: "em@acme.example", Active: true, Manager: &target.Ref{ID: boss}})
	if _, err := c.SetActive(t.Context(), target.Ref{ID: id}, false); err != nil {
		t.Fatal(err)
	}
	w.reset()
	to := &target.Account{Active: true, Manager: &target.Ref{ID: boss}, Title: "Back"}
	if _, err := c.Update(t.Context(), target.Ref{ID: id}, to, []roster.Field{roster.Active, roster.Manager, roster.Title}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range w.all() {
		got = append(got, s.Method+" "+s.Path+" "+s.Form.Encode())
	}
	want := []string{"POST /" + id + " active=true&title=Back", "POST /" + id + " manager=" + boss}
	if !slices.Equal(got, want) {
		t.Errorf("on the wire %q, want %q", got, want)
	}
	if a := find(t, c, byID(id)); a == nil || !a.Active || a.ManagerID() != boss || a.Title != "Back" {
		t.Errorf("after the update: %+v", a)
	}
	// Deactivating with a manager change is one call.
	w.reset()
	to = &target.Account{Active: false, Manager: nil}
	if _, err := c.Update(t.Context(), target.Ref{ID: id}, to, []roster.Field{roster.Active, roster.Manager}); err != nil {
		t.Fatal(err)
	}
	if got := w.all(); len(got) != 1 || got[0].Form.Encode() != "active=false&manager=" {
		t.Errorf("deactivation on the wire: %+v, want one call active=false&manager=", got)
	}
}

// Frontline status goes as Graph's JSON object, and reads back.
func TestFrontlineJSON(t *testing.T) {
	c, _, w := setup(t, emulator.Config{})
	id := create(t, c, target.Account{Name: target.Name{Formatted: "Em"}, Email: "em@acme.example", Active: true,
		Frontline: &target.Frontline{IsFrontline: true}})
	if f := w.all()[0].Form.Get("frontline"); f != `{"is_frontline":true,"has_access":false}` {
		t.Errorf("create sent frontline=%s", f)
	}
	w.reset()
	to := &target.Account{Frontline: &target.Frontline{IsFrontline: true, HasAccess: true}}
	if _, err := c.Update(t.Context(), target.Ref{ID: id}, to, []roster.Field{roster.HasAccess}); err != nil {
		t.Fatal(err)
	}
	if f := w.all()[0].Form.Get("frontline"); f != `{"is_frontline":true,"has_access":true}` {
		t.Errorf("update sent frontline=%s", f)
	}
	if a := find(t, c, byID(id)); a.Frontline == nil || !a.Frontline.IsFrontline || !a.Frontline.HasAccess {
		t.Errorf("frontline reads back %+v", a.Frontline)
	}
}

// A picture goes as a URL, or a file uploaded as multipart image_data;
// the service refuses what is not a jpg or png.
func TestPictures(t *testing.T) {
	c, srv, w := setup(t, emulator.Config{})
	id := create(t, c, target.Account{Name: target.Name{Formatted: "Em"}, Email: "em@acme.example", Active: true})
	ref := target.Ref{ID: id}
	w.reset()
	if err := c.SetPicture(t.Context(), ref, target.Picture{Name: "em.png", Data: []byte("\x89PNG\r\n\x1a\nrest")}); err != nil {
		t.Fatal(err)
	}
	if s := w.all()[0]; s.Path != "/"+id+"/profile_pictures" || !strings.HasPrefix(s.Header.Get("Content-Type"), "multipart/form-data; boundary=") {
		t.Errorf("upload on the wire: %s %s", s.Path, s.Header.Get("Content-Type"))
	}
	if p := srv.Snapshot().Accounts[0].Picture; p != "upload:em.png" {
		t.Errorf("picture = %q after the upload", p)
	}
	err := c.SetPicture(t.Context(), ref, target.Picture{Name: "em.png", Data: []byte("not an image")})
	if te := target.As(err); te == nil || te.Kind != target.Invalid || !strings.Contains(te.Message, "jpg or png") {
		t.Errorf("fake png: %v", err)
	}
	if err := c.SetPicture(t.Context(), ref, target.Picture{URL: "https://cdn.acme.example/em.jpg"}); err != nil {
		t.Fatal(err)
	}
	if p := srv.Snapshot().Accounts[0].Picture; p != "https://cdn.acme.example/em.jpg" {
		t.Errorf("picture = %q after the URL", p)
	}
	err = c.SetPicture(t.Context(), ref, target.Picture{URL: "https://cdn.acme.example/em.gif"})
	if te := target.As(err); te == nil || te.Kind != target.Invalid {
		t.Errorf("gif URL: %v", err)
	}
}

// The target asks only for fields the Member node documents (Graph
// answers any other with error 100, and so does the emulator).
func TestFieldsAreDocumented(t *testing.T) {
	c, srv, w := setup(t, emulator.Config{})
	id := create(t, c, target.Account{Name: target.Name{Formatted: "Em"}, Email: "em@acme.example", ExternalID: "E1", Active: true})
	find(t, c, byID(id))
	find(t, c, target.Key{Kind: target.ByExternalID, Value: "E1"})
	if _, err := listAll(t, c); err != nil {
		t.Fatal(err)
	}
	asked := 0
	for _, s := range w.all() {
		if s.Method != "GET" {
			continue
		}
		fields := s.Query.Get("fields")
		asked++
		for _, f := range strings.Split(strings.NewReplacer("{", ",", "}", "").Replace(fields), ",") {
			if !slices.Contains(emulator.MemberFields, f) {
				t.Errorf("%s asks for %q, which the Member node does not have (fields=%s)", s.Path, f, fields)
			}
		}
	}
	if asked < 3 {
		t.Errorf("%d reads seen on the wire, want at least 3", asked)
	}
	// The check has teeth: the emulator refuses a field the node lacks.
	req, _ := http.NewRequest("GET", srv.URL()+"/"+id+"?fields=name,location", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "Tried accessing nonexisting field (location)") {
		t.Errorf("fields=location: %d %s, want error 100", resp.StatusCode, body)
	}
}

// ManagerKey names the manager by email, else by external id (an
// email-less manager).
func TestManagerKey(t *testing.T) {
	c, _, _ := setup(t, emulator.Config{})
	for _, boss := range []target.Account{
		{Name: target.Name{Formatted: "Boss"}, Email: "boss@acme.example", ExternalID: "B1", Active: true},
		{Name: target.Name{Formatted: "Floor boss"}, ExternalID: "B2", Active: true},
	} {
		id := create(t, c, boss)
		em := create(t, c, target.Account{Name: target.Name{Formatted: "Em " + boss.ExternalID}, ExternalID: "R-" + boss.ExternalID, Active: true, Manager: &target.Ref{ID: id}})
		want := boss.Email
		if want == "" {
			want = boss.ExternalID
		}
		if a := find(t, c, byID(em)); a.ManagerID() != id || a.ManagerKey != want {
			t.Errorf("manager %s, key %q; want %s, %q", a.ManagerID(), a.ManagerKey, id, want)
		}
	}
}
