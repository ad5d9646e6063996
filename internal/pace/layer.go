package pace

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/wpimport/wpimport/internal/target"
)

// Layer paces every call a target makes under one rate limit, retries the
// calls that are safe to repeat, and stops a run whose service never
// answers. Planning and applying share one Layer, so look-ups and writes
// count against the same limit.
//
// Which calls are retried is the call's own say (target.Call.Idempotent),
// never its HTTP method: a throttled call is always tried again (the
// service did not act on it); a transient error or a lost answer only when
// the call is safe to repeat. A create, an add or a delete comes back to
// its caller, which finds out what happened before any retry.
type Layer struct {
	Pacer *Pacer
	Retry Retry
	usage func() int
	stop  context.Context
	reach reach
	// OnRetry, if set, hears every error a call is retried for (progress
	// shows why a run waits).
	OnRetry func(err error)
}

// New paces at rate calls per second with the retry policy (DefaultRetry
// when retry.Tries is 0).
func New(rate float64, retry Retry) *Layer {
	if retry.Tries == 0 {
		retry = DefaultRetry
	}
	if retry.Sleep == nil {
		retry.Sleep = sleepCtx
	}
	return &Layer{Pacer: NewPacer(rate), Retry: retry, stop: context.Background()}
}

// Open opens the target name through a new layer: the layer wraps every
// call, reads the target's rate budget where it reports one, and names its
// URL when it never answers. cfg.Wrap is set here.
func Open(name string, cfg target.Config, rate float64, retry Retry) (target.Target, *Layer, error) {
	l := New(rate, retry)
	cfg.Wrap = l.Wrap
	t, err := target.Open(name, cfg)
	if err != nil {
		return nil, nil, err
	}
	l.reach.url = t.URL()
	if u, ok := t.(target.UsageReporter); ok {
		l.usage = u.Usage
	}
	return t, l, nil
}

// SetUnreachableAfter shortens UnreachableAfter (check, tests).
func (l *Layer) SetUnreachableAfter(d time.Duration) { l.reach.after = d }

// StopRetries makes retries end when ctx is done (Ctrl-C).
func (l *Layer) StopRetries(ctx context.Context) { l.stop = ctx }

// Stopped reports whether StopRetries' context is done.
func (l *Layer) Stopped() bool { return l.stop.Err() != nil }

func (l *Layer) currentUsage() int {
	if l.usage == nil {
		return 0
	}
	return l.usage()
}

// counterKey carries a *Counter in a context.
type counterKey struct{}

// Counter counts the HTTP calls made under a context: an op's attempts.
type Counter struct{ n atomic.Int64 }

// N is the number of calls counted.
func (c *Counter) N() int { return int(c.n.Load()) }

// WithCounter returns a context whose calls c counts.
func WithCounter(ctx context.Context, c *Counter) context.Context {
	return context.WithValue(ctx, counterKey{}, c)
}

// Wrap is a target.Wrap.
func (l *Layer) Wrap(ctx context.Context, c target.Call, call func(context.Context) error) error {
	counter, _ := ctx.Value(counterKey{}).(*Counter)
	var t Tries
	for {
		sent, err := l.Pacer.Wait(ctx, max(c.Weight, 1))
		if err != nil {
			return err
		}
		if counter != nil {
			counter.n.Add(1)
		}
		err = l.reach.observe(call(ctx))
		l.Pacer.Observe(err, l.currentUsage(), sent)
		if err == nil || target.IsCanceled(err) || target.IsFatal(err) || l.stop.Err() != nil {
			return err
		}
		if !target.IsThrottled(err) && !(c.Idempotent && target.IsRetryable(err)) {
			return err
		}
		if l.OnRetry != nil {
			l.OnRetry(err)
		}
		if !t.Again(l.Retry, err) {
			return err
		}
		if werr := l.Retry.Sleep(l.stop, l.SleepFor(t.N(), err)); werr != nil {
			return err
		}
	}
}

// SleepFor is the backoff before try n, cut short so that a service that
// never answered is declared unreachable on time.
func (l *Layer) SleepFor(n int, err error) time.Duration {
	d := l.Retry.Backoff(n, err)
	if left := l.reach.left(); left > 0 {
		d = min(d, left)
	}
	return d
}
