package scim_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/scim"
)

// The client is a target, with groups, registered as "scim".
var (
	_ target.Target = (*scim.Client)(nil)
	_ target.Groups = (*scim.Client)(nil)
)

func TestRegistered(t *testing.T) {
	tg, err := target.Open("scim", target.Config{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	if tg.URL() != "https://scim.workplace.com" {
		t.Fatalf("default URL %s", tg.URL())
	}
}

// Error answers of every shape services send become a *target.Error whose
// kind follows the HTTP status, with the service's own code and words (its
// first line, at most 300 characters) and never the token.
func TestErrorShapes(t *testing.T) {
	long := strings.Repeat("x", 400)
	cases := []struct {
		name    string
		status  int
		header  map[string]string
		body    string
		kind    target.Kind
		code    string
		message string
	}{
		{"RFC, status a number", 409, nil, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":409,"scimType":"uniqueness","detail":"taken"}`,
			target.Conflict, "uniqueness", "taken"},
		{"RFC, status a string", 400, nil, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter","detail":"bad filter"}`,
			target.Invalid, "invalidFilter", "bad filter"},
		{"RFC mutability", 400, nil, `{"status":"400","scimType":"mutability","detail":"id is readOnly"}`,
			target.Invalid, "mutability", "id is readOnly"},
		{"AWS: misspelt schema, string status", 409, nil, `{"schema":"urn:ietf:params:scim:api:messages:2.0:Error","schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","detail":"Refused to create a new, duplicate resource.","exceptionRequestId":"9f1c","timeStamp":"2024-01-01 00:00:00.000"}`,
			target.Conflict, "", "Refused to create a new, duplicate resource."},
		{"Slack, Errors an object", 409, nil, `{"Errors":{"description":"email_taken existing_user=U0123","code":409}}`,
			target.Conflict, "", "email_taken existing_user=U0123"},
		{"Slack v1, Errors an array", 404, nil, `{"Errors":[{"description":"no_such_user","code":404}]}`,
			target.NotFound, "", "no_such_user"},
		{"Zoom, numeric status", 400, nil, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"User does not exist: a@x.example","status":400}`,
			target.Invalid, "", "User does not exist: a@x.example"},
		{"Meta, Graph-style", 401, nil, `{"error":{"message":"Invalid OAuth access token s3cret-token-value","type":"OAuthException","code":190,"fbtrace_id":"AbC"}}`,
			target.Fatal, "190", "Invalid OAuth access token [token]"},
		{"Graph-style with a subcode", 400, nil, `{"error":{"message":"Invalid parameter","code":100,"error_subcode":33}}`,
			target.Invalid, "100/33", "Invalid parameter"},
		{"plain text", 503, nil, "Service Unavailable\n<html>…", target.Transient, "", "Service Unavailable"},
		{"a long plain text", 500, nil, long, target.Transient, "", strings.Repeat("x", 300) + "…"},
		{"throttled, Retry-After in seconds", 429, map[string]string{"Retry-After": "7"}, ``, target.Throttled, "", "Too Many Requests"},
		{"throttled, no Retry-After", 429, nil, `{"detail":"slow down"}`, target.Throttled, "", "slow down"},
		{"forbidden", 403, nil, `nope`, target.Fatal, "", "nope"},
		{"not found", 404, nil, `{"status":"404","detail":"gone"}`, target.NotFound, "", "gone"},
		{"stale", 412, nil, `{"status":"412","scimType":"invalidVers","detail":"changed"}`, target.PreconditionFailed, "invalidVers", "changed"},
		{"a bare JSON string", 400, nil, `"locale is invalid"`, target.Invalid, "", "locale is invalid"},
		{"OAuth", 401, nil, `{"error":"invalid_token","error_description":"The access token expired"}`, target.Fatal, "", "The access token expired"},
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
			c, l := open(t, srv.URL)
			err := c.ListAll(context.Background(), func([]target.Account) error { return nil })
			te := kindOf(t, err, tc.kind)
			if te.Status != tc.status || te.Code != tc.code || te.Message != tc.message || te.Method != "GET" || te.Path != "/Users" {
				t.Fatalf("got status %d code %q message %q (%s %s)", te.Status, te.Code, te.Message, te.Method, te.Path)
			}
			if want := map[string]time.Duration{"7": 7 * time.Second}[tc.header["Retry-After"]]; te.RetryAfter != want {
				t.Fatalf("RetryAfter %s, want %s", te.RetryAfter, want)
			}
			// The layer repeats a read that failed in passing, and a throttled call.
			if want := map[bool]int{true: 3, false: 1}[target.IsRetryable(err)]; l.tries != want {
				t.Fatalf("%d attempts, want %d", l.tries, want)
			}
		})
	}
}

// Retry-After as an HTTP date is read too.
func TestRetryAfterDate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", time.Now().Add(90*time.Second).UTC().Format(http.TimeFormat))
		w.WriteHeader(429)
	}))
	defer srv.Close()
	c, _ := open(t, srv.URL)
	te := kindOf(t, c.ListAll(context.Background(), func([]target.Account) error { return nil }), target.Throttled)
	if te.RetryAfter < 80*time.Second || te.RetryAfter > 90*time.Second {
		t.Fatalf("RetryAfter %s", te.RetryAfter)
	}
}

// No answer, a torn body and a success that cannot be read are unknown
// outcomes, with the transport's error under them.
func TestUnknownOutcomes(t *testing.T) {
	t.Run("no answer", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		c, _ := open(t, "http://"+addr)
		te := kindOf(t, c.ListAll(context.Background(), func([]target.Account) error { return nil }), target.UnknownOutcome)
		if te.Err == nil || te.Status != 0 || !strings.Contains(te.Text(), "no answer from the server") {
			t.Fatalf("%#v", te)
		}
	})
	t.Run("torn body", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(200)
			io.WriteString(w, `{"totalResults":`)
		}))
		defer srv.Close()
		c, _ := open(t, srv.URL)
		te := kindOf(t, c.ListAll(context.Background(), func([]target.Account) error { return nil }), target.UnknownOutcome)
		if te.Err == nil || te.Status != 200 {
			t.Fatalf("%#v", te)
		}
	})
	t.Run("undecodable success", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `<html>welcome</html>`)
		}))
		defer srv.Close()
		c, _ := open(t, srv.URL)
		te := kindOf(t, c.ListAll(context.Background(), func([]target.Account) error { return nil }), target.UnknownOutcome)
		if te.Err == nil || te.Status != 200 || !strings.Contains(te.Message, "not the JSON expected") {
			t.Fatalf("%#v", te)
		}
	})
}

// The token goes to one server: a redirect is not followed.
func TestNoRedirect(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the redirect was followed, with Authorization %q", r.Header.Get("Authorization"))
	}))
	defer other.Close()
	srv := httptest.NewServer(http.RedirectHandler(other.URL+"/Users", http.StatusFound))
	defer srv.Close()
	c, _ := open(t, srv.URL)
	te := kindOf(t, c.ListAll(context.Background(), func([]target.Account) error { return nil }), target.Invalid)
	if te.Status != 302 || !strings.Contains(te.Message, "never follows a redirect") || !strings.Contains(te.Message, other.URL) {
		t.Fatalf("%#v", te)
	}
}

func TestNewRefusesUnsafeURLs(t *testing.T) {
	for _, u := range []string{"http://scim.example.com/", "ftp://x/", "https://user:pw@scim.example.com/", "https://scim.example.com/?a=1", "https://scim.example.com/#f"} {
		if _, err := scim.New(target.Config{URL: u, Token: token}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	if _, err := scim.New(target.Config{URL: "https://scim.workplace.com/"}); err == nil || !strings.Contains(err.Error(), "WPIMPORT_TOKEN") {
		t.Errorf("no token: %v", err)
	}
	if _, err := scim.New(target.Config{URL: "http://127.0.0.1:9/scim", Token: token}); err != nil {
		t.Errorf("loopback http refused: %v", err)
	}
}

// An id is one path segment, escaped once; the User-Agent and the token
// go on every request.
func TestIDEscaped(t *testing.T) {
	var got, ua, auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "ServiceProvider") || strings.HasSuffix(r.URL.Path, "ResourceTypes") {
			w.WriteHeader(404)
			return
		}
		got, ua, auth = r.URL.EscapedPath(), r.UserAgent(), r.Header.Get("Authorization")
		io.WriteString(w, `{"id":"a b/c","userName":"x@x.example"}`)
	}))
	defer srv.Close()
	c, _ := open(t, srv.URL+"/scim/v2")
	if a := account(t, c, target.Key{Kind: target.ByID, Value: "a b/c"}); a.Email != "x@x.example" {
		t.Fatalf("%+v", a)
	}
	if got != "/scim/v2/Users/a%20b%2Fc" || ua != "wpimport/test" || auth != "Bearer "+token {
		t.Fatalf("path %s, User-Agent %q, Authorization %q", got, ua, auth)
	}
}
