package pace

import (
	"context"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/target"
)

// A change of pace applies to the call already waiting. A rise must never
// let two calls go closer than the new pace allows: a token bucket repays
// the waiter's debt at the new pace, and at twice the pace sent the next
// call at once, which a server with a one-call bucket throttles. A cut
// holds the waiting call back at once, not when its old reservation is due. Only lower bounds are checked:
// timers are late under load, never early.
func TestPacerSpacingFollowsChanges(t *testing.T) {
	p := NewPacer(100)
	setPace := func(r float64) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.set(r)
	}
	send := func() time.Time {
		s, err := p.Wait(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	setPace(10)
	send()
	b := send() // 100 ms after the first
	later := func(d time.Duration, r float64) {
		time.AfterFunc(d, func() { setPace(r) })
	}
	later(10*time.Millisecond, 20) // while the third call waits
	c := send()
	d := send()
	if gap := d.Sub(c); gap < 45*time.Millisecond {
		t.Errorf("after a rise to 20/s, calls %v apart, want at least 50 ms", gap)
	}
	if gap := c.Sub(b); gap < 45*time.Millisecond {
		t.Errorf("the waiting call went %v after the last, want at least 50 ms", gap)
	}
	later(10*time.Millisecond, 4) // a cut while the fifth call waits
	e := send()
	// 10 ms of the wait were at 20/s (a fifth of a call); the rest at 4/s.
	if gap := e.Sub(d); gap < 190*time.Millisecond {
		t.Errorf("after a cut to 4/s, the waiting call went %v after the last, want 210 ms", gap)
	}
}

// Waiting stops when the context ends, and a call of weight n is spaced
// as n calls.
func TestPacerWaitWeightAndCancel(t *testing.T) {
	p := NewPacer(100)
	p.mu.Lock()
	p.set(20)
	p.mu.Unlock()
	a, _ := p.Wait(context.Background(), 1)
	b, err := p.Wait(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if gap := b.Sub(a); gap < 140*time.Millisecond {
		t.Errorf("a call of weight 3 at 20/s went %v after the last, want 150 ms", gap)
	}
	slow := NewPacer(10)
	slow.mu.Lock()
	slow.set(0.2) // 5 s between calls
	slow.mu.Unlock()
	slow.Wait(context.Background(), 1)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := slow.Wait(ctx, 1); err != context.DeadlineExceeded {
		t.Fatalf("Wait after its context ended: %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Wait took %v to see its context end", el)
	}
}

// Three answers throttled in a row, none accepted, mean the server takes
// nothing now (a window of calls used up): every call pauses, and the pace
// comes under what the server accepted in the last second.
func TestPacerPausesWhenClosed(t *testing.T) {
	p := NewPacer(100)
	p.mu.Lock()
	p.set(50)
	p.grow = 0
	p.mu.Unlock()
	throttle := &target.Error{Kind: target.Throttled, Status: 400, Code: "4"}
	ctx := context.Background()
	for range 4 {
		s, _ := p.Wait(ctx, 1)
		p.Observe(nil, 0, s)
	}
	for range 3 {
		s, _ := p.Wait(ctx, 1)
		p.Observe(throttle, 0, s)
	}
	if r := p.Rate(); r > 0.95*4+0.01 {
		t.Errorf("pace %.1f/s after the server closed, having accepted 4 calls in the last second; want at most 3.8", r)
	}
	p.mu.Lock()
	p.set(50) // so that only the pause can hold the next call
	p.mu.Unlock()
	start := time.Now()
	p.Wait(ctx, 1)
	if el := time.Since(start); el < 90*time.Millisecond {
		t.Errorf("the next call went after %v; want a pause of 100 ms", el)
	}
}
