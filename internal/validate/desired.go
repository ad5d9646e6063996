package validate

import (
	"strings"

	"github.com/wpimport/wpimport/internal/picture"
	"github.com/wpimport/wpimport/internal/roster"
)

// Desired is the normalized state a row asks for. Values holds one entry per
// field whose column exists: the normalized value, or "" for an empty cell.
// Name is always set for a valid row; first_name and last_name, where the
// roster has them, are the given and family names as written (folded).
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
		if !h.Has(f) {
			continue
		}
		if f == roster.FirstName || f == roster.LastName {
			v, _, _ := h.Value(rec, f)
			d.Values[f], _ = FoldText(v)
			continue
		}
		d.Values[f] = normalized(h, rec, f)
	}
	name, _ := BuildName(h, rec)
	d.Values[roster.Name] = name
	return d
}

// Value returns the normalized value row i gives field f ("" for none): one
// field of Desired, without building the others.
func (r *Result) Value(i int, f roster.Field) string {
	if f == roster.Name || f == roster.FirstName || f == roster.LastName || !r.Header.Has(f) {
		return r.Desired(i).Values[f]
	}
	return normalized(&r.Header, &r.Rows[i].Record, f)
}

func normalized(h *roster.Header, rec *roster.Record, f roster.Field) string {
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
	if f == roster.Email {
		v = strings.TrimSpace(v)
	}
	return v
}
