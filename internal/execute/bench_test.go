package execute_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/plan"
)

// benchCreates plans n creates on a fresh emulator (cfg) and applies them
// at rate with conc workers, reporting the figures the issue asks for.
func benchCreates(b *testing.B, cfg emulator.Config, n int, rate float64, conc int) {
	for b.Loop() {
		b.StopTimer()
		w := newWorld(b, graphT, cfg)
		w.open(b, rate, pace.DefaultRetry, w.srv.Token())
		p := w.plan(b, generated(b, n, false, 0), plan.Options{})
		w.srv.ResetStats()
		b.StartTimer()
		start := time.Now()
		r, err := w.run(context.Background(), p, execute.Options{Concurrency: conc})
		el := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		st := w.srv.Stats()
		created, failed := 0, 0
		for _, o := range r.Outcomes {
			switch o.Status {
			case plan.Created:
				created++
			case plan.Failed:
				failed++
			}
		}
		b.ReportMetric(float64(st.Calls)/el.Seconds(), "calls/s")
		b.ReportMetric(float64(st.Calls)/el.Seconds()/rate*100, "%-of-rate")
		b.ReportMetric(float64(st.ByRoute["POST /community/accounts"])/float64(created), "calls/new-account")
		b.ReportMetric(float64(failed), "failed-rows")
		b.ReportMetric(float64(st.Throttled)/float64(st.Calls)*100, "%-throttled")
		b.ReportMetric(el.Seconds(), "s")
	}
}

// BenchmarkApply10kCreates: 10k creates at --rate 200 against 50 ms latency.
func BenchmarkApply10kCreates(b *testing.B) {
	benchCreates(b, emulator.Config{Latency: 50 * time.Millisecond}, 10_000, 200, 32)
}

// BenchmarkApply10kThrottled: the emulator allows 100/s, the client asks 200/s.
func BenchmarkApply10kThrottled(b *testing.B) {
	benchCreates(b, emulator.Config{Latency: 50 * time.Millisecond, Rate: 100}, 10_000, 200, 32)
}

// BenchmarkPacing is the pacing table: servers limiting at L calls/s with
// a bucket of L/10 (at least 1) or L calls, no X-App-Usage header, and
// --rate guessed at L, 2L and 10L; 50 ms latency, 8 workers, creates only.
// Goal: achieved (answered, not throttled) ≥ 0.85·L, throttled ≤ 3% of
// calls, no failed row. Run: go test ./internal/execute -bench Pacing -benchtime 1x
func BenchmarkPacing(b *testing.B) {
	for _, limit := range []float64{15, 40, 100} {
		for _, bucket := range []int{max(1, int(limit/10)), int(limit)} {
			for _, guess := range []float64{1, 2, 10} {
				name := fmt.Sprintf("L=%g/bucket=%d/rate=%gL", limit, bucket, guess)
				b.Run(name, func(b *testing.B) {
					n := max(300, int(6*limit))
					cfg := emulator.Config{Latency: 50 * time.Millisecond, Rate: limit, Burst: bucket, NoUsage: true}
					for b.Loop() {
						b.StopTimer()
						w := newWorld(b, graphT, cfg)
						w.open(b, limit*guess, pace.DefaultRetry, w.srv.Token())
						p := w.plan(b, generated(b, n, false, 0), plan.Options{})
						time.Sleep(time.Second) // the bucket refills after planning
						w.srv.ResetStats()
						b.StartTimer()
						start := time.Now()
						r, err := w.run(context.Background(), p, execute.Options{Concurrency: 8})
						el := time.Since(start).Seconds()
						if err != nil {
							b.Fatal(err)
						}
						st := w.srv.Stats()
						failed := 0
						for _, o := range r.Outcomes {
							if o.Status != plan.Created {
								failed++
							}
						}
						b.ReportMetric(float64(st.Calls-st.Throttled)/el/limit, "achieved/L")
						b.ReportMetric(100*float64(st.Throttled)/float64(st.Calls), "%-throttled")
						b.ReportMetric(float64(failed), "failed-rows")
					}
				})
			}
		}
	}
}
