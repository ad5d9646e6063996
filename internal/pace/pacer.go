package pace

import (
	"cmp"
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/wpimport/wpimport/internal/target"
)

// Pacer spaces every call under one rate limit and finds the server's own
// limit when --rate guesses it too high. No Workplace limit is published,
// so the pacer learns it from throttled answers alone, losing neither pace
// nor more than a few calls to throttling:
//
//   - Slow start: it begins at a quarter of the target (at most 8 calls/s)
//     and doubles the pace every 200 ms. The pace at the first throttle is
//     the ceiling (at most twice the last good one), and the pace restarts
//     from half of what it was sending in the last second (at least a
//     quarter of the pace reached).
//   - A throttle is one event however many calls in flight come back
//     throttled: only a call let go after the last cut acts again.
//   - A call let go before a cut, or so soon after it that the old pace
//     spaced it, says nothing of the new pace: its throttle is not a new
//     event, and its success does not grow the pace.
//   - One throttle among the last twenty answers is timing jitter at the
//     limit (a server bucket of one call): the pace is nudged down 5%.
//   - More is overload, and a run of throttle events less than a second
//     apart is an episode, through which the server's bucket is empty. The
//     pace is cut to 90% of the least of: itself, what it sent and what
//     the server accepted in the last second, and, once the episode has
//     lasted 300 ms with 5 calls accepted, what the server accepted of the
//     calls let go since it began. A second throttle before that can be
//     read, while the server accepts all it is sent (a large bucket just
//     ran dry), cuts the pace by a quarter; and until it is read the pace
//     does not grow.
//   - The ceiling is halfway between the pace that was throttled and the
//     pace kept, or, if the episode shows the server accepting clearly less
//     than it was offered, that lower rate. What the server accepted of an
//     offer no larger is only our own pace, which says nothing of the limit.
//   - Below 94% of the ceiling each success closes a tenth of the gap to
//     95%; above it each adds 0.05%, so the pace meets the limit again only
//     every hundred or so calls, at 15 calls/s as at 100.
//   - No throttle for 150 successes or 8 s near the ceiling makes it stale:
//     the pace probes upwards by 25% every 200 ms, and a throttle there
//     steps back one step and sets the ceiling there; if the step back
//     throttles too (a server's bucket can absorb a step), the pace and
//     the ceiling go back to where the probe started.
//   - Calls wait in the limiter one at a time, and a change of pace applies
//     to the call waiting: its reservation is cancelled and made again. (A
//     reservation kept would be repaid at the new pace, so after a rise two
//     calls went nearly together, and a server with a one-call bucket
//     throttled the second.)
//   - Three answers throttled in a row, none accepted of the calls let go
//     since the first, mean the server takes nothing now: a window of
//     calls used up (many services count calls per second, fixed or
//     sliding), or a bucket far overdrawn. A slower pace would be refused
//     as well, so every call pauses, 100 ms and twice as long each time it
//     goes on, up to a second; the pace drops to 95% of what the server
//     accepted in the last second, its ceiling, and is cut no further.
//   - Retry-After pauses every call; X-App-Usage at UsageHigh or above trims
//     the pace by 5% every half second, and above 80% it grows no further.
type Pacer struct {
	target    float64
	lim       *rate.Limiter
	waitMu    sync.Mutex // one waiter in lim at a time
	mu        sync.Mutex
	changed   chan struct{} // closed when the pace or the pause changes
	cur       float64
	ceiling   float64   // the server's limit as last measured; 0 = unknown
	grow      float64   // >1: multiply the pace by it every 200 ms (slow start, probing)
	lastUp    time.Time // last multiplicative step
	probeFrom float64   // the pace a probe upwards started from
	probed    time.Time // when the last probe was throttled
	above     int       // successes at or above 95% of the ceiling since the last cut
	near      time.Time // when the pace last came near the ceiling
	lastCut   time.Time
	// An episode is a run of throttle events less than a second apart
	// (lastEvent the latest): the server's bucket is empty through it, so
	// okCut, the successes of calls let go since it began (the last one let
	// go at okSent), measure the server's own rate.
	lastEvent   time.Time
	episode     time.Time
	okSent      time.Time
	okCut       int
	sentEp      int           // calls let go since the episode began
	pause       time.Time     // no call before this (Retry-After, a closed server)
	refused     int           // throttled answers since the last success
	refusedFrom time.Time     // when the first of them was let go
	closedFor   time.Duration // the last pause for a closed server
	ok          ring          // times of the last successes
	second      perSecond     // successes in the last second
	sent        ring          // times of the last sends
	recent      [20]bool      // the last answers, true if throttled
	ri          int
	now         func() time.Time
	// counters
	calls, throttles int
}

// UsageHigh is the X-App-Usage percent above which the pacer slows down.
const UsageHigh = 95

// ring holds the last len(t) times.
type ring struct {
	t    [12]time.Time
	n, i int
}

func (r *ring) add(t time.Time) {
	r.t[r.i] = t
	r.i = (r.i + 1) % len(r.t)
	r.n = min(r.n+1, len(r.t))
}

// rate is the number of events per second over the ring's last second
// (an older pace says nothing of now), or 0 when too few to tell.
func (r *ring) rate() float64 {
	newest := r.t[(r.i+len(r.t)-1)%len(r.t)]
	k := 1 // events within a second of the newest
	for k < r.n {
		t := r.t[(r.i+len(r.t)-1-k)%len(r.t)]
		if newest.Sub(t) > time.Second {
			break
		}
		k++
	}
	if k < 4 {
		return 0
	}
	oldest := r.t[(r.i+len(r.t)-k)%len(r.t)]
	span := newest.Sub(oldest).Seconds()
	if span <= 0 {
		return 0
	}
	return float64(k-1) / span
}

// perSecond counts events over the last second, in 50 ms slots.
type perSecond struct {
	n    [20]int
	slot [20]int64 // which 50 ms of time each count is for
}

func (c *perSecond) add(t time.Time) {
	k := t.UnixMilli() / 50
	i := k % int64(len(c.n))
	if c.slot[i] != k {
		c.slot[i], c.n[i] = k, 0
	}
	c.n[i]++
}

func (c *perSecond) count(now time.Time) int {
	k := now.UnixMilli() / 50
	n := 0
	for i := range c.n {
		if k-c.slot[i] < int64(len(c.n)) {
			n += c.n[i]
		}
	}
	return n
}

// NewPacer paces at most target calls per second.
func NewPacer(target float64) *Pacer {
	if target <= 0 {
		target = 1
	}
	// Slow start from a quarter of the target, and at most startRate: a
	// guess ten times too high would otherwise overshoot from the first call.
	start := min(max(target/4, min(target, 2)), startRate)
	return &Pacer{target: target, cur: start, grow: 2, now: time.Now,
		lim: rate.NewLimiter(rate.Limit(start), 1), changed: make(chan struct{})}
}

// Wait blocks until n calls may be made, and returns when they were let
// go: Observe needs it to tell fresh news from old.
func (p *Pacer) Wait(ctx context.Context, n int) (time.Time, error) {
	p.mu.Lock()
	p.calls += n
	p.mu.Unlock()
	// One waiter at a time, its reservation made again when the pace
	// changes while it waits (see Pacer).
	p.waitMu.Lock()
	defer p.waitMu.Unlock()
	for i := 0; i < n; i++ {
		if err := p.reserve(ctx); err != nil {
			return time.Time{}, err
		}
	}
	p.mu.Lock()
	sent := p.now()
	p.sent.add(sent)
	if !sent.Before(p.episode) {
		p.sentEp += n
	}
	p.mu.Unlock()
	return sent, nil
}

// reserve waits for the limiter to let one call go. A reservation keeps
// the pace it was made at, and the limiter repays its debt at whatever
// pace follows: after a rise the next call would come at once. So when the
// pace changes the reservation is cancelled, which gives its token back,
// and made again at the new pace.
func (p *Pacer) reserve(ctx context.Context) error {
	for {
		p.mu.Lock()
		changed := p.changed
		paused := p.pause.Sub(p.now())
		p.mu.Unlock()
		if paused > 0 {
			t := time.NewTimer(paused)
			select {
			case <-t.C:
			case <-changed:
				t.Stop()
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			}
			continue
		}
		r := p.lim.Reserve()
		d := r.Delay()
		if d == 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
			return nil
		case <-changed:
			t.Stop()
			r.Cancel()
		case <-ctx.Done():
			t.Stop()
			r.Cancel()
			return ctx.Err()
		}
	}
}

// Observe adapts the pace to the answer of a call let go at sent, and to
// the latest X-App-Usage figure (0 when the server sends none).
func (p *Pacer) Observe(err error, usage int, sent time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	throttled := target.IsThrottled(err)
	if err == nil || throttled {
		p.recent[p.ri] = throttled
		p.ri = (p.ri + 1) % len(p.recent)
	}
	switch {
	case throttled:
		p.onThrottle(err, now, sent)
	case err == nil:
		p.onSuccess(usage, now, sent)
	}
}

// onThrottle adapts the pace to a throttled answer, at now, to a call let
// go at sent.
func (p *Pacer) onThrottle(err error, now, sent time.Time) {
	p.throttles++
	if ra := target.RetryAfterOf(err); ra > 0 {
		p.pauseUntil(now.Add(ra))
	}
	if p.refused == 0 {
		p.refusedFrom = sent
	}
	if p.refused++; p.refused >= closedAfter {
		// Answers throttled in a row, none accepted: the server takes
		// nothing now (its window of calls is used up, or its bucket
		// far overdrawn), and a slower pace would be refused as well.
		// Pause every call, longer each time it goes on. What the
		// server took in the last second is its ceiling, and the pace
		// is brought under it once; these refusals cut it no further.
		if n := float64(p.second.count(now)); p.closedFor == 0 && n > 0 {
			p.set(min(p.cur, 0.95*n))
			p.ceiling = min(cmp.Or(p.ceiling, n), n)
			p.grow = 0
		}
		p.closedFor = min(max(2*p.closedFor, closedPause), time.Second)
		p.pauseUntil(now.Add(p.closedFor))
		p.refused = closedAfter - 1 // one more refusal pauses again
		p.lastCut = now
		return
	}
	if sent.Before(p.lastCut.Add(time.Duration(float64(time.Second) / p.cur))) {
		// Sent before the last cut, or so soon after it that the old
		// pace spaced it: that event is handled.
		return
	}
	p.lastCut = now
	if p.grow == probeGrowth {
		// Probing upwards: the limit lies between the last step and
		// this one. Step back, and take the last step as the ceiling.
		// A bucket, full after the quiet that started the probe, may
		// have absorbed that step too: if throttles go on, this is
		// the start of their run, and the pace goes back to where the
		// probe started (see probed).
		p.ceiling = p.cur / probeGrowth
		p.grow, p.above, p.near = 0, 0, now
		p.episode, p.lastEvent, p.okCut, p.sentEp = now, now, 0, 0
		p.probed = now
		p.set(p.ceiling)
		return
	}
	if n := p.recentThrottles(); p.grow == 0 && n <= 1 {
		// One throttle among many answers: timing jitter at the
		// server's limit (a small bucket), not overload. Nudge.
		p.set(p.cur * nudge)
		p.ceiling = min(p.ceiling, p.cur/nudge)
		p.above, p.near = 0, now
		return
	}
	accepted, sending := p.ok.rate(), p.sent.rate()
	// An episode is a run of throttle events less than a second apart:
	// through it the server's bucket is empty, so what it answered
	// since the episode began is its own rate.
	if now.Sub(p.lastEvent) > time.Second {
		p.episode, p.okCut, p.sentEp = now, 0, 0
	}
	sinceCut, okCut := p.okSent.Sub(p.episode), p.okCut
	p.lastEvent = now
	if p.grow == 2 {
		// The end of slow start: the last second was mostly at a lower
		// pace, so measure nothing; the pace reached is the ceiling, at
		// most twice the last good one. Restart from half of it.
		p.ceiling, p.grow, p.above, p.near = p.cur, 0, 0, now
		p.lastUp = now
		p.set(min(p.cur, max(sending, p.cur/2)) / 2)
		return
	}
	if p.probed.Equal(p.episode) && okCut < 3 {
		// A probe's step back throttled too, before the server's rate
		// can be read: a bucket absorbed that step. Go back to where
		// the probe started, which held for long: that is the ceiling.
		p.grow, p.above, p.near, p.lastUp = 0, 0, now, now
		p.ceiling = min(p.probeFrom, p.cur)
		p.set(p.ceiling)
		return
	}
	// What the server accepted through the episode is its limit only
	// if it was offered clearly more: otherwise that is our own pace,
	// and the limit is above it. The last second mixes paces, so it
	// caps the pace but does not set the ceiling.
	limited := false
	if p.measured() {
		r := float64(okCut) / sinceCut.Seconds()
		if accepted == 0 || r < accepted {
			accepted = r
		}
		limited = r < float64(p.sentEp)/now.Sub(p.episode).Seconds()/1.1
	}
	next := p.cur
	if sending > 0 {
		next = min(next, sending)
	}
	if p.episode.Before(now) && okCut < 3 && (accepted == 0 || accepted > 0.95*p.cur) {
		// Throttled again before the server's own rate can be read,
		// and what it accepted lately is no less than this pace: a
		// large bucket just ran dry, the pace is well above the limit.
		next = min(next, p.cur*0.75)
	}
	p.grow, p.above, p.near, p.lastUp = 0, 0, now, now
	if accepted > 0 {
		next = min(next, accepted)
	}
	next *= 0.9
	if !limited {
		// The last second can mix a lower pace in: cut by at most 30%
		// until the episode measures the limit.
		next = max(next, 0.7*p.cur)
	}
	// Throttled at this pace: the limit is below it, and likely above
	// the pace kept. The ceiling is halfway, unless the episode
	// measured the limit.
	p.ceiling = (p.cur + next) / 2
	if limited {
		p.ceiling = min(accepted, p.cur)
	}
	p.set(next)
}

// onSuccess adapts the pace to a call let go at sent and answered at now,
// and to the X-App-Usage figure.
func (p *Pacer) onSuccess(usage int, now, sent time.Time) {
	p.ok.add(now)
	p.second.add(now)
	if !sent.Before(p.refusedFrom) {
		// Accepted, though let go after refusals began (an answer to an
		// earlier call may arrive after them): the server is open again.
		p.refused, p.closedFor = 0, 0
	}
	if !sent.Before(p.episode) {
		// A call let go after the episode began: the server admitted it
		// with its bucket empty, at its own rate.
		p.okCut++
		p.okSent = sent
	}
	switch {
	case sent.Before(p.lastCut) && p.grow == 0:
		// Let go before the last cut: it says nothing of the new pace.
	case now.Sub(p.lastEvent) < time.Second && !p.measured():
		// Throttles are going on and the server's rate is not read yet:
		// hold the pace until it is.
	case usage >= UsageHigh:
		if now.Sub(p.lastCut) > 500*time.Millisecond {
			p.set(p.cur * 0.95)
			p.lastCut = now
		}
	case usage >= 80 || p.cur >= p.target:
	case p.grow > 1:
		if now.Sub(p.lastUp) >= 200*time.Millisecond {
			p.lastUp = now
			p.set(p.cur * p.grow)
		}
	case p.cur < 0.94*p.ceiling:
		p.set(p.cur + (0.95*p.ceiling-p.cur)/10)
		p.near = now
	default:
		p.set(p.cur * 1.0005)
		if p.above++; p.above > staleAfter || now.Sub(p.near) > staleFor {
			// No throttle for a while near the ceiling: it was measured
			// low (a burst, a busy moment). Probe upwards faster.
			p.grow, p.lastUp, p.probeFrom = probeGrowth, now, p.cur
		}
	}
}

// nudge is the pace kept after a lone throttle at the limit.
const nudge = 0.95

// closedAfter throttled answers in a row, none accepted, pause every call:
// for closedPause, doubling up to a second while refusals go on.
const (
	closedAfter = 3
	closedPause = 100 * time.Millisecond
)

// probeGrowth multiplies the pace every 200 ms while the server's limit is
// unknown; staleAfter successes near the ceiling without a throttle make
// the ceiling unknown.
const (
	startRate   = 8 // calls/s: slow start begins at most this fast
	probeGrowth = 1.25
	staleAfter  = 150
	staleFor    = 8 * time.Second
)

// measured reports whether the episode has lasted long enough, with
// enough calls accepted, to tell the server's own rate: a few calls over a
// short while can be what a sliding window let through as the burst that
// filled it ages out.
func (p *Pacer) measured() bool {
	return p.okCut >= 5 && p.okSent.Sub(p.episode) >= 300*time.Millisecond
}

// recentThrottles counts the throttled answers among the last ones.
func (p *Pacer) recentThrottles() int {
	n := 0
	for _, t := range p.recent {
		if t {
			n++
		}
	}
	return n
}

// pauseUntil lets no call go before t, the one waiting included.
func (p *Pacer) pauseUntil(t time.Time) {
	if t.After(p.pause) {
		p.pause = t
		p.wake()
	}
}

func (p *Pacer) wake() {
	close(p.changed)
	p.changed = make(chan struct{})
}

func (p *Pacer) set(r float64) {
	p.cur = min(max(r, p.target/100, 0.2), p.target)
	p.lim.SetLimit(rate.Limit(p.cur))
	p.wake() // the waiting call may be due sooner or later
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
