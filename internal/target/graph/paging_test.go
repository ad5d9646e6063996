package graph_test

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/graph"
)

// listAll lists every account.
func listAll(t *testing.T, c *graph.Client) ([]target.Account, error) {
	var all []target.Account
	err := c.ListAll(t.Context(), func(p []target.Account) error { all = append(all, p...); return nil })
	return all, err
}

// The token never leaves for another server: a redirect is refused,
// whatever host or port it names.
func TestRedirectRefused(t *testing.T) {
	var leaked atomic.Int32
	other := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		fmt.Fprint(w, `{"id":"1"}`)
	})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(other, "http://"))
	c, _ := open(t, serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:"+port+r.URL.Path+"?access_token=x", http.StatusTemporaryRedirect)
	}), secret)
	_, err := c.SetActive(t.Context(), target.Ref{ID: "1"}, false)
	te := target.As(err)
	if te == nil || te.Status != 307 || !strings.Contains(te.Message, "never follows a redirect") || !strings.Contains(te.Message, port) || !strings.Contains(te.Message, "--api-url") {
		t.Errorf("err = %v, want the redirect refused, naming where it pointed and --api-url", err)
	}
	if leaked.Load() != 0 {
		t.Error("the token reached the redirect's target")
	}
}

// New refuses a URL over which the token would travel in clear or carry
// credentials, and a missing token.
func TestConfigRefusesUnsafeURLs(t *testing.T) {
	for _, tt := range []struct {
		url, token, want string
	}{
		{"http://example.com", "t", "plain http"},
		{"http://10.0.0.1:8990", "t", "plain http"},
		{"ftp://x", "t", "is not an http(s) URL"},
		{"https://user:pw@graph.facebook.com", "t", "must not carry a user"},
		{"https://graph.facebook.com/?access_token=x", "t", "must not carry a user, a query or a fragment"},
		{"http://127.0.0.1:8990", " ", "no access token"},
		{"http://[::1]:8990", "t", ""},
		{"http://localhost:8990/", "t", ""},
		{"", "t", ""},
	} {
		c, err := graph.New(target.Config{URL: tt.url, Token: tt.token})
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("New(%q) = %v, want %q", tt.url, err, tt.want)
		}
		if err == nil && tt.url == "" && c.URL() != graph.DefaultURL {
			t.Errorf("the default URL is %s, want %s", c.URL(), graph.DefaultURL)
		}
	}
	if _, err := graph.New(target.Config{Token: "t", Bulk: true}); err == nil || !strings.Contains(err.Error(), "--bulk") {
		t.Errorf("Bulk on Graph: %v", err)
	}
}

// A server whose paging repeats itself is stopped with an error, not
// listed forever.
func TestPagingRepeats(t *testing.T) {
	var calls atomic.Int32
	var base string
	base = serve(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		fmt.Fprintf(w, `{"data":[{"id":"1","name":"A"}],"paging":{"cursors":{"after":"X"},"next":"%s/community/members?after=X"}}`, base)
	})
	c, _ := open(t, base, secret)
	_, err := listAll(t, c)
	te := target.As(err)
	if te == nil || te.Kind != target.Invalid || !strings.Contains(err.Error(), "repeats itself") || calls.Load() > 3 {
		t.Errorf("err = %v after %d calls, want an invalid answer that repeats itself", err, calls.Load())
	}
}

// A next link to another host is refused (the token would go there),
// with an error of its kind that names both hosts.
func TestNextLinkToAnotherHost(t *testing.T) {
	var leaked atomic.Int32
	other := serve(t, func(w http.ResponseWriter, r *http.Request) {
		leaked.Add(1)
		fmt.Fprint(w, `{"data":[]}`)
	})
	base := serve(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"data":[{"id":"1","name":"A"}],"paging":{"next":"%s/community/members?after=Y"}}`, other)
	})
	c, _ := open(t, base, secret)
	_, err := listAll(t, c)
	te := target.As(err)
	if te == nil || te.Kind != target.Invalid || te.Target != graph.Name || !strings.Contains(err.Error(), strings.TrimPrefix(other, "http://")) ||
		!strings.Contains(err.Error(), "refusing to send the token there") {
		t.Errorf("err = %v (%#v), want an invalid answer naming the other host", err, te)
	}
	if leaked.Load() != 0 {
		t.Error("the listing followed the next link to another host")
	}
}

// A page may be empty and still carry a next link (Graph filters pages
// after choosing them): the listing goes on until no next link comes.
func TestEmptyPageWithNext(t *testing.T) {
	var base string
	base = serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("after") {
		case "":
			fmt.Fprintf(w, `{"data":[{"id":"1","name":"A","active":true}],"paging":{"cursors":{"after":"P2"},"next":"%s/community/members?after=P2"}}`, base)
		case "P2":
			fmt.Fprintf(w, `{"data":[],"paging":{"cursors":{"after":"P3"},"next":"%s/community/members?after=P3"}}`, base)
		default:
			fmt.Fprint(w, `{"data":[{"id":"2","name":"B","active":true}],"paging":{"cursors":{"after":"P4"}}}`)
		}
	})
	c, _ := open(t, base, secret)
	all, err := listAll(t, c)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range all {
		ids = append(ids, a.ID)
	}
	// Both listings (active, then deactivated) see the same three pages.
	if got := strings.Join(ids, " "); got != "1 2" {
		t.Errorf("listed %q, want \"1 2\": an empty page with a next link is not the end", got)
	}
}

// Empty pages without end stop the listing with an error.
func TestEmptyPagesWithoutEnd(t *testing.T) {
	var calls atomic.Int32
	var base string
	base = serve(t, func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		fmt.Fprintf(w, `{"data":[],"paging":{"cursors":{"after":"C%d"},"next":"%s/community/members?after=C%d"}}`, n, base, n)
	})
	c, _ := open(t, base, secret)
	_, err := listAll(t, c)
	te := target.As(err)
	if te == nil || te.Kind != target.Invalid || !strings.Contains(err.Error(), "21 empty pages in a row") || calls.Load() != 21 {
		t.Errorf("err = %v after %d calls, want the listing stopped after 21 empty pages", err, calls.Load())
	}
}
