package plan_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/rostergen"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/testkit"
)

const cols = 12 // rostergen's columns up to start_date: no phone

// community is the emulator state after people 0..n-1 were imported.
func community(n int) *emulator.State {
	st := &emulator.State{}
	for i := 0; i < n; i++ {
		r := rostergen.Row(i, 0)
		a := &emulator.Account{ID: fmt.Sprint(100_000_000_000_000 + i), Name: r[0], Email: r[1], ExternalID: r[2], Title: r[3],
			Department: r[4], Division: r[5], Organization: r[6], CostCenter: r[7], WorkLocale: r[9],
			StartDate: r[11], Active: true}
		if i > 0 {
			a.Manager = fmt.Sprint(100_000_000_000_000 + (i-1)/10)
		}
		st.Accounts = append(st.Accounts, a)
	}
	return st
}

// BenchmarkPlanQuarterly100k plans a quarterly roster (1% movers, 500
// joiners, 500 leavers, --sync) against a 100k-account emulator, through
// the Graph target behind a pace layer, as plan does.
func BenchmarkPlanQuarterly100k(b *testing.B) {
	const n = 100_000
	srv := testkit.Emulator(b, emulator.Config{State: community(n)})
	var buf bytes.Buffer
	buf.WriteString(strings.Join(rostergen.Header[:cols], ",") + "\n")
	for i := 0; i < n+500; i++ {
		if i >= n-500 && i < n {
			continue // leavers
		}
		v := 0
		if i%100 == 0 {
			v = 1 // movers
		}
		buf.WriteString(strings.Join(rostergen.Row(i, v)[:cols], ",") + "\n")
	}
	path := testkit.WriteFile(b, "quarterly.csv", buf.Bytes())
	for b.Loop() {
		var p *plan.Plan
		peak := testkit.PeakHeapMB(func() {
			tgt, _, err := pace.Open("graph", target.Config{URL: srv.URL(), Token: srv.Token(), UserAgent: "wpimport/bench"}, 100_000, pace.DefaultRetry)
			if err != nil {
				b.Fatal(err)
			}
			defer tgt.Close()
			res := testkit.Validate(b, path)
			p, err = plan.Build(ctx, plan.Input{Result: res}, tgt, plan.Options{Sync: true})
			if err != nil {
				b.Fatal(err)
			}
		})
		c := p.Counts(plan.KindAccount)
		if c[plan.Create] != 500 || c[plan.Deactivate] != 500 || c[plan.Update] != 995 {
			b.Fatalf("plan = %s", p.Summary())
		}
		b.ReportMetric(float64(p.ReadCalls), "read-calls")
		b.ReportMetric(peak, "peak-heap-MB")
	}
}
