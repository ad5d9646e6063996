package graph_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/graph"
)

// graphError answers with a Graph error body.
func graphError(status int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

func errBody(code, sub int, extra string) string {
	return fmt.Sprintf(`{"error":{"message":"(#%d) what Graph said","type":"OAuthException","code":%d,"error_subcode":%d,"fbtrace_id":"AbC123"%s}}`, code, code, sub, extra)
}

// Graph's answers are classified on their code, not their HTTP status,
// keeping Graph's code, status and words.
func TestErrorKinds(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
		body   string
		kind   target.Kind
		code   string
	}{
		{"4 app limit", 403, errBody(4, 0, ""), target.Throttled, "4"},
		{"17 user limit", 403, errBody(17, 0, ""), target.Throttled, "17"},
		{"32 page limit", 403, errBody(32, 0, ""), target.Throttled, "32"},
		{"613 calls limit", 400, errBody(613, 0, ""), target.Throttled, "613"},
		{"80001 business use case", 400, errBody(80001, 0, ""), target.Throttled, "80001"},
		{"429 status", 429, errBody(0, 0, ""), target.Throttled, ""},
		{"190 token", 401, errBody(190, 463, ""), target.Fatal, "190/463"},
		{"102 session", 400, errBody(102, 0, ""), target.Fatal, "102"},
		{"10 permission", 403, errBody(10, 0, ""), target.Fatal, "10"},
		{"200 permission", 403, errBody(200, 0, ""), target.Fatal, "200"},
		{"401 without a code", 401, errBody(0, 0, ""), target.Fatal, ""},
		{"100/33 missing object", 400, errBody(100, 33, ""), target.NotFound, "100/33"},
		{"803 alias", 404, errBody(803, 0, ""), target.NotFound, "803"},
		{"404 without a code", 404, errBody(0, 0, ""), target.NotFound, ""},
		{"1 unknown", 500, errBody(1, 0, ""), target.Transient, "1"},
		{"2 service", 500, errBody(2, 0, ""), target.Transient, "2"},
		{"503 without a code", 503, errBody(0, 0, ""), target.Transient, ""},
		{"is_transient", 400, errBody(100, 0, `,"is_transient":true`), target.Transient, "100"},
		{"100 invalid parameter", 400, errBody(100, 0, ""), target.Invalid, "100"},
		{"100 with a subcode", 400, errBody(100, 1600001, ""), target.Invalid, "100/1600001"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := open(t, serve(t, graphError(tt.status, tt.body)), secret)
			_, err := c.SetActive(t.Context(), target.Ref{ID: "100000000000001"}, false)
			te := target.As(err)
			if te == nil {
				t.Fatalf("err = %v (%T), want a *target.Error", err, err)
			}
			if te.Kind != tt.kind || te.Code != tt.code || te.Status != tt.status || te.Target != graph.Name {
				t.Errorf("kind %v code %q status %d target %q, want %v %q %d %q", te.Kind, te.Code, te.Status, te.Target, tt.kind, tt.code, tt.status, graph.Name)
			}
			if te.Method != "POST" || te.Path != "/100000000000001" {
				t.Errorf("call %s %s, want POST /100000000000001", te.Method, te.Path)
			}
			if !strings.Contains(te.Message, "what Graph said") || !strings.Contains(te.Message, "(fbtrace_id AbC123)") {
				t.Errorf("message %q: want Graph's words and its fbtrace_id", te.Message)
			}
		})
	}
}

// The error keeps the user message, and the pause Retry-After asks for.
func TestErrorUserMessageAndRetryAfter(t *testing.T) {
	body := errBody(4, 0, `,"error_user_title":"Slow down","error_user_msg":"Try again in a minute"`)
	c, _ := open(t, serve(t, graphError(403, body, "Retry-After", "7")), secret)
	_, err := c.SetActive(t.Context(), target.Ref{ID: "1"}, false)
	te := target.As(err)
	if te == nil || te.RetryAfter != 7*time.Second || !strings.Contains(te.Message, "(Try again in a minute)") {
		t.Fatalf("err = %#v, want Retry-After 7s and the user message", te)
	}
	if got := target.RetryAfterOf(err); got != 7*time.Second {
		t.Errorf("RetryAfterOf = %v", got)
	}
	if want := "POST /1: HTTP 403, code 4: (#4) what Graph said (Try again in a minute) (fbtrace_id AbC123)"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

// Answers that are not Graph errors say what came, and are classified by
// their status; a success that cannot be read is an unknown outcome.
func TestUnexpectedAnswers(t *testing.T) {
	for _, tt := range []struct {
		name, ctype, body string
		status            int
		want              string
		kind              target.Kind
	}{
		{"html 502", "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>", 502,
			"unexpected answer (HTTP 502, text/html): <html><body><h1>502 Bad Gateway</h1></body></html>", target.Transient},
		{"empty 200", "application/json", "", 200, "unexpected answer (HTTP 200, application/json), empty body", target.UnknownOutcome},
		{"not JSON 200", "text/plain", "ok", 200, "unexpected answer (HTTP 200, text/plain): ok", target.UnknownOutcome},
		{"429 no body", "text/plain", "", 429, "unexpected answer (HTTP 429, text/plain), empty body", target.Throttled},
		{"403 from a proxy", "text/plain", "Forbidden", 403, "unexpected answer (HTTP 403, text/plain): Forbidden", target.Invalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := open(t, serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			}), secret)
			_, err := c.SetActive(t.Context(), target.Ref{ID: "1"}, false)
			te := target.As(err)
			if te == nil || te.Kind != tt.kind || te.Status != tt.status || te.Message != tt.want {
				t.Fatalf("err = %#v, want kind %v status %d message %q", te, tt.kind, tt.status, tt.want)
			}
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		hs := httptest.NewServer(http.NotFoundHandler())
		hs.Close()
		c, _ := open(t, hs.URL, secret)
		_, err := c.SetActive(t.Context(), target.Ref{ID: "1"}, false)
		te := target.As(err)
		if te == nil || te.Kind != target.UnknownOutcome || te.Status != 0 || te.Err == nil || !strings.Contains(err.Error(), "no answer from the server") {
			t.Fatalf("err = %v (%#v), want an unknown outcome with no status and the transport error", err, te)
		}
	})
}

// The token never reaches an error: not from the server's words, not from
// the transport's.
func TestTokenScrubbed(t *testing.T) {
	c, _ := open(t, serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"error":{"message":"bad header %s","code":100}}`, r.Header.Get("Authorization"))
	}), secret)
	_, err := c.SetActive(t.Context(), target.Ref{ID: "1"}, false)
	if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "bad header Bearer [token]") {
		t.Errorf("server echo: err = %v", err)
	}
	leaky := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		return nil, errors.New("proxy refused " + r.Header.Get("Authorization"))
	})}
	c2, err := graph.New(target.Config{URL: "http://127.0.0.1:1", Token: secret, HTTPClient: leaky})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c2.SetActive(t.Context(), target.Ref{ID: "1"}, false)
	if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "proxy refused Bearer [token]") || !target.IsUnknownOutcome(err) {
		t.Errorf("transport error: err = %v", err)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
