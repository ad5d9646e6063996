package emulator

import (
	"sync"
	"time"
)

type outcome int

const (
	outcomeServed outcome = iota
	outcomeThrottled
	outcomeFault
	outcomeDropped
	outcomeRejected
)

type stats struct {
	mu        sync.Mutex
	byRoute   map[string]int
	calls     int
	throttled int
	faults    int
	dropped   int
	rejected  int
	// admitted call times within the last second, for the max-rate figure
	window []time.Time
	maxSec int
}

// Stats are the emulator's counters, served at /_emulator/stats.
type Stats struct {
	Calls     int            `json:"calls"`                // every API call, batch items included
	ByRoute   map[string]int `json:"by_route"`             // calls by "METHOD /route"
	Throttled int            `json:"throttled"`            // answered code 4
	Faults    int            `json:"faults"`               // answered 500 code 2
	Dropped   int            `json:"dropped"`              // committed, then left unanswered
	Rejected  int            `json:"rejected"`             // bad token
	MaxPerSec int            `json:"max_calls_per_second"` // most calls admitted in any 1 s window
}

func (st *stats) count(route string, o outcome) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.calls++
	st.byRoute[route]++
	switch o {
	case outcomeThrottled:
		st.throttled++
	case outcomeFault:
		st.faults++
	case outcomeDropped:
		st.dropped++
	case outcomeRejected:
		st.rejected++
	}
}

// admit records a call that passed the rate limit.
func (st *stats) admit(now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	cut := now.Add(-time.Second)
	i := 0
	for i < len(st.window) && !st.window[i].After(cut) {
		i++
	}
	st.window = append(st.window[i:], now)
	st.maxSec = max(st.maxSec, len(st.window))
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	st := &s.stats
	st.mu.Lock()
	defer st.mu.Unlock()
	by := make(map[string]int, len(st.byRoute))
	for k, v := range st.byRoute {
		by[k] = v
	}
	return Stats{Calls: st.calls, ByRoute: by, Throttled: st.throttled, Faults: st.faults, Dropped: st.dropped,
		Rejected: st.rejected, MaxPerSec: st.maxSec}
}

// ResetStats zeroes the counters (between phases of a test).
func (s *Server) ResetStats() {
	st := &s.stats
	st.mu.Lock()
	defer st.mu.Unlock()
	st.byRoute = map[string]int{}
	st.calls, st.throttled, st.faults, st.dropped, st.rejected, st.maxSec = 0, 0, 0, 0, 0, 0
	st.window = nil
}

// recent counts the calls admitted in the second before now.
func (st *stats) recent(now time.Time) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	cut := now.Add(-time.Second)
	n := 0
	for i := len(st.window) - 1; i >= 0 && st.window[i].After(cut); i-- {
		n++
	}
	return n
}
