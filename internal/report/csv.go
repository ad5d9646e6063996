package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
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

// writeFile creates path and lets fill write it through a buffer; every
// error names the file.
func writeFile(path string, fill func(w *bufio.Writer) error) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write %s: %w", path, cerr)
		}
	}()
	bw := bufio.NewWriterSize(f, 256<<10)
	if err := fill(bw); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
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
