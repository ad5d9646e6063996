package roster

// Column is one column of a roster: its header as written, its position and
// the field it maps to ("" for an unknown column). Ignored marks an unknown
// column a mapping names as one not to import (Ignore): never taken for a
// misspelt header.
type Column struct {
	Index   int
	Header  string
	Field   Field
	Ignored bool
}

// Ignore is what a mapping maps a header to when the column is not to be
// imported: it stays an unknown column, kept in the outputs, and is never
// taken for a misspelt header. It is not one of Fields.
const Ignore Field = "ignore"

// Header is the header row of a roster, mapped to fields.
type Header struct {
	Row     int // spreadsheet row of the header
	Columns []Column
	index   map[Field][]int
}

// NewHeader builds a header. mapping (normalized header → field) overrides
// the built-in aliases; pass nil for none.
func NewHeader(row int, cells []string, mapping map[string]Field) Header {
	h := Header{Row: row, index: map[Field][]int{}}
	for i, c := range cells {
		col := Column{Index: i, Header: c}
		if f, ok := mapping[NormalizeHeader(c)]; ok && f == Ignore {
			col.Ignored = true
		} else if ok {
			col.Field = f
		} else if f, ok := Lookup(c); ok {
			col.Field = f
		}
		if col.Field != "" {
			h.index[col.Field] = append(h.index[col.Field], i)
		}
		h.Columns = append(h.Columns, col)
	}
	return h
}

// Has reports whether some column maps to f.
func (h *Header) Has(f Field) bool { return len(h.index[f]) > 0 }

// ColumnsOf returns the indexes of the columns that map to f.
func (h *Header) ColumnsOf(f Field) []int { return h.index[f] }

// Value returns the first non-empty cell among the columns mapped to f, the
// header of that column, and whether any column maps to f.
func (h *Header) Value(r *Record, f Field) (value, column string, present bool) {
	cols := h.index[f]
	for _, i := range cols {
		if v := r.Cell(i); v != "" {
			return v, h.Columns[i].Header, true
		}
	}
	if len(cols) > 0 {
		return "", h.Columns[cols[0]].Header, true
	}
	return "", "", false
}

// Recognized counts the columns that map to a field.
func (h *Header) Recognized() int {
	n := 0
	for _, c := range h.Columns {
		if c.Field != "" {
			n++
		}
	}
	return n
}

// Unknown lists the headers of columns that map to no field (blank headers
// of empty columns excluded).
func (h *Header) Unknown() []string {
	var out []string
	for _, c := range h.Columns {
		if c.Field == "" && c.Header != "" {
			out = append(out, c.Header)
		}
	}
	return out
}

// Headers returns the header texts in column order.
func (h *Header) Headers() []string {
	out := make([]string, len(h.Columns))
	for i, c := range h.Columns {
		out[i] = c.Header
	}
	return out
}
