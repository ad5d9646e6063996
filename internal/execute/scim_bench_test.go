package execute_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/rostergen"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/testkit"
	"github.com/wpimport/wpimport/internal/validate"
)

// The SCIM target's goals, as benchmarks of plan and apply over it (make
// bench, or go test ./internal/execute -run '^$' -bench SCIM -benchtime 1x):
//   - Bulk: 10,000 creates at 50 ms latency, the service allowing 20
//     requests/s, at least 10× faster than one request per account;
//   - planning 100k rows against 100k users in ⌈N/page⌉ + a few calls;
//   - apply at ≥ 0.97 of --rate at 50 ms latency;
//   - 0 duplicates with 5% lost answers and 10% 5xx.

// scimRoster is an n-person roster without phones (one call per create).
func scimRoster(t testing.TB, n int) *validate.Result {
	t.Helper()
	return validated(t, scimRosterCSV(n))
}

func scimRosterCSV(n int) string {
	var b bytes.Buffer
	header := rostergen.Header[:12]
	b.WriteString(strings.Join(header, ",") + "\n")
	for i := 0; i < n; i++ {
		b.WriteString(strings.Join(rostergen.Row(i, 0)[:len(header)], ",") + "\n")
	}
	return b.String()
}

func validated(t testing.TB, csv string) *validate.Result {
	t.Helper()
	return testkit.ValidateCSV(t, csv)
}

type rig struct {
	srv    *emulator.Server
	client target.Target
	layer  *pace.Layer
}

func newRig(t testing.TB, cfg emulator.Config, rate float64, pageSize int, bulk bool) *rig {
	t.Helper()
	srv := testkit.Emulator(t, cfg)
	c, layer, err := pace.Open("scim", target.Config{URL: srv.URL() + emulator.SCIMPrefix, Token: srv.Token(), PageSize: pageSize, Bulk: bulk}, rate, pace.DefaultRetry)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rig{srv: srv, client: c, layer: layer}
}

func (r *rig) plan(t testing.TB, res *validate.Result) *plan.Plan {
	t.Helper()
	p, err := plan.Build(context.Background(), plan.Input{Result: res}, r.client, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// bulkSize is the most operations the service takes in a Bulk request.
func (r *rig) bulkSize(t testing.TB) int {
	caps, err := r.client.Capabilities(context.Background())
	if err != nil || !caps.Bulk {
		t.Fatalf("bulk: %v %v", caps, err)
	}
	return caps.BulkMax
}

// apply runs p and returns the creates per second and the outcome counts.
func (r *rig) apply(t testing.TB, p *plan.Plan, conc int) (float64, map[string]int, time.Duration) {
	t.Helper()
	start := time.Now()
	res, err := execute.Run(context.Background(), r.client, r.layer, p, execute.Options{Concurrency: conc})
	el := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, o := range res.Outcomes {
		counts[string(o.Status)]++
	}
	return float64(counts["created"]) / el.Seconds(), counts, el
}

// BenchmarkSCIMBulk compares one request per account with Bulk, the
// service allowing 20 requests/s at 50 ms latency. One request per
// account is measured on 400 creates (20 s); Bulk on 10,000.
func BenchmarkSCIMBulk(b *testing.B) {
	cfg := emulator.Config{Latency: 50 * time.Millisecond, Rate: 20}
	var single float64
	b.Run("one-request-per-account/n=400", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			r := newRig(b, cfg, 20, 100, false)
			p := r.plan(b, scimRoster(b, 400))
			time.Sleep(time.Second)
			r.srv.ResetStats()
			b.StartTimer()
			rate, counts, el := r.apply(b, p, 8)
			single = rate
			b.ReportMetric(rate, "creates/s")
			b.ReportMetric(el.Seconds(), "s")
			b.ReportMetric(float64(counts["failed"]), "failed-rows")
			b.ReportMetric(float64(r.srv.Stats().Throttled), "throttled")
		}
	})
	b.Run("bulk/n=10000", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			r := newRig(b, cfg, 20, 100, true)
			p := r.plan(b, scimRoster(b, 10_000))
			time.Sleep(time.Second)
			r.srv.ResetStats()
			b.StartTimer()
			rate, counts, el := r.apply(b, p, 2*r.bulkSize(b))
			st := r.srv.Stats()
			b.ReportMetric(rate, "creates/s")
			b.ReportMetric(el.Seconds(), "s")
			b.ReportMetric(float64(st.ByRoute["SCIM POST /Bulk"]), "bulk-requests")
			b.ReportMetric(float64(counts["failed"]), "failed-rows")
			b.ReportMetric(float64(len(r.srv.Snapshot().Accounts)), "accounts")
			if single > 0 {
				b.ReportMetric(rate/single, "x-faster")
			}
		}
	})
}

// BenchmarkSCIMPlan100k plans a 100k-row roster against the same 100k
// users: the calls must be ⌈N/page⌉ + a few (discovery).
func BenchmarkSCIMPlan100k(b *testing.B) {
	const n, page, firstID = 100_000, 500, 500_000_000_000_000
	res := scimRoster(b, n)
	state := &emulator.State{}
	for i := 0; i < n; i++ {
		row := rostergen.Row(i, 0)
		a := &emulator.Account{ID: strconv.Itoa(firstID + i), Name: row[0], Email: row[1], ExternalID: row[2], Title: row[3],
			Department: row[4], Division: row[5], Organization: row[6], CostCenter: row[7], WorkLocale: row[9], AuthMethod: row[10], Active: true}
		if i > 0 {
			a.Manager = strconv.Itoa(firstID + (i-1)/10)
		}
		state.Accounts = append(state.Accounts, a)
	}
	for b.Loop() {
		b.StopTimer()
		r := newRig(b, emulator.Config{PageCap: page, State: state}, 5000, page, false)
		b.StartTimer()
		start := time.Now()
		p := r.plan(b, res)
		el := time.Since(start)
		calls := r.srv.Stats().Calls
		b.ReportMetric(float64(calls), "calls")
		b.ReportMetric(float64((n+page-1)/page), "pages")
		b.ReportMetric(el.Seconds(), "s")
		b.ReportMetric(float64(len(p.Changes)), "changes")
	}
}

// BenchmarkSCIMApplyRate: 2,000 creates at --rate 100 against 50 ms
// latency and no limit: achieved calls over --rate (goal ≥ 0.97).
func BenchmarkSCIMApplyRate(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		r := newRig(b, emulator.Config{Latency: 50 * time.Millisecond}, 100, 100, false)
		p := r.plan(b, scimRoster(b, 2000))
		r.srv.ResetStats()
		b.StartTimer()
		start := time.Now()
		_, counts, _ := r.apply(b, p, 16)
		el := time.Since(start)
		st := r.srv.Stats()
		b.ReportMetric(float64(st.Calls)/el.Seconds(), "calls/s")
		b.ReportMetric(float64(st.Calls)/el.Seconds()/100, "of-rate")
		b.ReportMetric(float64(counts["failed"]), "failed-rows")
	}
}

// BenchmarkSCIMFaults: 2,000 creates with 5% lost answers and 10% 5xx:
// no duplicate, no failed row.
func BenchmarkSCIMFaults(b *testing.B) {
	for _, bulk := range []bool{false, true} {
		name := map[bool]string{false: "single", true: "bulk"}[bulk]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				r := newRig(b, emulator.Config{Latency: 5 * time.Millisecond, FailRate: 0.10, DropRate: 0.05, Seed: 9, SCIMBulkMaxOps: 100}, 2000, 100, bulk)
				p := r.plan(b, scimRoster(b, 2000))
				conc := 16
				if bulk {
					conc = 200
				}
				b.StartTimer()
				_, counts, _ := r.apply(b, p, conc)
				accounts := len(r.srv.Snapshot().Accounts)
				st := r.srv.Stats()
				b.ReportMetric(float64(accounts-counts["created"]), "duplicates")
				b.ReportMetric(float64(counts["failed"]+counts["not_attempted"]), "failed-rows")
				b.ReportMetric(float64(st.Dropped), "lost-answers")
				b.ReportMetric(float64(st.Faults), "5xx")
			}
		})
	}
}
