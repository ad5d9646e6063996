package scim

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// usage is how much of its rate budget the service says is spent, read
// from the headers of every answer:
//   - RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset (the IETF
//     draft's first form), or one RateLimit header with limit=, remaining=,
//     reset= (its second), or RateLimit-Policy q= with RateLimit r= and t=
//     (its latest);
//   - X-RateLimit-Limit, -Remaining, -Reset (Atlassian §4, GitHub's REST
//     API) and X-Rate-Limit-*.
//
// Reset is seconds from now, a Unix time, or an ISO 8601 time; once it is
// past, the figure no longer holds.
type usage struct {
	mu    sync.Mutex
	pct   int
	until time.Time // zero: until the next answer says otherwise
}

// Usage is the percent of the service's rate budget used, as its last
// answer with rate headers said: the pacer slows down before the service
// throttles. 0 where the service sends none.
func (c *Client) Usage() int { return c.usage.get(time.Now()) }

func (u *usage) get(now time.Time) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.until.IsZero() && now.After(u.until) {
		return 0
	}
	return u.pct
}

func (u *usage) observe(h http.Header, now time.Time) {
	limit, remaining, reset, ok := rateOf(h)
	if !ok || limit <= 0 {
		return
	}
	pct := int(math.Round(100 * float64(limit-min(max(remaining, 0), limit)) / float64(limit)))
	u.mu.Lock()
	defer u.mu.Unlock()
	u.pct, u.until = pct, resetAt(reset, now)
}

// rateOf reads the limit, what remains of it and when it resets.
func rateOf(h http.Header) (limit, remaining float64, reset string, ok bool) {
	num := func(s string) (float64, bool) {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return f, err == nil
	}
	for _, prefix := range []string{"RateLimit-", "X-RateLimit-", "X-Rate-Limit-"} {
		l, okL := num(firstPart(h.Get(prefix + "Limit")))
		r, okR := num(firstPart(h.Get(prefix + "Remaining")))
		if okL && okR {
			return l, r, h.Get(prefix + "Reset"), true
		}
	}
	params := paramsOf(h.Get("RateLimit"))
	if l, okL := num(params["limit"]); okL {
		r, okR := num(params["remaining"])
		return l, r, params["reset"], okR
	}
	policy := paramsOf(h.Get("RateLimit-Policy"))
	if q, okQ := num(policy["q"]); okQ {
		r, okR := num(params["r"])
		return q, r, params["t"], okR
	}
	return 0, 0, "", false
}

// firstPart is a list header's first value ("100, 100;w=60" → "100").
func firstPart(v string) string {
	v, _, _ = strings.Cut(v, ",")
	v, _, _ = strings.Cut(v, ";")
	return v
}

// paramsOf reads name=value parameters separated by , or ; (the first
// item's only, for the draft's structured fields).
func paramsOf(v string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			k = strings.ToLower(strings.TrimSpace(k))
			if _, seen := out[k]; !seen {
				out[k] = strings.Trim(strings.TrimSpace(val), `"`)
			}
		}
	}
	return out
}

// resetAt reads a reset: seconds from now, a Unix time, or an ISO 8601
// time; zero if none can be read.
func resetAt(v string, now time.Time) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n > 1e9 {
			return time.Unix(int64(n), 0)
		}
		return now.Add(time.Duration(n * float64(time.Second)))
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04Z", time.RFC1123} {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	return time.Time{}
}
