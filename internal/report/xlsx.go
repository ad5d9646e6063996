package report

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	header, title, bold, badCell, wrap, top int
	status, action                          map[string]int
}

func newStyles(f *excelize.File) (*styles, error) {
	s := &styles{status: map[string]int{}, action: map[string]int{}}
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
	top := &excelize.Alignment{Vertical: "top"}
	s.top = mk(&excelize.Style{Alignment: top})
	s.badCell = mk(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}},
		Font: &excelize.Font{Color: "9C0006"}, Alignment: top})
	for st, colour := range statusColours {
		s.status[st] = mk(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}}, Alignment: top})
	}
	for a, colour := range actionColours { // the chart's bar colours
		s.action[a] = mk(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}},
			Font: &excelize.Font{Color: "FFFFFF", Bold: true}})
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
	made := time.Now()
	if err := writeRows(f, rowsSheet, doc, st, made); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	for _, t := range doc.Tables {
		if err := writeTable(f, t, st, made); err != nil {
			return fmt.Errorf("write %s: sheet %s: %w", path, t.Name, err)
		}
	}
	if err := writeSummary(f, doc, st, made); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := writeData(f, doc); err != nil {
		return fmt.Errorf("write %s: sheet %s: %w", path, dataSheet, err)
	}
	f.SetActiveSheet(0)
	if err := doc.cut(); err != nil {
		return err
	}
	return safefile.Write(path, func(w io.Writer) error {
		// Zipping a large sheet takes seconds: stop at the next write.
		_, err := f.WriteTo(cutWriter{w, doc})
		return err
	})
}

// cutWriter fails its writes once the document's context is done.
type cutWriter struct {
	w   io.Writer
	doc *Document
}

func (c cutWriter) Write(b []byte) (int, error) {
	if err := c.doc.cut(); err != nil {
		return 0, err
	}
	return c.w.Write(b)
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

// Column widths are fitted to the header and the first rows' content,
// within these bounds (characters); wrapped columns take wrapWidth.
const (
	minWidth    = 5
	maxWidth    = 40
	wrapWidth   = 50
	sampleRows  = 2000
	shortSheet  = 40  // rows: such a sheet prints on one page
	printMargin = 0.4 // inches
)

// rowsFunc yields a sheet's rows, each with its cells' styles (0: none).
// It may run twice: once to fit the widths, once to write.
type rowsFunc func(yield func(cells []string, style func(col int) int) bool)

// fitWidths measures headers and up to sampleRows rows of cells. Wrapped
// columns get wrapWidth, or more when only one of them shows.
func fitWidths(headers []string, rows rowsFunc, wrap, hidden map[int]bool) []float64 {
	shown := 0
	for i := range wrap {
		if wrap[i] && !hidden[i] {
			shown++
		}
	}
	ww := float64(wrapWidth)
	if shown == 1 {
		ww = wrapWidth * 3 / 2
	}
	w := make([]float64, len(headers))
	for i, h := range headers {
		w[i] = float64(utf8.RuneCountInString(h)) + 2
	}
	n := 0
	rows(func(cells []string, _ func(int) int) bool {
		for i, c := range cells {
			if i < len(w) {
				for _, line := range strings.Split(c, "\n") { // the longest line counts
					w[i] = max(w[i], float64(utf8.RuneCountInString(line))+1)
				}
			}
		}
		n++
		return n < sampleRows
	})
	for i := range w {
		w[i] = min(max(w[i], minWidth), maxWidth)
		if wrap[i] && w[i] >= maxWidth {
			w[i] = ww
		}
	}
	return w
}

// pageSetup makes a sheet print landscape, one page wide (and one page
// tall when onePage: the Summary, and sheets of a few rows), its header
// row repeated on every page, with a footer naming the file, the page and
// when it was made. It must run before the sheet's stream writer is made:
// the stream writer writes these settings.
func pageSetup(f *excelize.File, sheet string, onePage bool, made time.Time) error {
	one, tall := 1, 0
	if onePage {
		tall = 1
	}
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return err
	}
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: ptr("landscape"), FitToWidth: &one, FitToHeight: &tall}); err != nil {
		return err
	}
	m := printMargin
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &m, Right: &m, Top: ptr(0.5), Bottom: ptr(0.6), Header: ptr(0.2), Footer: ptr(0.25)}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{
		OddFooter: "&L&8&F · " + sheet + "&C&8page &P of &N&R&8made " + made.Format("2006-01-02 15:04"),
	}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$1", sheet), Scope: sheet})
}

// sheetSpec is one table-like sheet: a header row, then rows.
type sheetSpec struct {
	name    string
	headers []string
	rows    rowsFunc
	wrap    map[int]bool // wrapped columns
	hidden  map[int]bool // hidden columns
	numeric map[int]bool // digits-only columns written as numbers
	// printCols, if > 0, prints only the first printCols columns: those a
	// reader of the paper needs (the rest are for the screen).
	printCols int
	short     bool // few rows: fit the sheet on one page
}

// writeSheet writes a sheet through a stream writer, laid out for screens
// and for print.
func writeSheet(f *excelize.File, spec sheetSpec, st *styles, made time.Time) error {
	if err := pageSetup(f, spec.name, spec.short, made); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(spec.name)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	headers := uniqueHeaders(spec.headers)
	widths := fitWidths(headers, spec.rows, spec.wrap, spec.hidden)
	for i, w := range widths {
		sw.SetColWidth(i+1, i+1, w)
		if spec.hidden[i] {
			sw.SetColVisible(i+1, i+1, false)
		}
	}
	if spec.printCols > 0 && spec.printCols < len(headers) {
		last, _ := excelize.ColumnNumberToName(spec.printCols)
		if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: fmt.Sprintf("'%s'!$A:$%s", spec.name, last), Scope: spec.name}); err != nil {
			return err
		}
	}
	if err := sw.SetRow("A1", headerCells(headers, st.header)); err != nil {
		return err
	}
	n := 1
	vals := make([]any, 0, len(headers))
	var werr error
	spec.rows(func(cells []string, style func(int) int) bool {
		n++
		vals = vals[:0]
		lines := 1 // of the tallest wrapped cell: the row is made that tall
		for i, v := range cells {
			if spec.wrap[i] && v != "" && !spec.hidden[i] {
				lines = max(lines, wrappedLines(v, widths[i]))
			}
		}
		for i, v := range cells {
			s := style(i)
			switch {
			case s != 0:
			case spec.wrap[i]:
				s = st.wrap
			case lines > 1:
				s = st.top // a tall row reads from its top
			}
			val := cellValue(v, spec.numeric[i])
			if s != 0 {
				val = excelize.Cell{StyleID: s, Value: val}
			}
			vals = append(vals, val)
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if lines > 1 {
			werr = sw.SetRow(cell, vals, excelize.RowOpts{Height: 15 * float64(min(lines, 27))})
		} else {
			werr = sw.SetRow(cell, vals)
		}
		return werr == nil
	})
	if werr != nil {
		return werr
	}
	name := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return r
	}, spec.name)
	if err := freezeAndFilter(sw, name, len(headers), n); err != nil {
		return err
	}
	return sw.Flush()
}

// wrappedLines estimates how many lines v takes in a column width wide.
func wrappedLines(v string, width float64) int {
	n := 0
	for _, line := range strings.Split(v, "\n") {
		n += max(1, int(float64(utf8.RuneCountInString(line))/(width*0.9))+1)
	}
	return n
}

// writeRows writes the sheet of one entry per roster row: the person and
// the verdict first, the roster's own columns after them, bad cells red.
func writeRows(f *excelize.File, sheet string, doc *Document, st *styles, made time.Time) error {
	colOf := map[string]int{}
	for i, h := range doc.Headers {
		if _, ok := colOf[h]; !ok {
			colOf[h] = i
		}
	}
	nfix := len(fixedHeaders)
	row := make([]string, 0, nfix+len(doc.Headers))
	spec := sheetSpec{
		name:      sheet,
		headers:   append(append([]string{}, fixedHeaders...), doc.Headers...),
		wrap:      map[int]bool{colChanges: true, colIssues: true, colErrMsg: true},
		hidden:    hiddenFixed[doc.Kind],
		numeric:   map[int]bool{colRow: true, colAttempts: true},
		printCols: nfix,
		short:     doc.Summary.Rows <= shortSheet,
		rows: func(yield func([]string, func(int) int) bool) {
			for e := range doc.Entries {
				row = append(append(row[:0], e.fixedCells()...), e.Cells...)
				if e.Row == 0 {
					row[colRow] = "" // an account no row names (--sync)
				}
				bad, status := badColumns(e.Issues, colOf), st.status[e.Status]
				style := func(col int) int {
					switch {
					case col == colStatus:
						return status
					case col >= nfix && bad[col-nfix]:
						return st.badCell
					}
					return 0
				}
				if !yield(row, style) {
					return
				}
			}
		},
	}
	if err := writeSheet(f, spec, st, made); err != nil {
		return err
	}
	return doc.cut()
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

func writeTable(f *excelize.File, t Table, st *styles, made time.Time) error {
	if _, err := f.NewSheet(t.Name); err != nil {
		return err
	}
	wrap := map[int]bool{}
	for i, w := range t.Widths {
		if w >= wrapWidth {
			wrap[i] = true
		}
	}
	statusCol := slices.Index(t.Headers, "status") // coloured like the rows sheet's
	return writeSheet(f, sheetSpec{name: t.Name, headers: t.Headers, wrap: wrap, short: len(t.Rows) <= shortSheet, rows: func(yield func([]string, func(int) int) bool) {
		for _, r := range t.Rows {
			style := func(col int) int {
				if col == statusCol && col >= 0 {
					return st.status[r[col]]
				}
				return 0
			}
			if !yield(r, style) {
				return
			}
		}
	}}, st, made)
}
