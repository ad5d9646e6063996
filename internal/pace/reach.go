package pace

import (
	"sync"
	"time"

	"github.com/wpimport/wpimport/internal/target"
)

// UnreachableAfter is how long calls may go unanswered, before any call
// was ever answered, until the run stops: a wrong URL or a closed port is
// told apart from a passing fault in about ten seconds, not minutes.
const UnreachableAfter = 10 * time.Second

// reach watches whether the service has answered at all.
type reach struct {
	mu        sync.Mutex
	answered  bool
	downSince time.Time
	url       string
	after     time.Duration // UnreachableAfter unless a test shortens it
}

func (r *reach) limit() time.Duration {
	if r.after > 0 {
		return r.after
	}
	return UnreachableAfter
}

// noAnswer reports a call that got no answer at all (a refused or reset
// connection, a timeout): an UnknownOutcome with no HTTP status.
func noAnswer(err error) bool {
	te := target.As(err)
	return te != nil && te.Kind == target.UnknownOutcome && te.Status == 0
}

// observe records a call's result and returns the error to give back:
// err, or a *target.Unreachable once nothing has answered for
// UnreachableAfter.
func (r *reach) observe(err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !noAnswer(err) {
		if err == nil || target.As(err) != nil {
			r.answered = true
		}
		return err
	}
	if r.answered {
		return err
	}
	now := time.Now()
	if r.downSince.IsZero() {
		r.downSince = now
	}
	if d := now.Sub(r.downSince); d >= r.limit() {
		return &target.Unreachable{URL: r.url, For: d, Err: err}
	}
	return err
}

// left is how long until the service counts as unreachable (0 once it
// answered): retries sleep no longer than that.
func (r *reach) left() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.answered || r.downSince.IsZero() {
		return 0
	}
	return max(r.limit()-time.Since(r.downSince), 0)
}
