package workplace_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/testkit"
	"github.com/wpimport/wpimport/internal/workplace"
)

// setup starts an emulator on loopback and a client for it.
func setup(t *testing.T, cfg emulator.Config) (*workplace.Client, *emulator.Server) {
	t.Helper()
	srv := testkit.Emulator(t, cfg)
	c, err := workplace.New(workplace.Config{BaseURL: srv.URL(), Token: srv.Token(), UserAgent: "wpimport/test"})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

var ctx = context.Background()

func TestCreateGetUpdate(t *testing.T) {
	c, _ := setup(t, emulator.Config{})
	boss, err := c.CreateAccount(ctx, workplace.Fields{"name": "Ada Lovelace", "email": "ada@acme.example", "external_id": "E1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(boss) < 15 {
		t.Errorf("id %q is not a 15+ digit id", boss)
	}
	id, err := c.CreateAccount(ctx, workplace.Fields{"name": "Alan Turing", "email": "alan@acme.example", "external_id": "E2",
		"title": "Engineer", "manager": boss, "work_locale": "en_GB", "auth_method": "sso"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.GetMember(ctx, "ALAN@acme.example", nil) // by email, any case
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != id || a.Title != "Engineer" || a.Manager() != boss || a.WorkLocale != "en_GB" || !a.IsActive() {
		t.Errorf("member = %+v", a)
	}
	if err := c.UpdateAccount(ctx, id, workplace.Fields{"title": "Principal", "department": ""}); err != nil {
		t.Fatal(err)
	}
	a, _ = c.GetMember(ctx, id, nil)
	if a.Title != "Principal" || a.Department != "" || a.Name != "Alan Turing" {
		t.Errorf("after update: %+v", a)
	}
}

func TestServiceRules(t *testing.T) {
	c, _ := setup(t, emulator.Config{})
	id, _ := c.CreateAccount(ctx, workplace.Fields{"name": "Ada", "email": "ada@acme.example", "external_id": "E1"})
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"duplicate email any case", func() error {
			_, err := c.CreateAccount(ctx, workplace.Fields{"name": "X", "email": "ADA@acme.example"})
			return err
		}, "already exists"},
		{"duplicate external_id", func() error {
			_, err := c.CreateAccount(ctx, workplace.Fields{"name": "X", "external_id": "E1"})
			return err
		}, "already exists"},
		{"empty name", func() error {
			_, err := c.CreateAccount(ctx, workplace.Fields{"name": " ", "email": "b@acme.example"})
			return err
		}, "name is required"},
		{"clear name", func() error { return c.UpdateAccount(ctx, id, workplace.Fields{"name": ""}) }, "cannot be empty"},
		{"clear email", func() error { return c.UpdateAccount(ctx, id, workplace.Fields{"email": ""}) }, "cannot be cleared"},
		{"unknown manager", func() error { return c.UpdateAccount(ctx, id, workplace.Fields{"manager": "999999999999999"}) }, "does not exist"},
		{"bad locale", func() error { return c.UpdateAccount(ctx, id, workplace.Fields{"work_locale": "english"}) }, "work_locale"},
		{"erase active", func() error { return c.RemoveProfileInformation(ctx, id) }, "deactivate it first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !workplace.IsInvalidParameter(err) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want invalid parameter %q", err, tt.want)
			}
			if workplace.IsTransient(err) || workplace.IsFatal(err) {
				t.Errorf("%v classed as transient or fatal", err)
			}
		})
	}
	// The duplicate is still refused once the first account is deactivated.
	c.SetActive(ctx, id, false)
	if _, err := c.CreateAccount(ctx, workplace.Fields{"name": "X", "email": "ada@acme.example"}); !workplace.IsInvalidParameter(err) {
		t.Errorf("duplicate of a deactivated account: %v", err)
	}
}

func TestDeactivateReactivateClearsManager(t *testing.T) {
	c, _ := setup(t, emulator.Config{})
	boss, _ := c.CreateAccount(ctx, workplace.Fields{"name": "Boss", "email": "boss@acme.example"})
	id, _ := c.CreateAccount(ctx, workplace.Fields{"name": "Em", "email": "em@acme.example", "manager": boss})
	if err := c.SetActive(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	var inactive []workplace.Account
	c.ListDeactivated(ctx, workplace.ListOptions{}, func(p []workplace.Account) error { inactive = append(inactive, p...); return nil })
	if len(inactive) != 1 || inactive[0].ID != id || inactive[0].IsActive() {
		t.Fatalf("deactivated list = %+v", inactive)
	}
	if err := c.SetActive(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	a, _ := c.GetMember(ctx, id, nil)
	if !a.IsActive() || a.Manager() != "" {
		t.Errorf("after reactivation: active %v manager %q (Workplace clears it)", a.IsActive(), a.Manager())
	}
}

func TestPhonesFrontlinePictures(t *testing.T) {
	c, _ := setup(t, emulator.Config{})
	id, _ := c.CreateAccount(ctx, workplace.Fields{"name": "Em", "email": "em@acme.example"})
	if err := c.AddPhone(ctx, id, "+44-7236-123459", "work", true); err != nil {
		t.Fatal(err)
	}
	if err := c.AddPhone(ctx, id, "7236", "work", true); !workplace.IsInvalidParameter(err) {
		t.Errorf("bad phone: %v", err)
	}
	if err := c.SetFrontline(ctx, id, workplace.Frontline{IsFrontline: true, HasAccess: true}); err != nil {
		t.Fatal(err)
	}
	a, _ := c.GetMember(ctx, id, nil)
	if a.PrimaryPhone != "+44-7236-123459" || a.Frontline == nil || !a.Frontline.IsFrontline || !a.Frontline.HasAccess {
		t.Errorf("member = %+v", a)
	}
	if err := c.SetPictureURL(ctx, id, "https://cdn.acme.example/em.png"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetPictureURL(ctx, id, "https://cdn.acme.example/em.gif"); !workplace.IsInvalidParameter(err) {
		t.Errorf("gif picture: %v", err)
	}
	if err := c.UploadPicture(ctx, id, "em.png", []byte("\x89PNG\r\n\x1a\nrest")); err != nil {
		t.Fatal(err)
	}
	if err := c.UploadPicture(ctx, id, "em.png", []byte("not an image")); !workplace.IsInvalidParameter(err) {
		t.Errorf("fake png upload: %v", err)
	}
}

func TestDeleteAndErase(t *testing.T) {
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	c, srv := setup(t, emulator.Config{Now: func() time.Time { return now }, State: &emulator.State{Accounts: []*emulator.Account{
		{ID: "100000000000101", Name: "Claimed", Email: "c@acme.example", Active: true, Claimed: true},
		{ID: "100000000000102", Name: "Unclaimed", Email: "u@acme.example", Active: true},
		{ID: "100000000000103", Name: "Gone", Email: "g@acme.example", Active: false, DeactivateAt: now.Add(-5 * 24 * time.Hour)},
		{ID: "100000000000104", Name: "Recent", Email: "r@acme.example", Active: false, DeactivateAt: now.Add(-2 * 24 * time.Hour)},
	}}})
	if err := c.DeleteAccount(ctx, "100000000000101"); !workplace.IsInvalidParameter(err) || !strings.Contains(err.Error(), "claimed") {
		t.Errorf("delete claimed: %v", err)
	}
	if err := c.DeleteAccount(ctx, "100000000000102"); err != nil {
		t.Errorf("delete unclaimed: %v", err)
	}
	if _, err := c.GetMember(ctx, "100000000000102", nil); !workplace.IsNotFound(err) {
		t.Errorf("deleted account still found: %v", err)
	}
	if err := c.RemoveProfileInformation(ctx, "100000000000103"); err != nil {
		t.Errorf("erase after 5 days: %v", err)
	}
	err := c.RemoveProfileInformation(ctx, "100000000000104")
	if !workplace.IsInvalidParameter(err) || !strings.Contains(err.Error(), "2026-01-12T12:00:00Z") {
		t.Errorf("erase after 2 days: %v (want the date it becomes possible)", err)
	}
	st := srv.Snapshot()
	for _, a := range st.Accounts {
		if a.ID == "100000000000103" && (a.Email != "" || !a.Erased) {
			t.Errorf("erased account keeps data: %+v", a)
		}
	}
}

func TestPaging(t *testing.T) {
	c, srv := setup(t, emulator.Config{PageCap: 7})
	for i := 0; i < 30; i++ {
		if _, err := c.CreateAccount(ctx, workplace.Fields{"name": fmt.Sprint("P", i), "external_id": fmt.Sprint("E", i)}); err != nil {
			t.Fatal(err)
		}
	}
	srv.ResetStats()
	var got []string
	pages := 0
	err := c.ListMembers(ctx, workplace.ListOptions{Limit: 50}, func(p []workplace.Account) error {
		pages++
		if len(p) > 7 {
			t.Errorf("page of %d over the cap", len(p))
		}
		for _, a := range p {
			got = append(got, a.ExternalID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 30 || got[0] != "E0" || got[29] != "E29" || pages != 5 {
		t.Errorf("got %d accounts in %d pages", len(got), pages)
	}
	if st := srv.Stats(); st.ByRoute["GET /community/members"] != 5 {
		t.Errorf("stats = %+v", st.ByRoute)
	}
	found, err := c.LookupExternalIDs(ctx, []string{"E1", "E5", "E29", "nope"}, nil, 2)
	if err != nil || len(found) != 3 {
		t.Errorf("lookup = %d accounts, %v", len(found), err)
	}
	var ids []string
	for _, a := range found {
		ids = append(ids, a.ID)
	}
	many, err := c.GetMany(ctx, append(ids, "P0@nowhere.example"), nil)
	if err != nil || len(many) != 3 {
		t.Errorf("GetMany = %d, %v", len(many), err)
	}
}

func TestErrorClasses(t *testing.T) {
	t.Run("bad token", func(t *testing.T) {
		_, srv := setup(t, emulator.Config{})
		c, _ := workplace.New(workplace.Config{BaseURL: srv.URL(), Token: "wrong-secret-token"})
		_, err := c.GetMember(ctx, "x@acme.example", nil)
		if !workplace.IsFatal(err) || workplace.ErrorCode(err) != 190 {
			t.Fatalf("err = %v, want fatal 190", err)
		}
		if strings.Contains(err.Error(), "wrong-secret-token") {
			t.Error("the token leaked into the error")
		}
	})
	t.Run("throttled", func(t *testing.T) {
		c, srv := setup(t, emulator.Config{Rate: 1, Burst: 1, RetryAfter: 2 * time.Second})
		c.GetMember(ctx, "a@acme.example", nil)
		_, err := c.GetMember(ctx, "a@acme.example", nil)
		var ae *workplace.APIError
		if !workplace.IsThrottle(err) || !workplace.IsTransient(err) || !errors.As(err, &ae) || ae.RetryAfter != 2*time.Second {
			t.Fatalf("err = %#v, want a throttle with Retry-After 2s", err)
		}
		if c.Usage() != 100 {
			t.Errorf("usage = %d after a throttle, want 100", c.Usage())
		}
		if srv.Stats().Throttled != 1 {
			t.Errorf("stats = %+v", srv.Stats())
		}
	})
	t.Run("server fault", func(t *testing.T) {
		c, _ := setup(t, emulator.Config{FailRate: 1})
		_, err := c.CreateAccount(ctx, workplace.Fields{"name": "A", "email": "a@acme.example"})
		if !workplace.IsTransient(err) || !workplace.IsUnknownOutcome(err) || workplace.ErrorCode(err) != 2 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("lost response", func(t *testing.T) {
		c, srv := setup(t, emulator.Config{DropRate: 1})
		_, err := c.CreateAccount(ctx, workplace.Fields{"name": "A", "email": "a@acme.example"})
		var te *workplace.TransportError
		if !errors.As(err, &te) || !workplace.IsUnknownOutcome(err) {
			t.Fatalf("err = %v, want a transport error", err)
		}
		if n := len(srv.Snapshot().Accounts); n != 1 {
			t.Errorf("the write was not committed: %d accounts", n)
		}
	})
	t.Run("not found", func(t *testing.T) {
		c, _ := setup(t, emulator.Config{})
		_, err := c.GetMember(ctx, "nobody@acme.example", nil)
		if !workplace.IsNotFound(err) || workplace.IsInvalidParameter(err) {
			t.Fatalf("err = %v", err)
		}
	})
	for _, tt := range []struct {
		name, ctype, body string
		status            int
		want              string
	}{
		{"html 502", "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>", 502, "HTTP 502, text/html): <html><body><h1>502 Bad Gateway"},
		{"empty 200", "application/json", "", 200, "empty body"},
		{"429 no body", "text/plain", "", 429, "HTTP 429"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer hs.Close()
			c, _ := workplace.New(workplace.Config{BaseURL: hs.URL, Token: "t"})
			_, err := c.GetMember(ctx, "a@acme.example", nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if tt.status >= 429 && !workplace.IsTransient(err) {
				t.Errorf("%v not transient", err)
			}
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		hs := httptest.NewServer(http.NotFoundHandler())
		url := hs.URL
		hs.Close()
		c, _ := workplace.New(workplace.Config{BaseURL: url, Token: "t"})
		_, err := c.GetMember(ctx, "a@acme.example", nil)
		var te *workplace.TransportError
		if !errors.As(err, &te) || !workplace.IsTransient(err) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestConfig(t *testing.T) {
	tests := []struct {
		url, token, want string
	}{
		{"http://example.com", "t", "plain http is allowed only for loopback"},
		{"http://10.0.0.1:8990", "t", "plain http is allowed only for loopback"},
		{"ftp://x", "t", "scheme must be https"},
		{"https://user:pw@graph.facebook.com", "t", "must not carry credentials"},
		{"http://127.0.0.1:8990", "", "no access token"},
		{"http://[::1]:8990", "t", ""},
		{"http://localhost:8990", "t", ""},
		{"", "t", ""},
	}
	for _, tt := range tests {
		_, err := workplace.New(workplace.Config{BaseURL: tt.url, Token: tt.token})
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("New(%q) = %v, want %q", tt.url, err, tt.want)
		}
	}
}

func TestPeopleSets(t *testing.T) {
	c, _ := setup(t, emulator.Config{})
	boss, _ := c.CreateAccount(ctx, workplace.Fields{"name": "Boss", "email": "boss@acme.example"})
	conds := []workplace.Condition{{Field: "DEPARTMENT", Operator: "IS", Values: []string{"Engineering"}}}
	id, err := c.CreatePeopleSet(ctx, "Engineering", conds)
	if err != nil || id == "" {
		t.Fatal(id, err)
	}
	if _, err := c.CreatePeopleSet(ctx, "Engineering", conds); !workplace.IsInvalidParameter(err) {
		t.Errorf("duplicate name: %v", err)
	}
	bad := []workplace.Condition{{Field: "SHOE_SIZE", Operator: "IS", Values: []string{"9"}}}
	if _, err := c.CreatePeopleSet(ctx, "Shoes", bad); !workplace.IsInvalidParameter(err) {
		t.Errorf("bad field: %v", err)
	}
	mgr := []workplace.Condition{{Field: "MANAGER_RECURSIVE", Operator: "IS", Values: []string{boss}}}
	if err := c.UpdatePeopleSet(ctx, id, "Boss's reports", mgr); err != nil {
		t.Fatal(err)
	}
	ps, err := c.FindPeopleSet(ctx, "Boss's reports")
	if err != nil || ps == nil || ps.ID != id || ps.Conditions[0].Field != "MANAGER_RECURSIVE" {
		t.Fatalf("find = %+v, %v", ps, err)
	}
	if got, _ := c.GetPeopleSet(ctx, id); got.Name != "Boss's reports" {
		t.Errorf("get = %+v", got)
	}
	all, _ := c.ListPeopleSets(ctx)
	if len(all) != 1 {
		t.Errorf("list = %+v", all)
	}
	if err := c.DeletePeopleSet(ctx, id); err != nil {
		t.Fatal(err)
	}
	if ps, _ := c.FindPeopleSet(ctx, "Boss's reports"); ps != nil {
		t.Errorf("deleted set still found")
	}
}

// The token never leaves for another server and never reaches a message.
func TestTokenStaysHome(t *testing.T) {
	ctx := context.Background()
	const token = "EAAG-secret-token-1234567890"
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		w.Write([]byte(`{"id":"1"}`))
	}))
	defer other.Close()
	_, otherPort, _ := net.SplitHostPort(strings.TrimPrefix(other.URL, "http://"))
	t.Run("redirect to another port of the same host", func(t *testing.T) {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:"+otherPort+r.URL.Path, http.StatusTemporaryRedirect)
		}))
		defer hs.Close()
		c, _ := workplace.New(workplace.Config{BaseURL: hs.URL, Token: token})
		_, err := c.GetMember(ctx, "a@acme.example", nil)
		if err == nil || !strings.Contains(err.Error(), "never follows a redirect") || !strings.Contains(err.Error(), otherPort) {
			t.Errorf("err = %v", err)
		}
		if leaked.Load() != 0 {
			t.Errorf("the token reached the redirect's target")
		}
	})
	t.Run("server echoes the token", func(t *testing.T) {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"error":{"message":"bad header %s","code":100}}`, r.Header.Get("Authorization"))
		}))
		defer hs.Close()
		c, _ := workplace.New(workplace.Config{BaseURL: hs.URL, Token: token})
		_, err := c.GetMember(ctx, "a@acme.example", nil)
		if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "[token]") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("paging that repeats itself", func(t *testing.T) {
		var calls atomic.Int32
		var hs *httptest.Server
		hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			fmt.Fprintf(w, `{"data":[{"id":"1","name":"A"}],"paging":{"cursors":{"after":"X"},"next":"%s/community/members?after=X"}}`, hs.URL)
		}))
		defer hs.Close()
		c, _ := workplace.New(workplace.Config{BaseURL: hs.URL, Token: token})
		err := c.ListMembers(ctx, workplace.ListOptions{}, func([]workplace.Account) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "repeats itself") || calls.Load() > 3 {
			t.Errorf("err = %v after %d calls", err, calls.Load())
		}
	})
}

// The client asks only for what the Member node documents, and the
// emulator refuses anything else as Graph does.
func TestFieldsAreDocumented(t *testing.T) {
	documented := map[string]bool{}
	for _, f := range emulator.MemberFields {
		documented[f] = true
	}
	for _, f := range workplace.MemberFields {
		name, sub, _ := strings.Cut(f, "{")
		if !documented[name] {
			t.Errorf("the client asks for %q, which the Member node does not have", name)
		}
		for _, s := range strings.Split(strings.TrimSuffix(sub, "}"), ",") {
			if s != "" && !documented[s] {
				t.Errorf("the client asks for %s{%s}, which the Member node does not have", name, s)
			}
		}
	}
	c, _ := setup(t, emulator.Config{})
	id, _ := c.CreateAccount(context.Background(), workplace.Fields{"name": "A", "email": "a@acme.example"})
	for _, bad := range []string{"location", "auth_method", "name,location", "managers{id,location}", "claimed"} {
		_, err := c.GetMember(context.Background(), id, strings.Split(bad, ";"))
		if !workplace.IsInvalidParameter(err) || !strings.Contains(err.Error(), "Tried accessing nonexisting field") {
			t.Errorf("fields=%s: %v", bad, err)
		}
	}
	a, err := c.GetMember(context.Background(), id, nil)
	if err != nil || a.Name != "A" {
		t.Errorf("documented fields: %+v %v", a, err)
	}
}
