package execute

import (
	"context"
	"errors"
	"net/http"

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
}

// NewLayer paces at rate calls per second with the retry policy.
func NewLayer(rate float64, retry Retry) *Layer {
	if retry.Tries == 0 {
		retry = DefaultRetry
	}
	return &Layer{Pacer: NewPacer(rate), Retry: retry, stop: context.Background()}
}

// Bind tells the layer where to read the X-App-Usage figure.
func (l *Layer) Bind(usage func() int) { l.usage = usage }

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
		if err := l.Pacer.Wait(ctx, weight); err != nil {
			return err
		}
		err := call(ctx)
		l.Pacer.Observe(err, l.currentUsage())
		if err == nil || method != http.MethodGet || errors.Is(err, context.Canceled) || workplace.IsFatal(err) ||
			!workplace.IsTransient(err) || l.stop.Err() != nil {
			return err
		}
		if !t.again(l.Retry, err) {
			return err
		}
		if werr := l.Retry.Sleep(l.stop, l.Retry.backoff(t.n(), err)); werr != nil {
			return err
		}
	}
}
