package validate

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wpimport/wpimport/internal/parse"
	"github.com/wpimport/wpimport/internal/rostergen"
)

// peakHeap samples the heap in use while f runs and returns its peak in MB.
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

func validateFile(b *testing.B, path string) *Result {
	rd, err := parse.Open(path, parse.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer rd.Close()
	res, err := Validate(rd)
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// BenchmarkXLSXBareRows is the baseline: excelize's own streaming iteration.
func BenchmarkXLSXBareRows(b *testing.B) {
	path, err := rostergen.Cached("xlsx", 100_000)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		f, err := excelize.OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		rows, _ := f.Rows("Sheet1")
		n := 0
		for rows.Next() {
			cells, _ := rows.Columns()
			n += len(cells)
		}
		rows.Close()
		f.Close()
		if n < 1_500_000 {
			b.Fatalf("%d cells", n)
		}
	}
}

func BenchmarkValidateXLSX100k(b *testing.B) {
	path, err := rostergen.Cached("xlsx", 100_000)
	if err != nil {
		b.Fatal(err)
	}
	var peak float64
	for b.Loop() {
		peak = peakHeap(func() {
			res := validateFile(b, path)
			if v, _ := res.Counts(); v != 100_000 {
				b.Fatalf("%d valid", v)
			}
		})
	}
	b.ReportMetric(peak, "peak-heap-MB")
}

func BenchmarkValidateCSV1M(b *testing.B) {
	path, err := rostergen.Cached("csv", 1_000_000)
	if err != nil {
		b.Fatal(err)
	}
	var peak float64
	for b.Loop() {
		peak = peakHeap(func() {
			res := validateFile(b, path)
			if v, _ := res.Counts(); v != 1_000_000 {
				b.Fatalf("%d valid", v)
			}
		})
	}
	b.ReportMetric(peak, "peak-heap-MB")
}
