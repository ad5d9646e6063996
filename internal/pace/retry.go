package pace

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/wpimport/wpimport/internal/target"
)

// Retry is the one retry policy for every call and intent: how many tries,
// and the backoff between them.
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

// Backoff is the full-jitter delay before try n (n ≥ 1 is the first
// retry), at least the server's Retry-After. A throttled call waits only
// a little: the pacer, which every try goes through, has already slowed
// down, and a long sleep would leave workers idle below the pace.
func (r Retry) Backoff(n int, err error) time.Duration {
	var d time.Duration
	if target.IsThrottled(err) {
		d = time.Duration(rand.Int64N(int64(r.Base/5) + 1))
	} else {
		ceil := r.Base << min(n-1, 30)
		if ceil > r.Cap || ceil <= 0 {
			ceil = r.Cap
		}
		d = time.Duration(rand.Int64N(int64(ceil) + 1))
	}
	if ra := target.RetryAfterOf(err); ra > d {
		d = min(ra, r.Cap)
	}
	return d
}

// Tries counts one call's or intent's attempts. Throttled answers draw on
// a budget of their own, four times Retry.Tries: the pacer is already
// slowing down for them, and a throttling server should delay rows, not
// fail them.
type Tries struct{ failed, throttled int }

// Again records err and reports whether the policy allows another try.
func (t *Tries) Again(rt Retry, err error) bool {
	if target.IsThrottled(err) {
		t.throttled++
		return t.throttled < 4*rt.Tries
	}
	t.failed++
	return t.failed < rt.Tries
}

// N is the number of tries so far, for the backoff.
func (t *Tries) N() int { return t.failed + t.throttled }
