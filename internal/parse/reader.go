package parse

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
)

// Options tune how a roster is opened.
type Options struct {
	// Sheet names the worksheet of an xlsx file; "" means the first visible
	// sheet that is not a people-sets sheet.
	Sheet string
	// Mapping maps normalized headers (roster.NormalizeHeader) to fields,
	// ahead of the built-in aliases.
	Mapping map[string]roster.Field
	// MaxUnzipBytes caps the uncompressed size of an xlsx (zip bomb guard).
	// 0 means DefaultMaxUnzipBytes.
	MaxUnzipBytes int64
	// Require lists checks on the header; nil means RequireRoster.
	Require func(path string, h *roster.Header) error
	// MinKnown is how many known columns make a row the header (default
	// 2; a one-column list of emails has 1).
	MinKnown int
	// Headerless, if set, reads a file with no header row whose rows hold
	// one value each as a list under this header (offboard: "id").
	Headerless string
}

// DefaultMaxUnzipBytes is the largest uncompressed xlsx accepted by default.
const DefaultMaxUnzipBytes = 2 << 30

// headerScanRows is how many rows are searched for the header.
const headerScanRows = 20

// Row is one data row and the problems met while reading it.
type Row struct {
	roster.Record
	Issues []roster.Issue
}

// source yields raw rows with their spreadsheet row numbers.
type source interface {
	next() (rawRow, bool)
	err() error
	close() error
}

// rawRow is one row from a source. cells may be reused by the source's
// next call: copy them to keep them.
type rawRow struct {
	row   int
	cells []string
	issue *roster.Issue // a row the reader could not split into cells
}

func (r rawRow) keep() rawRow {
	r.cells = append([]string(nil), r.cells...)
	return r
}

// Reader streams the data rows of one roster file.
type Reader struct {
	Path   string
	Format string // "csv" or "xlsx"
	Sheet  string // xlsx only
	Header roster.Header
	// FileIssues are warnings about the file as a whole (encoding guessed,
	// unknown or duplicated columns).
	FileIssues []roster.Issue

	src     source
	size    int64 // file size, for EstimateRows
	pending []rawRow
	cur     Row
	ragged  bool // report short rows too (csv)
}

// Open sniffs, opens and positions a reader on the first data row. A file
// that cannot be used as a roster gives a *FileError.
func Open(path string, opts Options) (*Reader, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fileErr(path, err, "no such file; check the path")
		}
		return nil, fileErr(path, err, "cannot read: %v", err)
	}
	if st.IsDir() {
		return nil, fileErr(path, nil, "is a folder, not a roster file")
	}
	if st.Size() == 0 {
		return nil, fileErr(path, nil, "the file is empty")
	}
	k, head, err := sniff(path)
	if err != nil {
		return nil, fileErr(path, err, "cannot read: %v", err)
	}
	r := &Reader{Path: path, size: st.Size()}
	switch k {
	case kindOLE:
		return nil, fileErr(path, nil, "%s", oleReason(path, head))
	case kindBinary:
		if isXLSName(path) {
			return nil, fileErr(path, nil, "%s", oleReason(path, nil))
		}
		return nil, fileErr(path, nil, "this is not a spreadsheet or CSV file (it holds binary data); export the roster as .xlsx or CSV UTF-8")
	case kindXLSX:
		r.Format = "xlsx"
		src, sheet, err := openXLSX(path, opts)
		if err != nil {
			return nil, err
		}
		r.src, r.Sheet = src, sheet
	default:
		r.Format = "csv"
		r.ragged = true
		src, issues, err := openCSV(path, head)
		if err != nil {
			return nil, err
		}
		r.src, r.FileIssues = src, issues
	}
	r.src = &bounded{source: r.src, path: path}
	if err := r.findHeader(opts); err != nil {
		r.src.close()
		return nil, err
	}
	return r, nil
}

// findHeader reads ahead up to headerScanRows rows, picks the header and
// checks that at least one data row follows it.
func (r *Reader) findHeader(opts Options) error {
	var ahead []rawRow
	minKnown := opts.MinKnown
	if minKnown <= 0 {
		minKnown = 2
	}
	best, bestScore := -1, minKnown-1
	for len(ahead) < headerScanRows {
		row, ok := r.src.next()
		if !ok {
			break
		}
		ahead = append(ahead, row.keep())
		h := roster.NewHeader(row.row, row.cells, opts.Mapping)
		if s := h.Recognized(); s > bestScore {
			best, bestScore = len(ahead)-1, s
		}
	}
	if err := r.src.err(); err != nil {
		return err
	}
	if len(ahead) == 0 {
		return fileErr(r.Path, nil, "the file has no rows")
	}
	if best < 0 && opts.Require == nil {
		// Too few known headers: count misspelt ones too, so that a roster
		// header with typos is found and its typos named.
		for i, row := range ahead {
			h := roster.NewHeader(row.row, row.cells, opts.Mapping)
			if s := h.Recognized() + len(h.Misspellings()); s > bestScore {
				best, bestScore = i, s
			}
		}
	}
	if best < 0 && opts.Headerless != "" && oneValueEach(ahead) {
		r.Header = roster.NewHeader(0, []string{opts.Headerless}, opts.Mapping)
		r.pending = ahead
		r.FileIssues = append(r.FileIssues, roster.Issue{Severity: roster.Warning, Code: "file.no_header",
			Message: "no header row: each line is read as one " + opts.Headerless + " (an email, employee ID or account id)"})
		return nil
	}
	if best < 0 {
		return fileErr(r.Path, nil, "no header row found in the first %d rows: the header must name at least %d known columns "+
			"(for example Email, Employee ID, First name, Last name); rename the columns or pass --mapping FILE", headerScanRows, minKnown)
	}
	r.Header = roster.NewHeader(ahead[best].row, ahead[best].cells, opts.Mapping)
	require := opts.Require
	if require == nil {
		require = RequireRoster
	}
	if err := require(r.Path, &r.Header); err != nil {
		return err
	}
	r.pending = ahead[best+1:]
	r.FileIssues = append(r.FileIssues, headerIssues(&r.Header)...)
	// A header with no data row under it is refused now, not later.
	for {
		for _, p := range r.pending {
			if p.issue != nil || !allEmpty(p.cells) {
				return nil
			}
		}
		row, ok := r.src.next()
		if !ok {
			if err := r.src.err(); err != nil {
				return err
			}
			return fileErr(r.Path, nil, "the file has a header (row %d) but no data rows under it", r.Header.Row)
		}
		r.pending = append(r.pending, row.keep())
	}
}

// RequireRoster checks that a header can identify people: no column whose
// header looks like a known one misspelt, a whole name (a name column, or
// both first and last name), and an email or external_id column.
func RequireRoster(path string, h *roster.Header) error {
	if typos := h.Misspellings(); len(typos) > 0 {
		return misspelt(path, typos)
	}
	first, last := h.Has(roster.FirstName), h.Has(roster.LastName)
	switch {
	case h.Has(roster.Name):
	case !first && !last:
		return fileErr(path, nil, "no name column: add a column \"name\" (or \"First name\" and \"Last name\"); headers found: %s",
			strings.Join(h.Headers(), ", "))
	case !first:
		return fileErr(path, nil, "names would come from the last name alone (column %q): there is no first name column; "+
			"add one (\"First name\"), or a full-name column (\"Name\"), or map the column that holds first names with --mapping FILE",
			headerOf(h, roster.LastName))
	case !last:
		return fileErr(path, nil, "names would come from the first name alone (column %q): there is no last name column; "+
			"add one (\"Last name\"), or a full-name column (\"Name\"), or map the column that holds last names with --mapping FILE",
			headerOf(h, roster.FirstName))
	}
	if !h.Has(roster.Email) && !h.Has(roster.ExternalID) {
		return fileErr(path, nil, "neither an email nor an external_id column: add \"email\" or \"external_id\" (Employee ID); headers found: %s",
			strings.Join(h.Headers(), ", "))
	}
	return nil
}

// misspelt is the error for columns whose headers look like known ones
// misspelt: one message naming each of them and the column meant.
func misspelt(path string, typos []roster.Misspelling) *FileError {
	if len(typos) == 1 {
		t := typos[0]
		return fileErr(path, nil, "the column %q looks like a misspelling of %q (%s): rename it, or map it with --mapping FILE if it is another column "+
			"(to its field, or to ignore: the csv line \"%s,ignore\" keeps it, not imported)", t.Column, t.Meant, t.Field, t.Column)
	}
	var each []string
	for _, t := range typos {
		each = append(each, fmt.Sprintf("%q of %q (%s)", t.Column, t.Meant, t.Field))
	}
	return fileErr(path, nil, "%d columns look like misspellings: %s; rename them, or map each one that is another column with --mapping FILE "+
		"(to its field, or to ignore: a csv line \"HEADER,ignore\" keeps it, not imported)", len(typos), strings.Join(each, ", "))
}

// headerOf is the header of the first column mapped to f.
func headerOf(h *roster.Header, f roster.Field) string {
	if cols := h.ColumnsOf(f); len(cols) > 0 {
		return h.Columns[cols[0]].Header
	}
	return ""
}

// maxNamed is how many column names one message lists.
const maxNamed = 12

func headerIssues(h *roster.Header) []roster.Issue {
	var out []roster.Issue
	if unknown := h.Unknown(); len(unknown) > 0 {
		names := strings.Join(quoteAll(unknown[:min(len(unknown), maxNamed)]), ", ")
		if len(unknown) > maxNamed {
			names += fmt.Sprintf(" and %d more", len(unknown)-maxNamed)
		}
		out = append(out, roster.Issue{
			Severity: roster.Warning, Code: "file.unknown_columns",
			Message: fmt.Sprintf("%d columns not imported (kept in the outputs): %s; if one should be imported, rename it or map it with --mapping",
				len(unknown), names),
		})
	}
	for _, f := range roster.Fields {
		cols := h.ColumnsOf(f)
		if len(cols) < 2 || f == roster.Manager {
			continue
		}
		var names []string
		for _, c := range cols {
			names = append(names, h.Columns[c].Header)
		}
		out = append(out, roster.Issue{
			Severity: roster.Warning, Code: "file.duplicate_column", Field: f,
			Message: fmt.Sprintf("columns %s all map to %s; the first non-empty value of each row is used", strings.Join(quoteAll(names), ", "), f),
		})
	}
	return out
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// oneValueEach reports rows that each hold at most one value: a list.
func oneValueEach(rows []rawRow) bool {
	for _, r := range rows {
		n := 0
		for _, c := range r.cells {
			if strings.TrimSpace(c) != "" {
				n++
			}
		}
		if n > 1 || r.issue != nil {
			return false
		}
	}
	return true
}

func allEmpty(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Next advances to the next data row, skipping rows whose cells are all
// empty. It returns false at the end or on a fatal read error (see Err).
func (r *Reader) Next() bool {
	for {
		var raw rawRow
		if len(r.pending) > 0 {
			raw, r.pending = r.pending[0], r.pending[1:]
		} else {
			var ok bool
			if raw, ok = r.src.next(); !ok {
				return false
			}
		}
		if raw.issue == nil && allEmpty(raw.cells) {
			continue
		}
		r.cur = Row{Record: roster.NewRecord(raw.row, raw.cells)}
		if raw.issue != nil {
			r.cur.Issues = append(r.cur.Issues, *raw.issue)
		} else if is := r.raggedIssue(raw); is != nil {
			r.cur.Issues = append(r.cur.Issues, *is)
		}
		return true
	}
}

func (r *Reader) raggedIssue(raw rawRow) *roster.Issue {
	n, want := len(raw.cells), len(r.Header.Columns)
	if n > want && !allEmpty(raw.cells[want:]) {
		return &roster.Issue{Row: raw.row, Severity: roster.Warning, Code: "row.ragged",
			Message: fmt.Sprintf("the row has %d cells but the header has %d; the extra cells are ignored: check for an unquoted delimiter in a value", n, want)}
	}
	if r.ragged && n < want && n > 1 {
		return &roster.Issue{Row: raw.row, Severity: roster.Warning, Code: "row.ragged",
			Message: fmt.Sprintf("the row has %d cells but the header has %d; the missing cells are read as empty", n, want)}
	}
	return nil
}

// Row returns the current row.
func (r *Reader) Row() Row { return r.cur }

// Err returns the error that stopped the reader early, as a *FileError.
func (r *Reader) Err() error { return r.src.err() }

// Close releases the file.
func (r *Reader) Close() error { return r.src.close() }

// EstimateRows guesses how many data rows a csv holds from its size and the
// rows read so far, so callers can size their buffers once. It returns 0
// when it cannot tell (xlsx).
func (r *Reader) EstimateRows() int {
	if r.Format != "csv" || len(r.pending) == 0 {
		return 0
	}
	n := 0
	for _, p := range r.pending {
		for _, c := range p.cells {
			n += len(c) + 1
		}
	}
	perRow := max(n/len(r.pending), 8)
	return int(r.size/int64(perRow)) + len(r.pending)
}
