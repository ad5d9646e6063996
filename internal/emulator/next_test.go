package emulator_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/testkit"
)

// rawPost posts a form and returns the status, or 0 when no answer came.
func rawPost(t *testing.T, srv *emulator.Server, path string, form url.Values) int {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The next-call faults hit exactly the calls counted, then stop.
func TestNextFaults(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	create := func(email string) int {
		return rawPost(t, srv, "/community/accounts", url.Values{"name": {"A"}, "email": {email}})
	}
	srv.ThrottleNext(2)
	if a, b, c := create("a@acme.example"), create("a@acme.example"), create("a@acme.example"); a != 403 || b != 403 || c != 200 {
		t.Errorf("ThrottleNext(2): statuses %d %d %d, want 403 403 200", a, b, c)
	}
	srv.FailNext(1)
	if a, b := create("b@acme.example"), create("b@acme.example"); a != 500 || b != 200 {
		t.Errorf("FailNext(1): statuses %d %d, want 500 200", a, b)
	}
	// A refused write is answered; the next one that succeeds is lost.
	srv.DropNext(1)
	if a, b, c := create("b@acme.example"), create("c@acme.example"), create("d@acme.example"); a != 400 || b != 0 || c != 200 {
		t.Errorf("DropNext(1): statuses %d %d %d, want 400, no answer, 200", a, b, c)
	}
	var emails []string
	for _, a := range srv.Snapshot().Accounts {
		emails = append(emails, a.Email)
	}
	if got := strings.Join(emails, " "); got != "a@acme.example b@acme.example c@acme.example d@acme.example" {
		t.Errorf("accounts %s: the throttled and failed calls must have had no effect, the lost one its effect", got)
	}
	st := srv.Stats()
	if st.Throttled != 2 || st.Faults != 1 || st.Dropped != 1 {
		t.Errorf("stats = %+v, want 2 throttled, 1 fault, 1 dropped", st)
	}
	// The counts are set, not added, and 0 ends them; the SCIM API has them too.
	srv.FailNext(5)
	srv.FailNext(0)
	scimDo(t, srv, "GET", "/Users", nil).want(t, 200, "")
	srv.FailNext(1)
	scimDo(t, srv, "GET", "/Users", nil).want(t, 500, "")
	scimDo(t, srv, "GET", "/Users", nil).want(t, 200, "")
}
