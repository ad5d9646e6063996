package validate

import (
	"context"
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/parse"
	"github.com/wpimport/wpimport/internal/roster"
)

// Row is one data row with every issue found in it.
type Row struct {
	roster.Record
	Issues []roster.Issue
}

// Valid reports whether the row has no error.
func (r *Row) Valid() bool { return !roster.HasErrors(r.Issues) }

// Result is a validated roster.
type Result struct {
	Path, Format, Sheet string
	Header              roster.Header
	FileIssues          []roster.Issue
	Rows                []Row

	refs refIndex
}

// Counts returns the number of valid and invalid rows.
func (r *Result) Counts() (valid, invalid int) {
	for i := range r.Rows {
		if r.Rows[i].Valid() {
			valid++
		} else {
			invalid++
		}
	}
	return valid, invalid
}

// checked fields: every mapped field that has a rule, in header order.
type fieldCol struct {
	field roster.Field
	col   int
}

// Validate reads every row of rd and checks it. Reading runs in its own
// goroutine, checking and indexing in this one, so both cores work.
func Validate(rd *parse.Reader) (*Result, error) { return ValidateContext(context.Background(), rd) }

// ValidateContext is Validate that stops reading, and returns ctx's error,
// once ctx is done (a signal).
func ValidateContext(ctx context.Context, rd *parse.Reader) (*Result, error) {
	res := &Result{Path: rd.Path, Format: rd.Format, Sheet: rd.Sheet, Header: rd.Header, FileIssues: rd.FileIssues}
	h := &res.Header
	var checks []fieldCol
	var texts []fieldCol
	for _, c := range h.Columns {
		if c.Field == "" {
			continue
		}
		if _, ok := rules[c.Field]; ok {
			checks = append(checks, fieldCol{c.Field, c.Index})
		} else if c.Field != roster.Name && c.Field != roster.FirstName && c.Field != roster.LastName {
			texts = append(texts, fieldCol{c.Field, c.Index})
		}
	}
	n := rd.EstimateRows()
	if n > 0 {
		res.Rows = make([]Row, 0, n+n/16)
	}
	ix := newIndexer(n)
	batches := make(chan []parse.Row, 4)
	go func() {
		defer close(batches)
		batch := make([]parse.Row, 0, 512)
		for ctx.Err() == nil && rd.Next() {
			batch = append(batch, rd.Row())
			if len(batch) == cap(batch) {
				batches <- batch
				batch = make([]parse.Row, 0, 512)
			}
		}
		batches <- batch
	}()
	for batch := range batches {
		for _, pr := range batch {
			row := Row{Record: pr.Record, Issues: pr.Issues}
			if pr.Record.Len() > 0 {
				checkRow(h, &row, checks, texts)
				if rd.Format == "xlsx" {
					checkExcelDigits(h, &row)
				}
				if v, col, _ := h.Value(&row.Record, roster.PictureFile); v != "" {
					if _, p := pictureFile(rd.Path, v); p != nil {
						issue(&row, h, colIndex(h, col), roster.PictureFile, p)
					}
				}
			}
			ix.add(h, &row.Record, len(res.Rows))
			res.Rows = append(res.Rows, row)
		}
	}
	if err := rd.Err(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.refs = ix.refIndex
	res.markDuplicates(ix.dupEmail, roster.Email, "email", "email.duplicate")
	res.markDuplicates(ix.dupExt, roster.ExternalID, "external_id", "external_id.duplicate")
	res.checkManagers()
	return res, nil
}

func issue(row *Row, h *roster.Header, col int, f roster.Field, p *problem) {
	is := roster.Issue{Row: row.Row, Field: f, Severity: p.severity, Code: p.code, Message: p.msg}
	if col >= 0 {
		is.Column = h.Columns[col].Header
	}
	row.Issues = append(row.Issues, is)
}

func checkRow(h *roster.Header, row *Row, checks, texts []fieldCol) {
	r := &row.Record
	// Name, built from first and last name when needed.
	name, col := BuildName(h, r)
	switch {
	case name == "":
		issue(row, h, col, roster.Name, bad("name.missing", "the row has no name; fill in %s", nameColumns(h)))
	case hasControl(name):
		issue(row, h, col, roster.Name, bad("name.control_chars", "the name holds a control character; remove it"))
	case col >= 0 && r.Cell(col) != name && strings.ContainsAny(r.Cell(col), "\r\n\t  "):
		issue(row, h, col, roster.Name, folded("name", name))
	}
	for _, fc := range checks {
		v := r.Cell(fc.col)
		if v == "" || !firstOf(h, r, fc) {
			continue
		}
		if _, p := rules[fc.field](v); p != nil {
			issue(row, h, fc.col, fc.field, p)
		}
	}
	for _, fc := range texts {
		v := r.Cell(fc.col)
		if v == "" {
			continue
		}
		f, changed := FoldText(v)
		switch {
		case hasControl(f):
			issue(row, h, fc.col, fc.field, bad("text.control_chars", "the %s holds a control character; remove it", fc.field))
		case changed:
			issue(row, h, fc.col, fc.field, folded(string(fc.field), f))
		}
	}
	email, _, _ := h.Value(r, roster.Email)
	ext, _, _ := h.Value(r, roster.ExternalID)
	if email == "" && ext == "" {
		issue(row, h, -1, "", bad("identity.missing", "the row has neither an email nor an external_id, so nobody can tell which account it is; fill in one of them"))
	}
	if v, c, _ := h.Value(r, roster.HasAccess); v != "" {
		ha, _ := ParseBool(v)
		fl, _, _ := h.Value(r, roster.IsFrontline)
		isFl, _ := ParseBool(fl)
		if ha && !isFl {
			issue(row, h, colIndex(h, c), roster.HasAccess, bad("has_access.requires_frontline", "has_access is true but is_frontline is not; set is_frontline to true, or has_access to false"))
		}
	}
}

// firstOf reports whether fc is the column whose value counts for its field
// (the first non-empty one when several columns map to it).
func firstOf(h *roster.Header, r *roster.Record, fc fieldCol) bool {
	cols := h.ColumnsOf(fc.field)
	if len(cols) == 1 {
		return true
	}
	for _, c := range cols {
		if r.Cell(c) != "" {
			return c == fc.col
		}
	}
	return false
}

func colIndex(h *roster.Header, header string) int {
	for _, c := range h.Columns {
		if c.Header == header {
			return c.Index
		}
	}
	return -1
}

func nameColumns(h *roster.Header) string {
	if h.Has(roster.Name) {
		return "the name column"
	}
	return "the first and last name"
}

// FoldText folds line breaks, tabs and runs of spaces in a text cell (a
// title typed with Alt+Enter in Excel) to single spaces, and says whether
// anything changed.
func FoldText(v string) (string, bool) {
	if !strings.ContainsAny(v, "\r\n\t") && !strings.Contains(v, "  ") {
		return v, false
	}
	f := strings.Join(strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }), " ")
	return f, f != v
}

func folded(field, v string) *problem {
	return warn("text.folded", "the %s held line breaks or repeated spaces; it is used as %q", field, v)
}

// BuildName returns the row's name, from the name column or else from the
// first and last names (line breaks and runs of spaces folded), and the
// column it came from (-1 if none).
func BuildName(h *roster.Header, r *roster.Record) (string, int) {
	for _, c := range h.ColumnsOf(roster.Name) {
		if v := r.Cell(c); v != "" {
			v, _ = FoldText(v)
			return v, c
		}
	}
	first, _, _ := h.Value(r, roster.FirstName)
	last, _, _ := h.Value(r, roster.LastName)
	col := -1
	if cols := h.ColumnsOf(roster.Name); len(cols) > 0 {
		col = cols[0]
	} else if cols := h.ColumnsOf(roster.FirstName); len(cols) > 0 {
		col = cols[0]
	}
	name, _ := FoldText(strings.TrimSpace(first + " " + last))
	return name, col
}

// Key is the identity a row is known by in outputs: external_id, else email.
func (r *Result) Key(i int) string {
	rec := &r.Rows[i].Record
	if v, _, _ := r.Header.Value(rec, roster.ExternalID); v != "" {
		return v
	}
	v, _, _ := r.Header.Value(rec, roster.Email)
	return v
}

// IssueCounts counts issues by code, file issues included.
func (r *Result) IssueCounts() map[string]int {
	out := map[string]int{}
	for _, is := range r.FileIssues {
		out[is.Code]++
	}
	for i := range r.Rows {
		for _, is := range r.Rows[i].Issues {
			out[is.Code]++
		}
	}
	return out
}

func rowList(rows []int) string {
	parts := make([]string, 0, len(rows))
	for i, r := range rows {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("and %d more", len(rows)-10))
			break
		}
		parts = append(parts, fmt.Sprint(r))
	}
	return strings.Join(parts, ", ")
}

// checkExcelDigits flags an xlsx external_id that Excel stored as a number
// and cut to 15 significant digits: more than 15 digits, zeros after the
// 15th. (Numbers past 1e21 arrive in scientific notation and are caught by
// the external_id rule.)
func checkExcelDigits(h *roster.Header, row *Row) {
	v, col, _ := h.Value(&row.Record, roster.ExternalID)
	if len(v) <= 15 || !allDigits(v) || strings.Trim(v[15:], "0") != "" {
		return
	}
	issue(row, h, colIndex(h, col), roster.ExternalID, bad("external_id.scientific",
		"%q has more than 15 digits and ends in zeros: Excel keeps only 15 digits of a number, so the real id was lost; "+
			"format the column as Text in Excel and re-enter the ids (or export them from HR as text)", v))
}
