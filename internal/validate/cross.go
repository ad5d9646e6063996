package validate

import (
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
)

// refIndex finds rows by the values a manager reference may hold.
type refIndex struct {
	email, ext, id map[string]int32 // key → first row index
}

// indexer builds the reference index as rows arrive and collects the
// duplicate groups.
type indexer struct {
	refIndex
	dupEmail, dupExt map[string][]int32
}

func newIndexer(n int) *indexer {
	return &indexer{
		refIndex: refIndex{email: make(map[string]int32, n), ext: make(map[string]int32, n), id: map[string]int32{}},
		dupEmail: map[string][]int32{}, dupExt: map[string][]int32{},
	}
}

func (ix *indexer) add(h *roster.Header, rec *roster.Record, i int) {
	email, _, _ := h.Value(rec, roster.Email)
	ext, _, _ := h.Value(rec, roster.ExternalID)
	id, _, _ := h.Value(rec, roster.ID)
	index(ix.email, ix.dupEmail, strings.ToLower(email), i)
	index(ix.ext, ix.dupExt, ext, i)
	index(ix.id, nil, id, i)
}

func index(m map[string]int32, dups map[string][]int32, key string, i int) {
	if key == "" {
		return
	}
	if first, ok := m[key]; ok {
		if dups != nil {
			if len(dups[key]) == 0 {
				dups[key] = append(dups[key], first)
			}
			dups[key] = append(dups[key], int32(i))
		}
		return
	}
	m[key] = int32(i)
}

// markDuplicates marks every row of every group. It is linear in the rows:
// a large group (a placeholder email shared by frontline workers) is named
// by its size and first row, not by every member.
func (r *Result) markDuplicates(groups map[string][]int32, f roster.Field, what, code string) {
	for key, idx := range groups {
		first := r.Rows[idx[0]].Row
		for _, i := range idx {
			row := &r.Rows[i]
			_, col, _ := r.Header.Value(&row.Record, f)
			var where string
			if len(idx) <= 3 {
				others := make([]int, 0, 2)
				for _, o := range idx {
					if o != i {
						others = append(others, r.Rows[o].Row)
					}
				}
				where = "is also on row " + rowList(others)
			} else {
				where = fmt.Sprintf("is on %d rows, the first row %d", len(idx), first)
			}
			row.Issues = append(row.Issues, roster.Issue{Row: row.Row, Column: col, Field: f, Severity: roster.Error, Code: code,
				Message: fmt.Sprintf("the %s %q %s; nobody can tell which row is right: keep one row per person", what, key, where)})
		}
	}
}

// DropIndex frees the index of emails and ids once nothing will resolve a
// reference again (validate, before it writes a large report): for a
// million rows it is a third of the heap. Resolve finds nothing after it.
func (r *Result) DropIndex() { r.refs = refIndex{} }

// Resolve finds the row a manager reference names: by email (any case),
// then external_id, then account id. It returns -1 if no row matches.
func (r *Result) Resolve(ref string) int {
	if i, ok := r.refs.email[strings.ToLower(ref)]; ok {
		return int(i)
	}
	if i, ok := r.refs.ext[ref]; ok {
		return int(i)
	}
	if i, ok := r.refs.id[ref]; ok {
		return int(i)
	}
	return -1
}

// ManagerRow returns the row index of row i's manager, or -1.
func (r *Result) ManagerRow(i int) int {
	ref, _, _ := r.Header.Value(&r.Rows[i].Record, roster.Manager)
	if ref == "" {
		return -1
	}
	return r.Resolve(ref)
}

func (r *Result) checkManagers() {
	h := &r.Header
	if !h.Has(roster.Manager) {
		return
	}
	n := len(r.Rows)
	parent := make([]int32, n)
	for i := range r.Rows {
		parent[i] = -1
		row := &r.Rows[i]
		ref, col, _ := h.Value(&row.Record, roster.Manager)
		if ref == "" {
			continue
		}
		m := r.Resolve(ref)
		switch {
		case m == i:
			row.Issues = append(row.Issues, roster.Issue{Row: row.Row, Column: col, Field: roster.Manager, Severity: roster.Error, Code: "manager.self",
				Message: fmt.Sprintf("the row names itself (%q) as its manager; give the person's real manager or leave the cell empty", ref)})
		case m < 0:
			row.Issues = append(row.Issues, roster.Issue{Row: row.Row, Column: col, Field: roster.Manager, Severity: roster.Warning, Code: "manager.not_found",
				Message: fmt.Sprintf("the manager %q is not in this file; plan will look for it in Workplace and the row fails there if it is not found", ref)})
		default:
			parent[i] = int32(m)
		}
	}
	// Cycles: walk each unvisited chain; a chain that meets itself is a cycle.
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]uint8, n)
	var path []int32
	for start := range parent {
		if state[start] != unseen {
			continue
		}
		path = path[:0]
		i := int32(start)
		for i >= 0 && state[i] == unseen {
			state[i] = onPath
			path = append(path, i)
			i = parent[i]
		}
		if i >= 0 && state[i] == onPath {
			// path from i to the end is the cycle
			var cycle []int32
			for k := len(path) - 1; k >= 0; k-- {
				cycle = append(cycle, path[k])
				if path[k] == i {
					break
				}
			}
			r.markCycle(cycle)
		}
		for _, p := range path {
			state[p] = done
		}
	}
}

func (r *Result) markCycle(cycle []int32) {
	rows := make([]string, len(cycle))
	for k := range cycle {
		rows[len(cycle)-1-k] = fmt.Sprint(r.Rows[cycle[k]].Row)
	}
	chain := strings.Join(rows, " → ") + " → " + rows[0]
	for _, i := range cycle {
		row := &r.Rows[i]
		_, col, _ := r.Header.Value(&row.Record, roster.Manager)
		row.Issues = append(row.Issues, roster.Issue{Row: row.Row, Column: col, Field: roster.Manager, Severity: roster.Error, Code: "manager.cycle",
			Message: fmt.Sprintf("the row is on a reporting cycle (rows %s report to each other); break the cycle by correcting one manager", chain)})
	}
}
