package scim_test

import (
	"context"
	"encoding/json"
	"errors"
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

func snapshotOf(t *testing.T, srv *emulator.Server, id string) *emulator.Account {
	t.Helper()
	for _, a := range srv.Snapshot().Accounts {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("no account %s in the emulator", id)
	return nil
}

// A create sends the given and family names, the start date in Meta's
// extension, the enterprise fields; the account comes back as stored,
// with its version where the service has versions.
func TestCreateEmulator(t *testing.T) {
	for _, profile := range []string{emulator.ProfileRFC, emulator.ProfileMeta} {
		t.Run(profile, func(t *testing.T) {
			srv, c, l := emu(t, profile)
			ctx := context.Background()
			boss, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Boss"}, Email: "boss@acme.example", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			want := &target.Account{Name: target.Name{Formatted: "Ada Lovelace", Given: "Ada", Family: "Lovelace"},
				Email: "ada@acme.example", ExternalID: "E-1", Title: "Engineer", Locale: "en_GB", Department: "R&D",
				StartDate: "2024-03-01", AuthMethod: "sso", Manager: &target.Ref{ID: boss.ID}, Active: true}
			l.reset()
			got, err := c.Create(ctx, want)
			if err != nil {
				t.Fatal(err)
			}
			if calls := strings.Join(l.called(), "|"); calls != "POST /Users !" {
				t.Fatalf("calls %s", calls)
			}
			if got.ID == "" || got.Name != want.Name || got.Email != want.Email || got.StartDate != "2024-03-01" ||
				got.Department != "R&D" || got.Locale != "en_GB" || got.ManagerID() != boss.ID || got.AuthMethod != "sso" || !got.Active {
				t.Fatalf("answered %+v", got)
			}
			if (got.Version != "") != (profile == emulator.ProfileRFC) {
				t.Fatalf("version %q", got.Version)
			}
			s := snapshotOf(t, srv, got.ID)
			if s.GivenName != "Ada" || s.FamilyName != "Lovelace" || s.Name != "Ada Lovelace" || s.StartDate != "2024-03-01" || s.Manager != boss.ID {
				t.Fatalf("stored %+v", s)
			}
			back := account(t, c, target.Key{Kind: target.ByID, Value: got.ID})
			if back.Name != want.Name || back.StartDate != "2024-03-01" || back.Claim != target.Unclaimed || back.Invited == nil {
				t.Fatalf("read back %+v", back)
			}
			// An email-less account has its external id for userName.
			e, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Bo"}, ExternalID: "E-2", Active: true})
			if err != nil || e.UserName != "E-2" || e.Email != "" {
				t.Fatalf("email-less: %+v %v", e, err)
			}
			// A duplicate is a conflict with the service's own code: RFC's
			// scimType, or Meta's Graph-shaped code (SCIM-DIALECTS.md §12).
			_, err = c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Again"}, Email: "ADA@acme.example", Active: true})
			code := map[string]string{emulator.ProfileRFC: "uniqueness", emulator.ProfileMeta: "100/1600001"}[profile]
			if te := kindOf(t, err, target.Conflict); te.Code != code || te.Status != 409 {
				t.Fatalf("duplicate: %#v, want code %q", te, code)
			}
		})
	}
}

// patchServer answers discovery (PATCH and ETags, the enterprise and
// start-date extensions) and records each write's If-Match and body; a
// GET (the client reading back what a write answered with 204) answers
// user.
type patchServer struct {
	mu      sync.Mutex
	ifMatch []string
	bodies  []string
	answer  string // the body of a write's answer; "" for 204
	user    string // the body of a GET
}

func (p *patchServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/ServiceProviderConfig":
		io.WriteString(w, `{"patch":{"supported":true},"etag":{"supported":true},"filter":{"supported":true,"maxResults":100}}`)
		return
	case "/ResourceTypes":
		io.WriteString(w, `{"Resources":[{"name":"User","schema":"urn:ietf:params:scim:schemas:core:2.0:User","schemaExtensions":[
			{"schema":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
			{"schema":"urn:ietf:params:scim:schemas:extension:facebook:starttermdates:2.0:User"}]}]}`)
		return
	}
	if r.Method == "GET" {
		io.WriteString(w, p.user)
		return
	}
	data, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	p.ifMatch = append(p.ifMatch, r.Header.Get("If-Match"))
	p.bodies = append(p.bodies, r.Method+" "+r.URL.Path+" "+string(data))
	p.mu.Unlock()
	if p.answer == "" {
		w.WriteHeader(204)
		return
	}
	w.Header().Set("ETag", `W/"4"`)
	io.WriteString(w, p.answer)
}

// An update is one PATCH operation per attribute with a plain path:
// replace with the value, remove for a field cleared, lower-case ops,
// JSON booleans, full extension paths, one operation on userName even
// when the email and the userName both change; If-Match is the Ref's
// version. No request holds operations on both userName and active (AWS
// refuses it, SCIM-DIALECTS.md §1): a deactivation goes in a request of
// its own, after, with the version the first answered. The account
// answered comes back.
func TestUpdateOps(t *testing.T) {
	p := &patchServer{answer: `{"id":"7","userName":"new@x.example","displayName":"Ann New","name":{"formatted":"Ann New","givenName":"Ann"},
		"emails":[{"value":"new@x.example","type":"work","primary":true}],"active":false,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Ops"},
		"urn:ietf:params:scim:schemas:extension:facebook:starttermdates:2.0:User":{"startDate":1709251200}}`}
	srv := httptest.NewServer(p)
	defer srv.Close()
	c, l := open(t, srv.URL)
	to := &target.Account{Name: target.Name{Formatted: "Ann New", Given: "Ann"}, Email: "new@x.example", Active: false,
		StartDate: "2024-03-01", Department: "Ops"}
	set := []roster.Field{roster.Active, roster.Email, roster.UserName, roster.Name, roster.FirstName, roster.LastName,
		roster.Manager, roster.WorkLocale, roster.StartDate, roster.Department, roster.Active}
	got, err := c.Update(context.Background(), target.Ref{ID: "7", Version: `W/"3"`}, to, set)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Name.Formatted != "Ann New" || got.Active || got.Version != `W/"4"` {
		t.Fatalf("answered %+v", got)
	}
	want := `PATCH /Users/7 {"Operations":[` +
		`{"op":"replace","path":"displayName","value":"Ann New"},` +
		`{"op":"replace","path":"name.formatted","value":"Ann New"},` +
		`{"op":"replace","path":"name.givenName","value":"Ann"},` +
		`{"op":"remove","path":"name.familyName"},` +
		`{"op":"replace","path":"userName","value":"new@x.example"},` +
		`{"op":"replace","path":"emails","value":[{"primary":true,"type":"work","value":"new@x.example"}]},` +
		`{"op":"remove","path":"locale"},` +
		`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Ops"},` +
		`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"},` +
		`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:facebook:starttermdates:2.0:User:startDate","value":1709251200}],` +
		`"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`
	active := `PATCH /Users/7 {"Operations":[{"op":"replace","path":"active","value":false}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`
	if len(p.bodies) != 2 || p.bodies[0] != want || p.bodies[1] != active || p.ifMatch[0] != `W/"3"` || p.ifMatch[1] != `W/"4"` {
		t.Fatalf("sent %q\nwant %s\nthen %s\nIf-Match %q", p.bodies, want, active, p.ifMatch)
	}
	// Reactivation, a picture by URL: each a replace, safe to repeat; a
	// 204 answers no account, so the account is read back to check it.
	p.answer, p.bodies, p.ifMatch = "", nil, nil
	p.user = `{"id":"7","userName":"new@x.example","active":true,"phoneNumbers":[{"value":"+442079460000","type":"work","primary":true}]}`
	l.reset()
	if got, err := c.SetActive(context.Background(), target.Ref{ID: "7"}, true); got == nil || !got.Active || err != nil {
		t.Fatalf("%v %v", got, err)
	}
	if err := c.SetPicture(context.Background(), target.Ref{ID: "7"}, target.Picture{URL: "https://x.example/a.jpg"}); err != nil {
		t.Fatal(err)
	}
	if err := c.AddPhone(context.Background(), target.Ref{ID: "7"}, target.Phone{Number: "+44 20 7946 0000", Primary: true}); err != nil {
		t.Fatal(err)
	}
	if calls := strings.Join(l.called(), "|"); calls != "PATCH /Users/7|GET /Users/7|PATCH /Users/7|PATCH /Users/7 !|GET /Users/7" {
		t.Fatalf("calls %s (a photo is not read back: nothing to check)", calls)
	}
	for i, want := range []string{`{"op":"replace","path":"active","value":true}`,
		`{"op":"replace","path":"photos","value":[{"primary":true,"type":"photo","value":"https://x.example/a.jpg"}]}`,
		`{"op":"add","path":"phoneNumbers","value":[{"primary":true,"type":"work","value":"+44 20 7946 0000"}]}`} {
		if !strings.Contains(p.bodies[i], `"Operations":[`+want+`]`) {
			t.Fatalf("sent %s, want %s", p.bodies[i], want)
		}
	}
	// A number the service did not keep is not applied, with both values.
	p.user = `{"id":"7","userName":"new@x.example","active":true}`
	err = c.AddPhone(context.Background(), target.Ref{ID: "7"}, target.Phone{Number: "+1 415 555 0100"})
	var na *target.NotApplied
	if !errors.As(err, &na) || na.Field != "phone" || na.Sent != "+1 415 555 0100" || na.Kept != "" {
		t.Fatalf("%v", err)
	}
}

// A field the service cannot carry is refused before any write, never
// dropped.
func TestRefusesWhatCannotBeCarried(t *testing.T) {
	var writes int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ServiceProviderConfig":
			io.WriteString(w, `{"patch":{"supported":true},"filter":{"supported":true,"maxResults":100}}`)
		case "/ResourceTypes":
			io.WriteString(w, `{"Resources":[{"name":"User","schema":"urn:ietf:params:scim:schemas:core:2.0:User"}]}`)
		default:
			writes++
			w.WriteHeader(500)
		}
	}))
	defer srv.Close()
	c, _ := open(t, srv.URL)
	ctx := context.Background()
	r := target.Ref{ID: "7"}
	to := &target.Account{Name: target.Name{Formatted: "A"}, Email: "a@x.example", Department: "Ops", Location: "Paris"}
	yes := true
	for name, tc := range map[string]struct {
		err  error
		want string
	}{
		"department":   {second(c.Update(ctx, r, to, []roster.Field{roster.Department})), "cannot carry department: it does not know the extension urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
		"location":     {second(c.Update(ctx, r, to, []roster.Field{roster.Location})), "cannot carry location"},
		"frontline":    {second(c.Update(ctx, r, to, []roster.Field{roster.IsFrontline})), "cannot carry is_frontline"},
		"invited":      {second(c.Update(ctx, r, to, []roster.Field{roster.Invited})), "cannot carry invited"},
		"clear name":   {second(c.Update(ctx, r, &target.Account{Email: "a@x.example"}, []roster.Field{roster.Name})), "name cannot be cleared"},
		"create loc":   {second(c.Create(ctx, &target.Account{Name: to.Name, Email: to.Email, Location: "Paris"})), "cannot carry location"},
		"create dept":  {second(c.Create(ctx, &target.Account{Name: to.Name, Email: to.Email, Department: "Ops"})), "cannot carry department"},
		"create front": {second(c.Create(ctx, &target.Account{Name: to.Name, Email: to.Email, Frontline: &target.Frontline{IsFrontline: true}})), "cannot carry is_frontline"},
		"create invit": {second(c.Create(ctx, &target.Account{Name: to.Name, Email: to.Email, Invited: &yes})), "cannot carry invited"},
		"no userName":  {second(c.Create(ctx, &target.Account{Name: to.Name})), "needs a userName"},
		"erase":        {c.Remove(ctx, r, target.RemoveErase), "erasure is Workplace's; a SCIM service has none"},
		"picture file": {c.SetPicture(ctx, r, target.Picture{Name: "a.jpg", Data: []byte{1}}), "by URL only"},
	} {
		if te := target.As(tc.err); te == nil || te.Kind != target.Invalid || !strings.Contains(te.Message, tc.want) {
			t.Errorf("%s: %v", name, tc.err)
		}
	}
	if writes != 0 {
		t.Fatalf("%d requests reached the service", writes)
	}
}

func second[T any](_ T, err error) error { return err }

// A service without PATCH is updated by GET, change, PUT with If-Match:
// the Ref's version where given, else the one just read.
func TestNoPatchUsesPut(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	user := map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": "7", "userName": "a@x.example",
		"title": "Old", "meta": map[string]any{"version": `W/"1"`}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("If-Match"))
		switch {
		case r.URL.Path == "/ServiceProviderConfig":
			io.WriteString(w, `{"patch":{"supported":false},"etag":{"supported":true},"filter":{"supported":true}}`)
		case r.URL.Path == "/ResourceTypes":
			io.WriteString(w, `{"Resources":[{"name":"User","schemaExtensions":[{"schema":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}]}]}`)
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
	c, l := open(t, srv.URL)
	got, err := c.Update(context.Background(), target.Ref{ID: "7"}, &target.Account{Title: "New", Department: "Ops"},
		[]roster.Field{roster.Title, roster.Department})
	if err != nil {
		t.Fatal(err)
	}
	ent, _ := user["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
	if user["title"] != "New" || user["userName"] != "a@x.example" || ent["department"] != "Ops" ||
		!strings.Contains(jsonText(user["schemas"]), "enterprise") || got.Version != `W/"2"` {
		t.Fatalf("PUT body %v, answered %+v", user, got)
	}
	if _, err := c.SetActive(context.Background(), target.Ref{ID: "7", Version: `W/"0"`}, false); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(seen[2:], "|"); got != `GET /Users/7 |PUT /Users/7 W/"1"|GET /Users/7 |PUT /Users/7 W/"0"` {
		t.Fatalf("calls %s", got)
	}
	if calls := strings.Join(l.called()[2:], "|"); calls != "GET /Users/7|PUT /Users/7|GET /Users/7|PUT /Users/7" {
		t.Fatalf("calls %s (a PUT of absolute values is safe to repeat)", calls)
	}
}

func jsonText(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}
