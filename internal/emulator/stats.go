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
	// admitted calls per second over the last hour, for X-App-Usage
	perSec []secCount
}

type secCount struct {
	sec int64
	n   int
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
	sec := now.Unix()
	if n := len(st.perSec); n > 0 && st.perSec[n-1].sec == sec {
		st.perSec[n-1].n++
	} else {
		j := 0
		for j < len(st.perSec) && st.perSec[j].sec <= sec-3600 {
			j++
		}
		st.perSec = append(st.perSec[j:], secCount{sec, 1})
	}
}

// within counts the calls admitted in the window w before now.
func (st *stats) within(now time.Time, w time.Duration) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	from := now.Add(-w).Unix()
	n := 0
	for i := len(st.perSec) - 1; i >= 0 && st.perSec[i].sec > from; i-- {
		n += st.perSec[i].n
	}
	return n
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
