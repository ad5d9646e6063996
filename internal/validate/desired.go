package validate

import (
	"github.com/wpimport/wpimport/internal/picture"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
)

// Desired is the normalized state a row asks for. Values holds one entry per
// field whose column exists: the normalized value, or "" for an empty cell.
// Name is always set for a valid row.
type Desired struct {
	Row    int
	Values map[roster.Field]string
}

// Get returns a field's value and whether the roster carries it non-empty.
func (d Desired) Get(f roster.Field) (string, bool) {
	v := d.Values[f]
	return v, v != ""
}

// Desired returns the normalized state of row i.
func (r *Result) Desired(i int) Desired {
	h := &r.Header
	rec := &r.Rows[i].Record
	d := Desired{Row: rec.Row, Values: map[roster.Field]string{}}
	for _, f := range roster.Fields {
		if f == roster.FirstName || f == roster.LastName || !h.Has(f) {
			continue
		}
		v, _, _ := h.Value(rec, f)
		switch {
		case v == "":
		case f == roster.PictureFile:
			v, _ = picture.Clean(v) // relative to the roster's folder; Validate read it
		default:
			if rule, ok := rules[f]; ok {
				v, _ = rule(v)
			} else {
				v, _ = FoldText(v)
			}
		}
		d.Values[f] = v
	}
	name, _ := BuildName(h, rec)
	d.Values[roster.Name] = name
	if e := d.Values[roster.Email]; e != "" {
		d.Values[roster.Email] = strings.TrimSpace(e)
	}
	return d
}
