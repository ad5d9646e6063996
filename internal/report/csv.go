package report

import (
	"bufio"
	"io"
	"strconv"

	"github.com/wpimport/wpimport/internal/safefile"
)

// SafeCell neutralizes a cell a spreadsheet would evaluate as a formula.
func SafeCell(s string) string {
	if formulaStart(s) {
		return "'" + s
	}
	return s
}

func formulaStart(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// needsQuotes reports a cell that must be quoted: one holding the list
// separator of any locale (, ; tab), a quote or a line break, or with
// spaces at its ends. Spreadsheets that split on another separator than
// ours then still see one cell, and never a formula in the middle of it.
func needsQuotes(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', ';', '\t', '"', '\n', '\r':
			return true
		}
	}
	return s != "" && (s[0] == ' ' || s[len(s)-1] == ' ')
}

// appendCSVCell appends one cell, neutralized (SafeCell) and quoted as
// needed.
func appendCSVCell(b []byte, s string) []byte {
	s = SafeCell(s)
	if !needsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// spill writes b out once it holds 64 KiB, and returns it emptied (or
// as it was): the writers append rows to one buffer, not a call a cell.
func spill(w io.Writer, b []byte) ([]byte, error) {
	if len(b) < 64<<10 {
		return b, nil
	}
	_, err := w.Write(b)
	return b[:0], err
}

// writeFile writes path atomically (safefile.Write) through a buffer.
func writeFile(path string, fill func(w *bufio.Writer) error) error {
	return safefile.Write(path, func(w io.Writer) error {
		return fill(w.(*bufio.Writer))
	})
}

func writeCSV(path string, doc *Document) error {
	return writeFile(path, func(bw *bufio.Writer) error {
		line := make([]byte, 0, 4<<10)
		var err error
		cell := func(i int, s string) {
			if i > 0 {
				line = append(line, ',')
			}
			line = appendCSVCell(line, s)
		}
		for i, h := range append(append([]string{}, fixedHeaders...), doc.Headers...) {
			cell(i, h)
		}
		line = append(line, "\r\n"...)
		var scratch []byte
		for e := range doc.Entries {
			// In fixedHeaders order.
			cell(0, strconv.Itoa(e.Row))
			cell(1, e.Name)
			cell(2, e.Key)
			cell(3, e.Status)
			cell(4, e.Action)
			cell(5, FormatChanges(e.Changes))
			scratch = appendIssues(scratch[:0], e.Issues)
			cell(6, string(scratch))
			cell(7, e.AccountID)
			cell(8, strconv.Itoa(e.Attempts))
			cell(9, e.ErrorCode)
			cell(10, e.ErrorMessage)
			for i, c := range e.Cells {
				cell(len(fixedHeaders)+i, c)
			}
			line = append(line, "\r\n"...)
			if line, err = spill(bw, line); err != nil {
				return err
			}
		}
		if err := doc.cut(); err != nil {
			return err
		}
		_, err = bw.Write(line)
		return err
	})
}
