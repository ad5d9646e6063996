package roster

import "strings"

// Record is one data row of a roster: its trimmed cells, in file column order,
// and the row number a spreadsheet shows for it.
//
// A record is one string: a small header of cell end offsets followed by the
// cells' bytes, so a million records cost one allocation each and no
// per-cell pointers for the garbage collector to scan.
//
//	data = width(1) count(2) ends(count*width) cells…
//
// width is 2 when the cells fit in 64 KiB, 4 otherwise.
type Record struct {
	Row  int
	data string
}

// NewRecord builds a record from raw cells, trimming each.
func NewRecord(row int, cells []string) Record {
	n := 0
	for _, c := range cells {
		n += len(strings.TrimSpace(c))
	}
	width := 2
	if n > 0xFFFF {
		width = 4
	}
	var b strings.Builder
	b.Grow(3 + width*len(cells) + n)
	b.WriteByte(byte(width))
	b.WriteByte(byte(len(cells)))
	b.WriteByte(byte(len(cells) >> 8))
	end := 0
	for _, c := range cells {
		end += len(strings.TrimSpace(c))
		for k := 0; k < width; k++ {
			b.WriteByte(byte(end >> (8 * k)))
		}
	}
	for _, c := range cells {
		b.WriteString(strings.TrimSpace(c))
	}
	return Record{Row: row, data: b.String()}
}

// Len is the number of cells the row had in the file.
func (r *Record) Len() int {
	if len(r.data) < 3 {
		return 0
	}
	return int(r.data[1]) | int(r.data[2])<<8
}

func (r *Record) end(i int) int {
	if r.data[0] == 2 {
		return int(uint16(r.data[3+2*i]) | uint16(r.data[4+2*i])<<8)
	}
	j := 3 + 4*i
	return int(uint32(r.data[j]) | uint32(r.data[j+1])<<8 | uint32(r.data[j+2])<<16 | uint32(r.data[j+3])<<24)
}

// Cell returns cell i, or "" past the end of a short row.
func (r *Record) Cell(i int) string {
	n := r.Len()
	if i < 0 || i >= n {
		return ""
	}
	head := 3 + int(r.data[0])*n
	start := 0
	if i > 0 {
		start = r.end(i - 1)
	}
	return r.data[head+start : head+r.end(i)]
}

// Cells returns a copy of all cells.
func (r *Record) Cells() []string { return r.AppendCells(nil) }

// AppendCells appends the cells to dst (they share the record's memory).
func (r *Record) AppendCells(dst []string) []string {
	for i := range r.Len() {
		dst = append(dst, r.Cell(i))
	}
	return dst
}

// Empty reports whether every cell is empty.
func (r *Record) Empty() bool {
	n := r.Len()
	return n == 0 || r.end(n-1) == 0
}

// OutputColumns is how many columns the outputs may put before a row's
// original cells; a roster keeps its columns within Excel's limit less
// these, so that whatever validates can be written back as a workbook.
const OutputColumns = 16

// MaxCellChars is the most characters an Excel cell holds.
const MaxCellChars = 32_767
