package execute_test

import (
	"context"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
)

// benchCreates plans n creates on a fresh emulator (cfg) and applies them
// at rate with conc workers, reporting the figures the issue asks for.
func benchCreates(b *testing.B, cfg emulator.Config, n int, rate float64, conc int) {
	for b.Loop() {
		b.StopTimer()
		w := newWorld(b, cfg)
		w.setLayer(b, rate, execute.DefaultRetry, w.srv.Token())
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
			case "created":
				created++
			case "failed":
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
