package execute

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wpimport/wpimport/internal/workplace"
)

// UnreachableAfter is how long calls may go unanswered, before any call
// was ever answered, until the run stops: a wrong URL or a closed port is
// told apart from a passing fault in about ten seconds, not minutes.
const UnreachableAfter = 10 * time.Second

// UnreachableError stops a run (exit 4) when the service never answered.
type UnreachableError struct {
	URL string
	For time.Duration
	Err error // the last transport error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("%s did not answer for %s (%v)", e.URL, e.For.Round(time.Second), e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

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

// observe records a call's result and returns the error to give back:
// err, or an *UnreachableError once nothing has answered for
// UnreachableAfter.
func (r *reach) observe(err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var te *workplace.TransportError
	if !errors.As(err, &te) {
		if err == nil || isAPIAnswer(err) {
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
		return &UnreachableError{URL: r.url, For: d, Err: te.Err}
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

func isAPIAnswer(err error) bool {
	var ae *workplace.APIError
	return errors.As(err, &ae)
}

// isFatal reports an error that stops the whole run.
func isFatal(err error) bool {
	var ue *UnreachableError
	return workplace.IsFatal(err) || errors.As(err, &ue)
}

// fatalOr returns the run's fatal error, or err.
func (r *runner) fatalOr(err error) error {
	if f := r.fatalErr(); f != nil {
		return f
	}
	return err
}
