package execute

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/wpimport/wpimport/internal/workplace"
)

// Retry is the retry policy for transient errors.
type Retry struct {
	Tries int           // attempts in all (8)
	Base  time.Duration // first backoff ceiling (500 ms)
	Cap   time.Duration // largest backoff (60 s)
	// Sleep waits; tests make it instant.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultRetry is the policy DESIGN.md fixes.
var DefaultRetry = Retry{Tries: 8, Base: 500 * time.Millisecond, Cap: 60 * time.Second, Sleep: sleepCtx}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backoff is the full-jitter delay before attempt n (n ≥ 1 is the first
// retry), at least the server's Retry-After. A throttled call waits only
// a little: the pacer, which every try goes through, has already slowed
// down, and a long sleep would leave workers idle below the pace.
func (r Retry) backoff(n int, err error) time.Duration {
	if workplace.IsThrottle(err) {
		d := time.Duration(rand.Int64N(int64(r.Base/5) + 1))
		if ae := apiErr(err); ae != nil && ae.RetryAfter > d {
			d = min(ae.RetryAfter, r.Cap)
		}
		return d
	}
	ceil := r.Base << min(n-1, 30)
	if ceil > r.Cap || ceil <= 0 {
		ceil = r.Cap
	}
	d := time.Duration(rand.Int64N(int64(ceil) + 1))
	if ae := apiErr(err); ae != nil && ae.RetryAfter > d {
		d = min(ae.RetryAfter, r.Cap)
	}
	return d
}

func apiErr(err error) *workplace.APIError {
	var ae *workplace.APIError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

// tries counts one call's attempts. Throttled answers draw on a budget of
// their own, four times Tries: the pacer is already slowing down for them,
// and a throttling server should delay rows, not fail them.
type tries struct{ failed, throttled int }

// again records err and reports whether the policy allows another try.
func (t *tries) again(rt Retry, err error) bool {
	if workplace.IsThrottle(err) {
		t.throttled++
		return t.throttled < 4*rt.Tries
	}
	t.failed++
	return t.failed < rt.Tries
}

// n is the number of tries so far, for the backoff.
func (t *tries) n() int { return t.failed + t.throttled }
