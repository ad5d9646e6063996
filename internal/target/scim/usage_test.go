package scim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/scim"
)

// The rate headers of every answer are read as the share of the budget
// used (target.UsageReporter), so that the pacer slows down before the
// service throttles: X-RateLimit-* (Atlassian §4), the IETF draft's
// RateLimit-* and its RateLimit/RateLimit-Policy forms; a reset past is a
// budget renewed; a service that sends none reports 0.
func TestUsageFromRateHeaders(t *testing.T) {
	var _ target.UsageReporter = (*scim.Client)(nil)
	past := strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)
	for name, tc := range map[string]struct {
		headers map[string]string
		want    int
	}{
		"X-RateLimit":          {map[string]string{"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "25"}, 75},
		"X-Rate-Limit":         {map[string]string{"X-Rate-Limit-Limit": "200", "X-Rate-Limit-Remaining": "150", "X-Rate-Limit-Reset": "30"}, 25},
		"RateLimit-*":          {map[string]string{"RateLimit-Limit": "100, 100;w=60", "RateLimit-Remaining": "10", "RateLimit-Reset": "5"}, 90},
		"RateLimit params":     {map[string]string{"RateLimit": "limit=50, remaining=0, reset=12"}, 100},
		"RateLimit-Policy":     {map[string]string{"RateLimit-Policy": `"default";q=200;w=60`, "RateLimit": `"default";r=150;t=30`}, 25},
		"reset past":           {map[string]string{"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": past}, 0},
		"none":                 {nil, 0},
		"remaining over limit": {map[string]string{"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "12"}, 0},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for k, v := range tc.headers {
				w.Header().Set(k, v)
			}
			w.Write([]byte(`{"totalResults":0,"Resources":[]}`))
		}))
		c, _ := open(t, srv.URL)
		if err := c.ListAll(context.Background(), func([]target.Account) error { return nil }); err != nil {
			t.Fatal(err)
		}
		srv.Close()
		if got := c.Usage(); got != tc.want {
			t.Errorf("%s: usage %d, want %d", name, got, tc.want)
		}
	}
}

// Against the emulator's Atlassian profile at 20 calls a second: its
// X-RateLimit headers tell the budget used as calls go.
func TestUsageAtlassian(t *testing.T) {
	_, c, _ := emuWith(t, emulator.Config{SCIMProfile: emulator.ProfileAtlassian, Rate: 20, Burst: 20})
	ctx := context.Background()
	for range 10 {
		if _, err := c.Find(ctx, []target.Key{{Kind: target.ByEmail, Value: "nobody@acme.example"}}); err != nil {
			t.Fatal(err)
		}
	}
	if u := c.Usage(); u < 30 || u > 100 {
		t.Fatalf("usage %d after a dozen calls of a budget of 20", u)
	}
}
