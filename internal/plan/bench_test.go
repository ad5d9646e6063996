package plan_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/parse"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/rostergen"
	"github.com/wpimport/wpimport/internal/validate"
	"github.com/wpimport/wpimport/internal/workplace"
)

const cols = 12 // rostergen's columns up to start_date: no phone

// community is the emulator state after people 0..n-1 were imported.
func community(n int) *emulator.State {
	st := &emulator.State{}
	for i := 0; i < n; i++ {
		r := rostergen.Row(i, 0)
		a := &emulator.Account{ID: fmt.Sprint(100_000_000_000_000 + i), Name: r[0], Email: r[1], ExternalID: r[2], Title: r[3],
			Department: r[4], Division: r[5], Organization: r[6], CostCenter: r[7], WorkLocale: r[9], AuthMethod: r[10],
			StartDate: r[11], Active: true}
		if i > 0 {
			a.Manager = fmt.Sprint(100_000_000_000_000 + (i-1)/10)
		}
		st.Accounts = append(st.Accounts, a)
	}
	return st
}

// BenchmarkPlanQuarterly100k plans a quarterly roster (1% movers, 500
// joiners, 500 leavers, --sync) against a 100k-account emulator.
func BenchmarkPlanQuarterly100k(b *testing.B) {
	const n = 100_000
	srv, err := emulator.New(emulator.Config{State: community(n)})
	if err != nil {
		b.Fatal(err)
	}
	srv.Start("127.0.0.1:0")
	defer srv.Close()
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
	path := filepath.Join(b.TempDir(), "quarterly.csv")
	os.WriteFile(path, buf.Bytes(), 0o600)
	for b.Loop() {
		var p *plan.Plan
		peak := peakHeap(func() {
			layer := execute.NewLayer(100_000, execute.DefaultRetry)
			c, _ := workplace.New(workplace.Config{BaseURL: srv.URL(), Token: srv.Token(), Wrap: layer.Wrap})
			rd, err := parse.Open(path, parse.Options{})
			if err != nil {
				b.Fatal(err)
			}
			res, err := validate.Validate(rd)
			rd.Close()
			if err != nil {
				b.Fatal(err)
			}
			p, err = plan.Build(ctx, plan.Input{Result: res}, c, plan.Options{Sync: true})
			if err != nil {
				b.Fatal(err)
			}
		})
		c := p.Counts()
		if c[plan.Create] != 500 || c[plan.Deactivate] != 500 || c[plan.Update] != 995 {
			b.Fatalf("plan = %s", p.Summary())
		}
		b.ReportMetric(float64(p.ReadCalls), "read-calls")
		b.ReportMetric(peak, "peak-heap-MB")
	}
}

func peakHeap(f func()) float64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	return float64(peak.Load()) / (1 << 20)
}
