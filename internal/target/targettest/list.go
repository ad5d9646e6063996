package targettest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/target"
)

// countOf counts the accounts of a listing with a's login (userName or
// email, ignoring case), or with its external id if it has no login.
func countOf(all []target.Account, a *target.Account) int {
	n := 0
	for i := range all {
		if l := a.LoginName(); l != "" && strings.EqualFold(all[i].LoginName(), l) || l == "" && all[i].ExternalID == a.ExternalID {
			n++
		}
	}
	return n
}

// testListAllComplete: 250 accounts, a quarter deactivated, are each
// listed exactly once with the right active flag and email, with the
// server's page size and with pages of 7; the listing's calls are safe to
// repeat.
func testListAllComplete(t *testing.T, h Harness) {
	for _, pageCap := range []int{0, 7} {
		t.Run(fmt.Sprintf("PageCap%d", pageCap), func(t *testing.T) {
			e := start(t, h, Options{PageCap: pageCap})
			const n = 250
			want := map[string]*target.Account{}
			for i := range n {
				a := e.create(e.person())
				if i%4 == 3 {
					if _, err := e.tgt.SetActive(e.ctx, ref(a), false); err != nil {
						t.Fatalf("SetActive false: %v", err)
					}
					a.Active = false
				}
				want[a.ID] = a
			}
			seen := map[string]int{}
			calls, _ := e.rec.during(func() {
				for _, a := range e.list(e.tgt) {
					seen[a.ID]++
					w := want[a.ID]
					switch {
					case w == nil:
						t.Errorf("listed %s (%s), which the case never made", a.ID, a.Describe())
					case seen[a.ID] > 1:
						t.Errorf("%s listed %d times", a.ID, seen[a.ID])
					case a.Active != w.Active || !strings.EqualFold(a.LoginName(), w.LoginName()):
						t.Errorf("listed %s as %s active %v, want %s active %v", a.ID, a.LoginName(), a.Active, w.LoginName(), w.Active)
					}
				}
			})
			for id, w := range want {
				if seen[id] == 0 {
					t.Errorf("%s (%s, active %v) is missing from the listing", id, w.Describe(), w.Active)
				}
			}
			for _, c := range calls {
				if !c.Idempotent {
					t.Errorf("ListAll made %s %s, not described as safe to repeat", c.Method, c.Path)
				}
			}
		})
	}
}

// testListAllFails: a listing ends with fn's error, and a page that
// fails fails the listing: it never ends short without an error.
func testListAllFails(t *testing.T, h Harness) {
	e := start(t, h, Options{PageCap: 7})
	for i := range 25 {
		a := e.create(e.person())
		if i%5 == 4 {
			if _, err := e.tgt.SetActive(e.ctx, ref(a), false); err != nil {
				t.Fatalf("SetActive false: %v", err)
			}
		}
	}
	stop := errors.New("stop here")
	pages := 0
	err := e.tgt.ListAll(e.ctx, func([]target.Account) error { pages++; return stop })
	if !errors.Is(err, stop) || pages != 1 {
		t.Errorf("ListAll whose fn failed on the first page: %v after %d pages, want fn's error after 1", err, pages)
	}
	f, ok := e.faults()
	if !ok {
		return
	}
	got, pages := 0, 0
	err = e.tgt.ListAll(e.ctx, func(p []target.Account) error {
		got += len(p)
		if pages++; pages == 1 {
			f.FailNext(1) // the next page's call fails
		}
		return nil
	})
	f.FailNext(0)
	if err == nil && got < 25 {
		t.Fatalf("a listing whose second page failed ended with no error after %d of 25 accounts: a short listing", got)
	}
	if err == nil {
		t.Logf("the target read every page before it called fn: the fault met no page")
		return
	}
	if !target.IsRetryable(err) {
		t.Errorf("a listing whose page got a 5xx failed with %v, want a transient error", err)
	}
}
