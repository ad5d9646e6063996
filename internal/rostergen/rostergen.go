// Package rostergen generates large, valid, realistic rosters for benchmarks
// and load tests: 15 columns, a management tree ten reports wide.
package rostergen

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// Header is the generated roster's header.
var Header = []string{"name", "email", "external_id", "title", "department", "division", "organization",
	"cost_center", "manager", "work_locale", "auth_method", "start_date", "phone", "location", "is_frontline"}

var (
	titles  = []string{"Engineer", "Analyst", "Manager", "Designer", "Associate", "Director"}
	depts   = []string{"Engineering", "Sales", "Support", "Finance", "Retail", "Operations"}
	locales = []string{"en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "pt_BR"}
	cities  = []string{"London", "New York", "Paris", "Berlin", "Madrid", "São Paulo"}
)

// ExternalID is the external_id of person i.
func ExternalID(i int) string { return fmt.Sprintf("E%07d", i) }

// Email is the email of person i.
func Email(i int) string { return fmt.Sprintf("person%d@bench.example", i) }

// Row returns person i's cells; variant changes the title, as a mover would.
func Row(i, variant int) []string {
	mgr := ""
	if i > 0 {
		mgr = ExternalID((i - 1) / 10)
	}
	return []string{
		"Person " + strconv.Itoa(i), Email(i), ExternalID(i), titles[(i+variant)%len(titles)], depts[i%len(depts)],
		"Division " + strconv.Itoa(i%7), "Acme", "CC-" + strconv.Itoa(100+i%50), mgr, locales[i%len(locales)],
		"sso", time.Date(2015+i%10, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC).Format("2006-01-02"),
		fmt.Sprintf("+44 20 7%03d %04d", i/10000%1000, i%10000), cities[i%len(cities)], "false",
	}
}

// WriteCSV writes n people to w.
func WriteCSV(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	cw.Write(Header)
	for i := 0; i < n; i++ {
		cw.Write(Row(i, 0))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteXLSX writes n people to path with excelize's stream writer; the
// start_date column holds real date cells.
func WriteXLSX(path string, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	head := make([]any, len(Header))
	for i, h := range Header {
		head[i] = h
	}
	sw.SetRow("A1", head)
	vals := make([]any, len(Header))
	for i := 0; i < n; i++ {
		for j, v := range Row(i, 0) {
			vals[j] = v
		}
		d, _ := time.Parse("2006-01-02", vals[11].(string))
		vals[11] = excelize.Cell{StyleID: dateStyle, Value: d}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}

// Cached returns the path of a generated roster in the temp folder, making
// it on first use (benchmarks reuse it across runs).
func Cached(kind string, n int) (string, error) {
	p := fmt.Sprintf("%s/wpimport-bench-%d.%s", os.TempDir(), n, kind)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	tmp := p + ".tmp." + kind
	var err error
	if kind == "xlsx" {
		err = WriteXLSX(tmp, n)
	} else {
		var f *os.File
		if f, err = os.Create(tmp); err == nil {
			err = WriteCSV(f, n)
			f.Close()
		}
	}
	if err != nil {
		return "", err
	}
	return p, os.Rename(tmp, p)
}
