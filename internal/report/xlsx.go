package report

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/safefile"
)

// statusColours maps a status to its fill colour.
var statusColours = map[string]string{
	"valid": "C6EFCE", "created": "C6EFCE", "updated": "C6EFCE", "reactivated": "C6EFCE", "deactivated": "C6EFCE",
	"unchanged": "EDEDED", "planned": "DDEBF7", "deleted": "C6EFCE", "erased": "C6EFCE",
	"invalid": "FFC7CE", "failed": "FFC7CE", "conflict": "FFC7CE", "refused": "FFC7CE",
	"skipped": "FFEB9C", "stale": "FFEB9C", "not_attempted": "FFEB9C", "partial": "FFEB9C",
}

// actionColours colours the bars of a plan's chart.
var actionColours = map[string]string{"create": "70AD47", "update": "5B9BD5", "reactivate": "4BACC6", "deactivate": "FFC000",
	"delete": "C00000", "erase": "7030A0", "none": "A6A6A6", "skip": "FF7C80"}

type styles struct {
	header, title, bold, badCell, wrap int
	status                             map[string]int
}

func newStyles(f *excelize.File) (*styles, error) {
	s := &styles{status: map[string]int{}}
	var err error
	mk := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(st)
		return id
	}
	s.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"305496"}}})
	s.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}})
	s.bold = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}})
	s.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	s.badCell = mk(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}},
		Font: &excelize.Font{Color: "9C0006"}})
	for st, colour := range statusColours {
		s.status[st] = mk(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}}})
	}
	return s, err
}

func sheetName(kind string) string {
	switch kind {
	case "plan":
		return "Plan"
	case "results":
		return "Results"
	}
	return "Rows"
}

// fastZip compresses with flate.BestSpeed: a 100k-row workbook is written
// about twice as fast for a file a little larger.
func fastZip(w io.Writer) excelize.ZipWriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return zw
}

// cellValue is what a cell holds: nil for an empty string (no cell
// written), a number for digits-only fixed columns.
func cellValue(v string, numeric bool) any {
	if v == "" {
		return nil
	}
	if numeric {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return v
}

// numericFixed marks the fixed columns written as numbers: row, attempts,
// error_code.
var numericFixed = map[int]bool{0: true, 8: true, 9: true}

// xlsxGCPercent is the GC target while a workbook is written: excelize's
// stream writer makes garbage at about 300 MB/s against a live heap that
// holds the whole roster, and the default target (100%) lets the heap
// double before the collector catches up. For a million rows this keeps
// the peak under 600 MB instead of 800 MB, at no measurable cost in time
// (the collector runs on the other core).
const xlsxGCPercent = 30

func writeXLSX(path string, doc *Document) error {
	defer debug.SetGCPercent(debug.SetGCPercent(xlsxGCPercent))
	f := excelize.NewFile()
	defer f.Close()
	f.ZipWriter = fastZip
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", "Summary"); err != nil {
		return err
	}
	rowsSheet := sheetName(doc.Kind)
	if _, err := f.NewSheet(rowsSheet); err != nil {
		return err
	}
	if err := writeRows(f, rowsSheet, doc, st); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	for _, t := range doc.Tables {
		if err := writeTable(f, t, st); err != nil {
			return fmt.Errorf("write %s: sheet %s: %w", path, t.Name, err)
		}
	}
	if err := writeSummary(f, doc, st); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f.SetActiveSheet(0)
	return safefile.Write(path, func(w io.Writer) error {
		_, err := f.WriteTo(w)
		return err
	})
}

// uniqueHeaders makes table headers unique and non-empty, as Excel tables
// require.
func uniqueHeaders(hs []string) []string {
	seen := map[string]int{}
	out := make([]string, len(hs))
	for i, h := range hs {
		h = strings.ReplaceAll(strings.TrimSpace(h), "\n", " ")
		if h == "" {
			h = fmt.Sprintf("column %d", i+1)
		}
		key := strings.ToLower(h)
		seen[key]++
		if n := seen[key]; n > 1 {
			h = fmt.Sprintf("%s (%d)", h, n)
		}
		out[i] = h
	}
	return out
}

func headerCells(hs []string, style int) []any {
	out := make([]any, len(hs))
	for i, h := range hs {
		out[i] = excelize.Cell{StyleID: style, Value: h}
	}
	return out
}

// freezeAndFilter freezes the header row and turns the written range into
// a table with filter buttons. Call after the rows, before Flush.
func freezeAndFilter(sw *excelize.StreamWriter, name string, cols, rows int) error {
	if rows < 2 {
		rows = 2
	}
	last, _ := excelize.CoordinatesToCellName(cols, rows)
	noStripes := false
	return sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: name, ShowRowStripes: &noStripes})
}

func writeRows(f *excelize.File, sheet string, doc *Document, st *styles) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	widths := []float64{6, 18, 22, 11, 13, 18, 40, 50, 9, 10, 40}
	for i, w := range widths {
		sw.SetColWidth(i+1, i+1, w)
	}
	nfix := len(fixedHeaders)
	if len(doc.Headers) > 0 {
		sw.SetColWidth(nfix+1, nfix+len(doc.Headers), 16)
	}
	headers := uniqueHeaders(append(append([]string{}, fixedHeaders...), doc.Headers...))
	if err := sw.SetRow("A1", headerCells(headers, st.header)); err != nil {
		return err
	}
	colOf := map[string]int{}
	for i, h := range doc.Headers {
		if _, ok := colOf[h]; !ok {
			colOf[h] = i
		}
	}
	n := 1
	row := make([]any, 0, len(headers))
	for e := range doc.Entries {
		n++
		row = row[:0]
		for i, v := range e.fixedCells() {
			val := cellValue(v, numericFixed[i])
			if i == 4 {
				val = excelize.Cell{StyleID: st.status[e.Status], Value: v}
			}
			row = append(row, val)
		}
		bad := badColumns(e.Issues, colOf)
		for i, v := range e.Cells {
			if bad[i] {
				row = append(row, excelize.Cell{StyleID: st.badCell, Value: v})
			} else {
				row = append(row, cellValue(v, false))
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := doc.cut(); err != nil {
		return err
	}
	if err := freezeAndFilter(sw, sheet, len(headers), n); err != nil {
		return err
	}
	return sw.Flush()
}

// badColumns returns the original columns named by error issues.
func badColumns(issues []roster.Issue, colOf map[string]int) map[int]bool {
	var bad map[int]bool
	for _, is := range issues {
		if is.Severity != roster.Error || is.Column == "" {
			continue
		}
		if i, ok := colOf[is.Column]; ok {
			if bad == nil {
				bad = map[int]bool{}
			}
			bad[i] = true
		}
	}
	return bad
}

func writeTable(f *excelize.File, t Table, st *styles) error {
	if _, err := f.NewSheet(t.Name); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(t.Name)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i := range t.Headers {
		w := 18.0
		if i < len(t.Widths) {
			w = t.Widths[i]
		}
		sw.SetColWidth(i+1, i+1, w)
	}
	headers := uniqueHeaders(t.Headers)
	if err := sw.SetRow("A1", headerCells(headers, st.header)); err != nil {
		return err
	}
	for i, r := range t.Rows {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
	}
	name := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return r
	}, t.Name)
	if err := freezeAndFilter(sw, name, len(headers), len(t.Rows)+1); err != nil {
		return err
	}
	return sw.Flush()
}

func writeSummary(f *excelize.File, doc *Document, st *styles) error {
	const sh = "Summary"
	s := doc.Summary
	set := func(cell string, v any, style int) {
		f.SetCellValue(sh, cell, v)
		if style != 0 {
			f.SetCellStyle(sh, cell, cell, style)
		}
	}
	// wide writes a long text into the merged cells fromCol..K of row r,
	// wrapped, and makes the row tall enough (about 110 characters a line).
	wide := func(fromCol string, r int, text string) {
		from := fmt.Sprintf("%s%d", fromCol, r)
		f.MergeCell(sh, from, fmt.Sprintf("K%d", r))
		set(from, text, st.wrap)
		if lines := len(text)/110 + 1; lines > 1 {
			f.SetRowHeight(sh, r, float64(15*lines))
		}
	}
	f.SetColWidth(sh, "A", "A", 34)
	f.SetColWidth(sh, "B", "B", 14)
	f.SetColWidth(sh, "C", "K", 11)
	fitToPage := 1
	noHeight := 0
	f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: ptr(true)})
	f.SetPageLayout(sh, &excelize.PageLayoutOptions{Orientation: ptr("landscape"), FitToWidth: &fitToPage, FitToHeight: &noHeight})
	set("A1", s.Title, st.title)
	set("A2", doc.Source, 0)
	r := 2
	// table writes a two-column table of counts under a header, two rows
	// below the last one, and returns the rows of its counts.
	table := func(title, unit string, cs []Count, style func(label string) int) (first, last int) {
		r += 2
		set(fmt.Sprintf("A%d", r), title, st.header)
		set(fmt.Sprintf("B%d", r), unit, st.header)
		first = r + 1
		for _, c := range cs {
			r++
			set(fmt.Sprintf("A%d", r), c.Label, style(c.Label))
			set(fmt.Sprintf("B%d", r), c.Value, 0)
		}
		return first, r
	}
	plain := func(string) int { return 0 }
	first, lastStatus := table("Status", "Rows", s.ByStatus, func(label string) int { return st.status[label] })
	r++
	set(fmt.Sprintf("A%d", r), "Total", st.bold)
	set(fmt.Sprintf("B%d", r), s.Rows, st.bold)
	actionFirst := 0
	if len(s.ByAction) > 0 {
		actionFirst, _ = table("Action", "Rows", s.ByAction, plain)
	}
	if len(s.ByIssue) > 0 {
		table("Issue code", "Count", CountsOf(s.ByIssue, nil), plain)
	}
	if len(s.FileIssues) > 0 {
		r += 2
		set(fmt.Sprintf("A%d", r), "About the whole file", st.header)
		set(fmt.Sprintf("B%d", r), "", st.header)
		set(fmt.Sprintf("C%d", r), "", st.header)
		for _, is := range s.FileIssues {
			r++
			set(fmt.Sprintf("A%d", r), is.Code, 0)
			set(fmt.Sprintf("B%d", r), string(is.Severity), 0)
			wide("C", r, is.Message)
		}
	}
	if len(s.Facts) > 0 {
		r += 2
		set(fmt.Sprintf("A%d", r), "Facts", st.header)
		set(fmt.Sprintf("B%d", r), "", st.header)
		for _, kv := range s.Facts {
			r++
			set(fmt.Sprintf("A%d", r), kv[0], st.bold)
			wide("B", r, kv[1])
		}
	}
	chartRows, chartFirst, chartLast, chartTitle := s.ByStatus, first, lastStatus, "Rows by status"
	if doc.Kind == "plan" && len(s.ByAction) > 0 {
		chartRows, chartFirst, chartLast, chartTitle = s.ByAction, actionFirst, actionFirst+len(s.ByAction)-1, "Rows by action"
	}
	if chartLast < chartFirst {
		return nil
	}
	var points []excelize.ChartDataPoint
	for i, c := range chartRows {
		colour := statusColours[c.Label]
		if colour == "" {
			colour = actionColours[c.Label]
		}
		if colour == "" {
			colour = "A6A6A6"
		}
		points = append(points, excelize.ChartDataPoint{Index: i, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}}})
	}
	return f.AddChart(sh, "D4", &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{{
			Name:       "Rows",
			Categories: fmt.Sprintf("%s!$A$%d:$A$%d", sh, chartFirst, chartLast),
			Values:     fmt.Sprintf("%s!$B$%d:$B$%d", sh, chartFirst, chartLast),
			DataPoint:  points,
		}},
		Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: chartTitle}}},
		Legend: excelize.ChartLegend{Position: "none"},
		Format: excelize.GraphicOptions{ScaleX: 1.2, ScaleY: 1.2},
	})
}

func ptr[T any](v T) *T { return &v }
