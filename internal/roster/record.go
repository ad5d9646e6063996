package roster

import "strings"

// Record is one data row of a roster: its trimmed cells, in file column order,
// and the row number a spreadsheet shows for it.
//
// The cells share one backing string, so a million records cost one
// allocation each instead of one per cell.
type Record struct {
	Row  int
	line string
	ends []uint32
}

// NewRecord builds a record from raw cells, trimming each.
func NewRecord(row int, cells []string) Record {
	n := 0
	for _, c := range cells {
		n += len(c)
	}
	var b strings.Builder
	b.Grow(n)
	ends := make([]uint32, len(cells))
	for i, c := range cells {
		b.WriteString(strings.TrimSpace(c))
		ends[i] = uint32(b.Len())
	}
	return Record{Row: row, line: b.String(), ends: ends}
}

// Len is the number of cells the row had in the file.
func (r *Record) Len() int { return len(r.ends) }

// Cell returns cell i, or "" past the end of a short row.
func (r *Record) Cell(i int) string {
	if i < 0 || i >= len(r.ends) {
		return ""
	}
	start := uint32(0)
	if i > 0 {
		start = r.ends[i-1]
	}
	return r.line[start:r.ends[i]]
}

// Cells returns a copy of all cells.
func (r *Record) Cells() []string {
	out := make([]string, len(r.ends))
	for i := range out {
		out[i] = r.Cell(i)
	}
	return out
}

// Empty reports whether every cell is empty.
func (r *Record) Empty() bool { return len(r.line) == 0 }
