package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/graph"
	"github.com/wpimport/wpimport/internal/testkit"
)

// gc is a Graph client for the emulator's tests (the Graph target's).
type gc struct{ *graph.Client }

func graphClient(t testing.TB, srv *emulator.Server) gc {
	t.Helper()
	c, err := graph.New(target.Config{URL: srv.URL(), Token: srv.Token()})
	if err != nil {
		t.Fatal(err)
	}
	return gc{c}
}

func start(t testing.TB, cfg emulator.Config) (*emulator.Server, gc) {
	t.Helper()
	srv := testkit.Emulator(t, cfg)
	return srv, graphClient(t, srv)
}

// create makes an account of a name, an email or external id, and a
// manager id (each may be ""), and returns its id.
func (c gc) create(name, email, ext, manager string) (string, error) {
	a := &target.Account{Name: target.Name{Formatted: name}, Email: email, ExternalID: ext, Active: true}
	if manager != "" {
		a.Manager = &target.Ref{ID: manager}
	}
	got, err := c.Create(context.Background(), a)
	if err != nil {
		return "", err
	}
	return got.ID, nil
}

// get reads one account by id or email.
func (c gc) get(ref string) (*target.Account, error) {
	k := target.Key{Kind: target.ByID, Value: ref}
	if strings.Contains(ref, "@") {
		k.Kind = target.ByEmail
	}
	found, err := c.Find(context.Background(), []target.Key{k})
	if err != nil {
		return nil, err
	}
	if found[k] == nil {
		return nil, fmt.Errorf("%s not found", ref)
	}
	return found[k], nil
}

func post(t *testing.T, srv *emulator.Server, path string, form url.Values) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestBatch(t *testing.T) {
	srv, c := start(t, emulator.Config{})
	id, _ := c.create("Ada", "ada@acme.example", "", "")
	items := []map[string]string{
		{"method": "GET", "relative_url": "/" + id + "?fields=name,email"},
		{"method": "POST", "relative_url": "/community/accounts", "body": "name=Bob&email=bob%40acme.example"},
		{"method": "GET", "relative_url": "/v19.0/nobody@acme.example"},
	}
	b, _ := json.Marshal(items)
	code, body := post(t, srv, "/", url.Values{"batch": {string(b)}})
	if code != 200 {
		t.Fatalf("batch: %d %s", code, body)
	}
	var out []struct {
		Code int    `json:"code"`
		Body string `json:"body"`
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out) != 3 {
		t.Fatalf("batch answer %s: %v", body, err)
	}
	if out[0].Code != 200 || !strings.Contains(out[0].Body, `"email":"ada@acme.example"`) {
		t.Errorf("item 0 = %+v", out[0])
	}
	if out[1].Code != 200 || !strings.Contains(out[1].Body, `"id"`) {
		t.Errorf("item 1 = %+v", out[1])
	}
	if out[2].Code != 400 || !strings.Contains(out[2].Body, `"code":100`) {
		t.Errorf("item 2 = %+v", out[2])
	}
	if st := srv.Stats(); st.Calls != 4 { // the create above + 3 items
		t.Errorf("calls = %d, want each item counted", st.Calls)
	}
	many := make([]map[string]string, 51)
	for i := range many {
		many[i] = map[string]string{"method": "GET", "relative_url": "/" + id}
	}
	b, _ = json.Marshal(many)
	if code, body := post(t, srv, "/", url.Values{"batch": {string(b)}}); code != 400 || !strings.Contains(string(body), "at most 50") {
		t.Errorf("51 items: %d %s", code, body)
	}
}

func TestStateRoundTrip(t *testing.T) {
	srv, c := start(t, emulator.Config{})
	ctx := context.Background()
	boss, _ := c.create("Ada", "ada@acme.example", "E1", "")
	c.create("Bob", "", "E2", boss)
	c.CreatePeopleSet(ctx, "All", []target.Condition{{Field: "ACCOUNT_STATUS", Operator: "IS", Values: []string{"ACTIVE"}}})
	path := filepath.Join(t.TempDir(), "state.json")
	if err := srv.SaveStateFile(path); err != nil {
		t.Fatal(err)
	}
	st, err := emulator.LoadStateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	srv2, c2 := start(t, emulator.Config{State: st})
	a, err := c2.get("ada@acme.example")
	if err != nil || a.ID != boss {
		t.Fatalf("reloaded: %+v %v", a, err)
	}
	// New ids continue after the loaded ones, and uniqueness still holds.
	id, _ := c2.create("Cy", "cy@acme.example", "", "")
	if id <= boss {
		t.Errorf("new id %s not after %s", id, boss)
	}
	if _, err := c2.create("X", "", "E2", ""); !isInvalid(err) {
		t.Errorf("duplicate after reload: %v", err)
	}
	// The admin routes want the token too: they show every account.
	resp, err := http.Get(srv2.URL() + "/_emulator/state")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/_emulator/state without a token: HTTP %d", resp.StatusCode)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("GET", srv2.URL()+"/_emulator/state", nil)
	req.Header.Set("Authorization", "Bearer "+srv2.Token())
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	var got emulator.State
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if len(got.Accounts) != 3 || len(got.PeopleSets) != 1 {
		t.Errorf("/_emulator/state: %d accounts, %d sets", len(got.Accounts), len(got.PeopleSets))
	}
}

// The token bucket never admits more than rate + burst calls in any second,
// however many clients push.
func TestRateLimitUnderConcurrency(t *testing.T) {
	const rate = 100
	srv, c := start(t, emulator.Config{Rate: rate})
	id, _ := c.create("Ada", "ada@acme.example", "", "")
	srv.ResetStats()
	hammer(c, id, 1500*time.Millisecond)
	st := srv.Stats()
	if st.Throttled == 0 {
		t.Fatal("16 clients were never throttled at 100/s")
	}
	if limit := rate + rate*4/100 + 1; st.MaxPerSec > limit {
		t.Errorf("admitted %d calls in one second; the limit is %d/s (+burst)", st.MaxPerSec, rate)
	}
}

func TestAuthAndUsageHeader(t *testing.T) {
	srv, _ := start(t, emulator.Config{Rate: 50})
	req, _ := http.NewRequest("GET", srv.URL()+"/community/members", nil)
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	var u map[string]int
	if err := json.Unmarshal([]byte(resp.Header.Get("X-App-Usage")), &u); err != nil || resp.StatusCode != 200 {
		t.Errorf("X-App-Usage %q: %v (status %d)", resp.Header.Get("X-App-Usage"), err, resp.StatusCode)
	}
}

// BenchmarkThroughput measures the calls/s the emulator sustains with no
// latency and no limit: 16 clients for 3 s, three reads to one write.
func BenchmarkThroughput(b *testing.B) {
	_, c := start(b, emulator.Config{})
	ctx := context.Background()
	id, _ := c.create("Ada", "ada@acme.example", "", "")
	for b.Loop() {
		var n atomic.Int64
		t0 := time.Now()
		deadline := t0.Add(3 * time.Second)
		var wg sync.WaitGroup
		for w := 0; w < 16; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; time.Now().Before(deadline); i++ {
					if i%4 == 0 {
						c.Update(ctx, target.Ref{ID: id}, &target.Account{Title: fmt.Sprint(i)}, []roster.Field{roster.Title})
					} else {
						c.get(id)
					}
					n.Add(1)
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(float64(n.Load())/time.Since(t0).Seconds(), "calls/s")
	}
}

// BenchmarkRateHold reports how close 16 greedy clients get to the
// configured rate over 5 s: admitted/s ÷ rate.
func BenchmarkRateHold(b *testing.B) {
	for _, rate := range []float64{100, 500} {
		b.Run(fmt.Sprint(rate), func(b *testing.B) {
			srv, c := start(b, emulator.Config{Rate: rate})
			id, _ := c.create("Ada", "ada@acme.example", "", "")
			for b.Loop() {
				srv.ResetStats()
				t0 := time.Now()
				hammer(c, id, 5*time.Second)
				st := srv.Stats()
				admitted := st.Calls - st.Throttled
				b.ReportMetric(float64(admitted)/time.Since(t0).Seconds()/rate, "achieved/limit")
				b.ReportMetric(float64(st.MaxPerSec)/rate, "max-1s/limit")
			}
		})
	}
}

// hammer has 16 clients read account id as fast as they can for d.
func hammer(c gc, id string, d time.Duration) {
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				c.get(id)
			}
		}()
	}
	wg.Wait()
}

// The emulator is a server: slow bodies time out, and bodies and uploads
// past the service's limits are refused with 413.
func TestServerLimits(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	big := strings.NewReader(strings.Repeat("x", emulator.MaxFormBytes+10))
	req, _ := http.NewRequest("POST", srv.URL()+"/community/accounts", big)
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized form: HTTP %d", resp.StatusCode)
	}
	c := graphClient(t, srv)
	id, err := c.create("A", "a@acme.example", "", "")
	if err != nil {
		t.Fatal(err)
	}
	huge := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, emulator.MaxUploadBytes+1)...)
	if err := c.SetPicture(context.Background(), target.Ref{ID: id}, target.Picture{Name: "big.png", Data: huge}); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized upload: %v", err)
	}
}

func TestSlowBodyTimesOut(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{ReadTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /community/accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 1000\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nname=", srv.Token())
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	io.ReadAll(conn) // returns when the server gives up on the body
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a slow body held the connection for %v", d)
	}
}

// isInvalid reports an answer that refused the call as it stands (Graph's
// code 100).
func isInvalid(err error) bool {
	k, ok := target.KindOf(err)
	return ok && k == target.Invalid
}
