package execute

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/wpimport/wpimport/internal/workplace"
)

// Layer paces every API call and retries reads. Give its Wrap to
// workplace.Config so that planning and applying share one rate limit.
// Writes are not retried here: the runner retries them, knowing which are
// safe to repeat.
type Layer struct {
	Pacer *Pacer
	Retry Retry
	usage func() int
	stop  context.Context
	reach reach
	// OnRetry, if set, hears every transient error a call is retried for
	// (progress shows why a run waits).
	OnRetry func(err error)
}

// NewLayer paces at rate calls per second with the retry policy.
func NewLayer(rate float64, retry Retry) *Layer {
	if retry.Tries == 0 {
		retry = DefaultRetry
	}
	return &Layer{Pacer: NewPacer(rate), Retry: retry, stop: context.Background()}
}

// SetUnreachableAfter shortens UnreachableAfter (tests).
func (l *Layer) SetUnreachableAfter(d time.Duration) { l.reach.after = d }

// Bind tells the layer where to read the X-App-Usage figure, and the URL
// an unreachable error names.
func (l *Layer) Bind(usage func() int, url string) { l.usage, l.reach.url = usage, url }

// StopRetries makes read retries end when ctx is done (Ctrl-C).
func (l *Layer) StopRetries(ctx context.Context) { l.stop = ctx }

func (l *Layer) currentUsage() int {
	if l.usage == nil {
		return 0
	}
	return l.usage()
}

// Wrap is a workplace.Config.Wrap.
func (l *Layer) Wrap(ctx context.Context, method string, weight int, call func(context.Context) error) error {
	var t tries
	for {
		sent, err := l.Pacer.Wait(ctx, weight)
		if err != nil {
			return err
		}
		err = l.reach.observe(call(ctx))
		l.Pacer.Observe(err, l.currentUsage(), sent)
		if err != nil && l.OnRetry != nil && workplace.IsTransient(err) {
			l.OnRetry(err)
		}
		if err == nil || method != http.MethodGet || errors.Is(err, context.Canceled) || isFatal(err) ||
			!workplace.IsTransient(err) || l.stop.Err() != nil {
			return err
		}
		if !t.again(l.Retry, err) {
			return err
		}
		if werr := l.Retry.Sleep(l.stop, l.sleepFor(t.n(), err)); werr != nil {
			return err
		}
	}
}

// sleepFor is the backoff before try n, cut short so that a service that
// never answered is declared unreachable on time.
func (l *Layer) sleepFor(n int, err error) time.Duration {
	d := l.Retry.backoff(n, err)
	if left := l.reach.left(); left > 0 {
		d = min(d, left)
	}
	return d
}
