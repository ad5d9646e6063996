package execute

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/wpimport/wpimport/internal/workplace"
)

// Pacer spaces every call under one rate limit and adapts it (AIMD):
// throttling halves the rate (at most once a second) and pauses calls for
// the server's Retry-After, or a second; a quiet second adds back a
// twentieth of the target while X-App-Usage shows room, a hundredth when it
// is getting close, and nothing above UsageHigh, where the rate is trimmed
// by 5% every half second so the server need not throttle at all.
type Pacer struct {
	target  float64
	lim     *rate.Limiter
	mu      sync.Mutex
	cur     float64
	lastCut time.Time
	lastUp  time.Time
	pause   time.Time // no call before this (Retry-After)
	now     func() time.Time
	// counters
	calls, throttles int
}

// UsageHigh is the X-App-Usage percent above which the pacer slows down.
const UsageHigh = 95

// NewPacer paces at most target calls per second.
func NewPacer(target float64) *Pacer {
	if target <= 0 {
		target = 1
	}
	return &Pacer{target: target, cur: target, lim: rate.NewLimiter(rate.Limit(target), 1), now: time.Now}
}

// Wait blocks until n calls may be made.
func (p *Pacer) Wait(ctx context.Context, n int) error {
	p.mu.Lock()
	until := p.pause
	p.calls += n
	p.mu.Unlock()
	if d := time.Until(until); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for i := 0; i < n; i++ {
		if err := p.lim.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Observe adapts the rate to a call's result and the latest usage figure.
func (p *Pacer) Observe(err error, usage int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if workplace.IsThrottle(err) {
		p.throttles++
		wait := time.Duration(0)
		if ae := apiErr(err); ae != nil && ae.RetryAfter > 0 {
			wait = ae.RetryAfter
		}
		if now.Sub(p.lastCut) > time.Second {
			p.set(p.cur * 0.5)
			p.lastCut, p.lastUp = now, now
			wait = max(wait, time.Second)
		}
		if t := now.Add(wait); t.After(p.pause) {
			p.pause = t
		}
		return
	}
	switch {
	case usage >= UsageHigh:
		if now.Sub(p.lastCut) > 500*time.Millisecond {
			p.set(p.cur * 0.95)
			p.lastCut, p.lastUp = now, now
		}
	case now.Sub(p.lastUp) < time.Second || p.cur >= p.target:
	case usage >= 80:
		p.set(p.cur + p.target/100)
		p.lastUp = now
	default:
		p.set(p.cur + p.target/20)
		p.lastUp = now
	}
}

func (p *Pacer) set(r float64) {
	p.cur = min(max(r, p.target/50, 0.5), p.target)
	p.lim.SetLimit(rate.Limit(p.cur))
}

// Rate returns the current pace in calls per second.
func (p *Pacer) Rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// Counts returns calls paced and throttles seen.
func (p *Pacer) Counts() (calls, throttles int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls, p.throttles
}
