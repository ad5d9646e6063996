package report

import (
	"bufio"
	"encoding/csv"
	"io"

	"github.com/wpimport/wpimport/internal/safefile"
)

// SafeCell neutralizes a cell a spreadsheet would evaluate as a formula.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// writeFile writes path atomically (safefile.Write) through a buffer.
func writeFile(path string, fill func(w *bufio.Writer) error) error {
	return safefile.Write(path, func(w io.Writer) error {
		return fill(w.(*bufio.Writer))
	})
}

func writeCSV(path string, doc *Document) error {
	return writeFile(path, func(bw *bufio.Writer) error {
		w := csv.NewWriter(bw)
		rec := make([]string, 0, len(fixedHeaders)+len(doc.Headers))
		rec = append(append(rec, fixedHeaders...), doc.Headers...)
		for i := range rec {
			rec[i] = SafeCell(rec[i])
		}
		if err := w.Write(rec); err != nil {
			return err
		}
		for e := range doc.Entries {
			rec = append(rec[:0], e.fixedCells()...)
			rec = append(rec, e.Cells...)
			for i := range rec {
				rec[i] = SafeCell(rec[i])
			}
			if err := w.Write(rec); err != nil {
				return err
			}
		}
		w.Flush()
		return w.Error()
	})
}
