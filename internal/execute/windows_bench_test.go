package execute_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/plan"
)

// windowLimit is a rate limit of another kind than the emulator's token
// bucket, written apart from it: at most limit calls in each wall-clock
// second (fixed), or in any second (sliding, a log of admitted calls).
// Many services count so. A refused call gets Graph's documented throttle
// answer, code 4, here with HTTP 400.
type windowLimit struct {
	limit   int
	sliding bool
	next    http.Handler

	mu              sync.Mutex
	window          time.Time
	inWindow        int
	admitted        []time.Time
	calls, refusals int
}

func (l *windowLimit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !l.admit(time.Now()) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","is_transient":true,"code":4,"fbtrace_id":"AbC12"}}`)
		return
	}
	l.next.ServeHTTP(w, r)
}

func (l *windowLimit) admit(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	if l.sliding {
		i := 0
		for i < len(l.admitted) && now.Sub(l.admitted[i]) >= time.Second {
			i++
		}
		l.admitted = l.admitted[i:]
		if len(l.admitted) >= l.limit {
			l.refusals++
			return false
		}
		l.admitted = append(l.admitted, now)
		return true
	}
	if w := now.Truncate(time.Second); !w.Equal(l.window) {
		l.window, l.inWindow = w, 0
	}
	if l.inWindow >= l.limit {
		l.refusals++
		return false
	}
	l.inWindow++
	return true
}

func (l *windowLimit) counts() (calls, refusals int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls, l.refusals
}

// BenchmarkPacingWindows is the pacing goal against limits that are not a
// token bucket: 300 creates, 50 ms latency, 8 workers, no X-App-Usage, a
// limit of 40 calls a second counted in fixed or sliding one-second
// windows, --rate guessed at L, 2L and 10L. Goal as for BenchmarkPacing:
// achieved ≥ 0.85·L, throttled ≤ 3%, no failed row.
func BenchmarkPacingWindows(b *testing.B) {
	const limit = 40
	for _, kind := range []string{"fixed", "sliding"} {
		for _, guess := range []float64{1, 2, 10} {
			b.Run(fmt.Sprintf("%s/L=%d/rate=%gL", kind, limit, guess), func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					w := newWorld(b, graphT, emulator.Config{Latency: 50 * time.Millisecond, NoUsage: true})
					p := w.plan(b, generated(b, 300, false, 0), plan.Options{})
					target, err := url.Parse(w.srv.URL())
					if err != nil {
						b.Fatal(err)
					}
					lim := &windowLimit{limit: limit, sliding: kind == "sliding", next: httputil.NewSingleHostReverseProxy(target)}
					front := httptest.NewServer(lim)
					b.Cleanup(front.Close)
					tgt, layer := openAt(b, graphT, front.URL, w.srv.Token(), limit*guess, pace.DefaultRetry)
					time.Sleep(time.Second)
					b.StartTimer()
					start := time.Now()
					r, err := execute.Run(context.Background(), tgt, layer, p, execute.Options{Concurrency: 8})
					el := time.Since(start).Seconds()
					if err != nil {
						b.Fatal(err)
					}
					calls, refused := lim.counts()
					failed := 0
					for _, o := range r.Outcomes {
						if o.Status != plan.Created {
							failed++
						}
					}
					b.ReportMetric(float64(calls-refused)/el/limit, "achieved/L")
					b.ReportMetric(100*float64(refused)/float64(calls), "%-throttled")
					b.ReportMetric(float64(failed), "failed-rows")
				}
			})
		}
	}
}
