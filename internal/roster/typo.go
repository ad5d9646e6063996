package roster

import (
	"slices"
	"strings"
	"unicode"
)

// A header is taken for a misspelt known header when its normalized form
// (NormalizeHeader) is a few edits from one of the aliases: an insertion, a
// deletion, a substitution or two neighbours swapped ("Frist", "Emial") each
// count as one edit (Distance). To keep real extra columns ("Site", "Notes",
// "Location ID", "Email 2") out, the rule is narrow:
//   - a header shorter than typoMinLen runes needs an exact alias;
//   - one edit is allowed from an alias of typoMinLen runes or more, two only
//     from one of typoTwoEditsLen or more ("Site" is two edits from "title",
//     "User Name" two from "surname": neither is a typo);
//   - a header with a digit the alias lacks ("Manager 2"), or that is the
//     alias with two characters more or less at one end ("Department ID",
//     "Inactive", "Workplace" for "Workplace ID"), names another column.
const (
	typoMinLen      = 4
	typoTwoEditsLen = 8
)

// Misspelling is an unknown column whose header looks like a misspelt known
// header.
type Misspelling struct {
	Column string // the header as the file writes it
	Meant  string // the header it likely meant, in the file's own spelling
	Field  Field
}

// Misspellings lists the unknown columns whose headers look like a known
// header misspelt (see Resemble), in column order. A column whose field
// already has a column is left out (an extra column, not a typo), and so is
// one a mapping marked as ignored.
func (h *Header) Misspellings() []Misspelling {
	var out []Misspelling
	for _, c := range h.Columns {
		if c.Field != "" || c.Ignored || c.Header == "" {
			continue
		}
		meant, f, ok := Resemble(c.Header)
		if ok && !h.Has(f) {
			out = append(out, Misspelling{Column: c.Header, Meant: meant, Field: f})
		}
	}
	return out
}

// Resemble reports whether header, which names no field, looks like a known
// header misspelt: then it returns that header as the file would have
// written it ("Frist Name" gives "First Name") and its field. Of several
// near aliases the nearest wins, then the field first in Fields.
func Resemble(header string) (meant string, field Field, ok bool) {
	n := []rune(NormalizeHeader(header))
	if len(n) < typoMinLen {
		return "", "", false
	}
	if _, known := aliases[string(n)]; known {
		return "", "", false
	}
	best, bestDist, bestRank := "", 3, len(Fields)
	for a, f := range aliases {
		ar := []rune(a)
		d := Distance(string(n), a)
		if d == 0 || d > 2 || len(ar) < typoMinLen || (d == 2 && len(ar) < typoTwoEditsLen) || namesAnother(string(n), a) {
			continue
		}
		rank := slices.Index(Fields, f)
		if d < bestDist || d == bestDist && (rank < bestRank || rank == bestRank && a < best) {
			best, bestDist, bestRank = a, d, rank
		}
	}
	if best == "" {
		return "", "", false
	}
	return respell(header, best), aliases[best], true
}

// namesAnother reports a normalized header that names another column than
// the alias it is near: it has a digit the alias lacks ("manager2"), or it
// is the alias with two characters more or less at one end
// ("departmentid", "inactive", "workplace" for "workplaceid").
func namesAnother(n, alias string) bool {
	if strings.ContainsFunc(n, unicode.IsDigit) && !strings.ContainsFunc(alias, unicode.IsDigit) {
		return true
	}
	long, short := n, alias
	if len(long) < len(short) {
		long, short = short, long
	}
	if len([]rune(long))-len([]rune(short)) < 2 {
		return false
	}
	return strings.HasPrefix(long, short) || strings.HasSuffix(long, short)
}

// Distance is the optimal string alignment distance between a and b, in
// runes: the fewest insertions, deletions, substitutions and swaps of two
// neighbours that turn a into b ("frist" → "first" is 1).
func Distance(a, b string) int {
	d := editTable([]rune(a), []rune(b))
	return d[len(d)-1][len(d[0])-1]
}

// editTable is the dynamic-programming table of Distance: d[i][j] is the
// distance between the first i runes of a and the first j of b.
func editTable(a, b []rune) [][]int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d
}

// respell applies to header, as written, the edits that turn its normalized
// form into alias, keeping its case, spaces and punctuation: "Frist Name"
// and "firstname" give "First Name", "Emplyee Number" and "employeenumber"
// give "Employee Number".
func respell(header, alias string) string {
	orig := []rune(header)
	var pos []int // pos[i]: index in orig of the i-th normalized rune
	for k, r := range orig {
		if !droppedInHeader(r) {
			pos = append(pos, k)
		}
	}
	from := []rune(NormalizeHeader(header))
	to := []rune(alias)
	d := editTable(from, to)
	// repl[i]: what replaces the i-th normalized rune (nil: itself);
	// ins[i]: runes inserted before it (ins[len(from)]: at the end).
	repl := make([][]rune, len(from))
	ins := make([][]rune, len(from)+1)
	set := func(i int, r rune) { repl[i] = []rune{caseLike(r, orig[pos[i]])} }
	for i, j := len(from), len(to); i > 0 || j > 0; {
		switch {
		case i > 0 && j > 0 && from[i-1] == to[j-1] && d[i][j] == d[i-1][j-1]:
			i, j = i-1, j-1
		case i > 1 && j > 1 && from[i-1] == to[j-2] && from[i-2] == to[j-1] && d[i][j] == d[i-2][j-2]+1:
			set(i-2, to[j-2])
			set(i-1, to[j-1])
			i, j = i-2, j-2
		case j > 0 && d[i][j] == d[i][j-1]+1:
			ins[i] = append([]rune{to[j-1]}, ins[i]...)
			j--
		case i > 0 && d[i][j] == d[i-1][j]+1:
			repl[i-1] = []rune{}
			i--
		default:
			set(i-1, to[j-1])
			i, j = i-1, j-1
		}
	}
	upper := func(i int) bool { return i >= 0 && i < len(from) && unicode.IsUpper(orig[pos[i]]) }
	inserted := func(i int) []rune {
		out := make([]rune, len(ins[i]))
		for k, r := range ins[i] {
			// Upper case only between upper-case letters (or after one, at
			// the end): "EMPLYEE" gives "EMPLOYEE", "Emplyee" "Employee".
			if upper(i-1) && (i == len(from) || upper(i)) {
				r = unicode.ToUpper(r)
			}
			out[k] = r
		}
		return out
	}
	var b []rune
	if len(from) > 0 {
		b = append(b, inserted(0)...)
	}
	next := 0 // the next normalized rune
	for k, r := range orig {
		if next < len(pos) && pos[next] == k {
			if repl[next] != nil {
				b = append(b, repl[next]...)
			} else {
				b = append(b, r)
			}
			b = append(b, inserted(next+1)...)
			next++
			continue
		}
		b = append(b, r)
	}
	return strings.TrimSpace(strings.TrimPrefix(string(b), "\ufeff"))
}

// caseLike gives r the case of like.
func caseLike(r, like rune) rune {
	if unicode.IsUpper(like) {
		return unicode.ToUpper(r)
	}
	return r
}
