package validate_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wpimport/wpimport/internal/rostergen"
	"github.com/wpimport/wpimport/internal/testkit"
)

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

// benchValidate validates a generated roster of n people (kind csv or
// xlsx) and reports the peak heap.
func benchValidate(b *testing.B, kind string, n int) {
	path, err := rostergen.Cached(kind, n)
	if err != nil {
		b.Fatal(err)
	}
	var peak float64
	for b.Loop() {
		peak = testkit.PeakHeapMB(func() {
			res := testkit.Validate(b, path)
			if v, _ := res.Counts(); v != n {
				b.Fatalf("%d valid", v)
			}
		})
	}
	b.ReportMetric(peak, "peak-heap-MB")
}

func BenchmarkValidateXLSX100k(b *testing.B) { benchValidate(b, "xlsx", 100_000) }

func BenchmarkValidateCSV1M(b *testing.B) { benchValidate(b, "csv", 1_000_000) }

// benchDuplicates validates 80k rows whose emails are all one placeholder
// (shared) or all different (distinct): the duplicate check must stay
// linear, so both take about the same time.
func benchDuplicates(b *testing.B, shared bool) {
	var sb strings.Builder
	sb.WriteString("name,email,external_id\n")
	for i := range 80_000 {
		email := rostergen.Email(i)
		if shared {
			email = "frontline@acme.example"
		}
		fmt.Fprintf(&sb, "Person %d,%s,%s\n", i, email, rostergen.ExternalID(i))
	}
	path := testkit.WriteFile(b, "roster.csv", []byte(sb.String()))
	for b.Loop() {
		res := testkit.Validate(b, path)
		if _, invalid := res.Counts(); shared != (invalid == 80_000) {
			b.Fatalf("%d invalid", invalid)
		}
	}
}

func BenchmarkDuplicates80kShared(b *testing.B)   { benchDuplicates(b, true) }
func BenchmarkDuplicates80kDistinct(b *testing.B) { benchDuplicates(b, false) }
