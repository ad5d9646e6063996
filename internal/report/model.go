package report

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
)

// Change is one field's old and new value. It marshals as [old, new].
type Change [2]string

// Entry is one row of any output, in the results schema of DESIGN.md.
type Entry struct {
	Row          int               `json:"row"`
	Key          string            `json:"key"`
	Name         string            `json:"name,omitempty"`
	Action       string            `json:"action"`
	Status       string            `json:"status"`
	AccountID    string            `json:"account_id"`
	Changes      map[string]Change `json:"changes"`
	Issues       []roster.Issue    `json:"issues"`
	Attempts     int               `json:"attempts"`
	ErrorCode    string            `json:"error_code,omitempty"` // the service's own: "uniqueness", "190", "invalidFilter"
	ErrorMessage string            `json:"error_message,omitempty"`
	// Cells are the row's original cells, in the order of Document.Headers.
	Cells []string `json:"-"`
}

// Table is an extra sheet (xlsx) of plain rows.
type Table struct {
	Name    string
	Headers []string
	Rows    [][]string
	Widths  []float64
}

// Count is one labelled number of the summary.
type Count struct {
	Label string `json:"label"`
	Value int    `json:"value"`
}

// Summary sums a document up.
type Summary struct {
	Title    string         `json:"title"`
	Rows     int            `json:"rows"`
	ByStatus []Count        `json:"by_status"`
	ByAction []Count        `json:"by_action,omitempty"`
	ByIssue  map[string]int `json:"by_issue,omitempty"`
	// Facts are what a reader needs to trust the numbers: file, options,
	// guard figures, timings.
	Facts Facts `json:"facts,omitempty"`
	// FileIssues are problems of the whole input.
	FileIssues []roster.Issue `json:"file_issues,omitempty"`
}

// Document is everything one output file holds.
type Document struct {
	Kind    string // validation, plan, results
	Source  string
	Headers []string
	Summary Summary
	Entries iter.Seq[*Entry]
	Tables  []Table
	// Info and Data are the results as data (results documents only): what
	// was applied, and every change with its outcome. The json form holds
	// them as "info" and "changes", the xlsx form in its Data sheet, so
	// that ReadResults reads either back typed (undo does).
	Info *ResultsInfo
	Data iter.Seq[*ChangeResult]

	ctx context.Context // WriteContext's; nil: never cut
}

// CountsOf turns a map into Counts in the order of order, then the rest.
func CountsOf(m map[string]int, order []string) []Count {
	var out []Count
	seen := map[string]bool{}
	for _, k := range order {
		if m[k] > 0 {
			out = append(out, Count{k, m[k]})
		}
		seen[k] = true
	}
	var rest []string
	for k := range m {
		if !seen[k] && m[k] > 0 {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		out = append(out, Count{k, m[k]})
	}
	return out
}

// WriteContext is Write that gives up, leaving no file, once ctx is done.
func WriteContext(ctx context.Context, path string, doc *Document) error {
	entries := doc.Entries
	d := *doc
	d.Entries = func(yield func(*Entry) bool) {
		for e := range entries {
			if ctx.Err() != nil || !yield(e) {
				return
			}
		}
	}
	d.ctx = ctx
	return Write(path, &d)
}

// cut returns the error that stopped the entries early, if any: the
// writers then fail, and safefile leaves no partial file behind.
func (d *Document) cut() error {
	if d.ctx == nil {
		return nil
	}
	return d.ctx.Err()
}

// Write writes doc to path in the format its extension names.
func Write(path string, doc *Document) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", "":
		return writeXLSX(path, doc)
	case ".csv":
		return writeCSV(path, doc)
	case ".json":
		return writeJSON(path, doc)
	}
	return fmt.Errorf("%s: unknown output format %q; use .xlsx, .csv or .json", path, filepath.Ext(path))
}

// CheckPath reports an output path whose format is unknown, before any work.
func CheckPath(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".csv", ".json":
		return nil
	}
	return fmt.Errorf("%s: unknown output format %q; use .xlsx, .csv or .json", path, filepath.Ext(path))
}

// fixed columns of the rows sheet, before the original cells: the person
// and the verdict first.
var fixedHeaders = []string{"row", "name", "key", "status", "action", "changes", "issues", "account_id", "attempts", "error_code", "error_message"}

// Indexes of fixed columns that are written as numbers or wrapped.
const (
	colRow      = 0
	colStatus   = 3
	colAction   = 4
	colChanges  = 5
	colIssues   = 6
	colAccount  = 7
	colAttempts = 8
	colErrCode  = 9
	colErrMsg   = 10
)

// hiddenFixed are the fixed columns that say nothing at a stage: kept in
// the workbook (tools read them) but hidden, so they neither show nor print.
var hiddenFixed = map[string]map[int]bool{
	"validation": {colAction: true, colChanges: true, colAccount: true, colAttempts: true, colErrCode: true, colErrMsg: true},
	"plan":       {colAttempts: true, colErrCode: true, colErrMsg: true},
}

func (e *Entry) fixedCells() []string {
	return []string{fmt.Sprint(e.Row), e.Name, e.Key, e.Status, e.Action, FormatChanges(e.Changes), FormatIssues(e.Issues), e.AccountID, fmt.Sprint(e.Attempts), e.ErrorCode, e.ErrorMessage}
}

// FormatChanges renders changes as "field: old → new; …" in field order.
func FormatChanges(ch map[string]Change) string {
	if len(ch) == 0 {
		return ""
	}
	keys := make([]string, 0, len(ch))
	for k := range ch {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// A create (nothing before) reads as one line of its fields.
	create := true
	for _, c := range ch {
		create = create && c[0] == ""
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		if create {
			parts[i] = k + ": " + ch[k][1]
		} else {
			parts[i] = fmt.Sprintf("%s: %s → %s", k, show(ch[k][0]), cleared(ch[k][1]))
		}
	}
	return strings.Join(parts, "; ")
}

// cleared shows a new value; an empty one means the field is cleared.
func cleared(v string) string {
	if v == "" {
		return "(cleared)"
	}
	return v
}

func show(v string) string {
	if v == "" {
		return "(empty)"
	}
	return v
}

// FormatIssues renders issues one per line as "severity code: message".
func FormatIssues(issues []roster.Issue) string { return string(appendIssues(nil, issues)) }

func appendIssues(b []byte, issues []roster.Issue) []byte {
	for i := range issues {
		if i > 0 {
			b = append(b, '\n')
		}
		is := &issues[i]
		b = append(b, is.Severity...)
		b = append(b, ' ')
		b = append(b, is.Code...)
		b = append(b, ':', ' ')
		b = append(b, is.Message...)
	}
	return b
}

// Facts are ordered name/value pairs; JSON shows them as an object.
type Facts [][2]string

// MarshalJSON writes the facts as one object, in order.
func (fs Facts) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f[0])
		v, _ := json.Marshal(f[1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}
