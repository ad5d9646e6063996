package emulator

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// A profile's own limits, on top of Config.Rate: per-route budgets a
// minute (Slack §2) and a long window of successful calls (GitHub §3:
// 1,000 users an hour). Their answers, and Config.Rate's, are the
// profile's 429: Retry-After in seconds unless the service sends none
// (AWS §1, Zoom §5), X-RateLimit-* where documented (Atlassian §4).

type profileThrottle struct {
	limits  []*rate.Limiter // one per rule.limits
	rule    throttleRule
	mu      sync.Mutex
	window  []time.Time // successful (or pending) calls in the window, oldest first
	winMax  int
	winSpan time.Duration
}

func newProfileThrottle(rule throttleRule, cfg Config) *profileThrottle {
	t := &profileThrottle{rule: rule}
	if cfg.SCIMNoRouteLimits {
		rule.limits = nil
		t.rule = rule
	}
	for _, l := range rule.limits {
		t.limits = append(t.limits, rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.burst))
	}
	if rule.window.max > 0 {
		t.winMax = cmp0(cfg.SCIMUserWindowMax, rule.window.max)
		t.winSpan = time.Duration(cmp0(int64(cfg.SCIMUserWindow), int64(rule.window.per)))
	}
	return t
}

// cmp0 is v, or def when v is not positive.
func cmp0[T int | int64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// applies reports whether a route limit covers route ("GET /Users/{id}").
func (l routeLimit) applies(route, method string) bool {
	for _, on := range l.on {
		switch {
		case on == route, on == "read" && method == http.MethodGet, on == "write" && method != http.MethodGet:
			return true
		}
	}
	return false
}

// profileThrottle takes the call's share of every budget that covers it;
// refused says resp is the 429 to answer (and nothing was taken).
func (s *Server) profileThrottle(route, method string) (resp response, refused bool) {
	t := s.throttle
	now := time.Now()
	var taken []*rate.Reservation
	var wait time.Duration
	for i, l := range t.rule.limits {
		if !l.applies(route, method) {
			continue
		}
		r := t.limits[i].ReserveN(now, 1)
		taken = append(taken, r)
		wait = max(wait, r.DelayFrom(now))
	}
	if wait > 0 {
		for _, r := range taken {
			r.CancelAt(now)
		}
		return s.tooMany(wait), true
	}
	if t.winMax > 0 && route == t.rule.window.route {
		t.mu.Lock()
		defer t.mu.Unlock()
		at := s.cfg.Now()
		for len(t.window) > 0 && !t.window[0].After(at.Add(-t.winSpan)) {
			t.window = t.window[1:]
		}
		if len(t.window) >= t.winMax {
			resp := s.tooMany(t.window[0].Add(t.winSpan).Sub(at))
			resp.err.detail = "API rate limit exceeded: at most " + strconv.Itoa(t.winMax) + " users may be provisioned in " +
				t.winSpan.String() + "; wait for the window to move on"
			return resp, true
		}
		t.window = append(t.window, at) // held now, let go in served if the call fails
	}
	return response{}, false
}

// served lets go of a window slot a call held but did not use.
func (s *Server) served(route string, resp response) {
	t := s.throttle
	if t.winMax == 0 || route != t.rule.window.route || (resp.status >= 200 && resp.status < 300) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.window); n > 0 {
		t.window = t.window[:n-1]
	}
}

// tooMany is the profile's 429; wait, if known, is how long until a call
// would pass (else Config.RetryAfter, at least a second).
func (s *Server) tooMany(wait time.Duration) response {
	if wait <= 0 {
		wait = s.cfg.RetryAfter
	}
	secs := max(1, int(math.Ceil(wait.Seconds()-0.001)))
	detail := "Too many requests: slow down and retry after the Retry-After seconds"
	if s.prof.throttle.noRetryAfter {
		detail = "Too many requests: the request rate exceeds the service's limits; slow down and retry later"
	}
	resp := errOf(scimErr(http.StatusTooManyRequests, "", "%s", detail))
	resp.headers = map[string]string{}
	if !s.prof.throttle.noRetryAfter {
		resp.headers["Retry-After"] = strconv.Itoa(secs)
	}
	if s.prof.throttle.rateHeaders { // Atlassian: when the limit resets, ISO 8601
		resp.headers["X-RateLimit-Reset"] = s.cfg.Now().UTC().Add(time.Duration(secs) * time.Second).Format("2006-01-02T15:04Z")
	}
	return resp
}

// rateHeaders are the X-RateLimit-Limit and -Remaining of Config.Rate on
// every answer, where the profile sends them.
func (s *Server) rateHeaders() map[string]string {
	if !s.prof.throttle.rateHeaders || s.limiter == nil {
		return nil
	}
	return map[string]string{
		"X-RateLimit-Limit":     strconv.Itoa(s.limiter.Burst()),
		"X-RateLimit-Remaining": strconv.Itoa(max(0, int(s.limiter.Tokens()))),
	}
}
