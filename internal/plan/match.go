package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/validate"
)

func (b *builder) keys(i int) (ext, email string) {
	h := &b.res.Header
	rec := &b.res.Rows[i].Record
	ext, _, _ = h.Value(rec, roster.ExternalID)
	email, _, _ = h.Value(rec, roster.Email)
	return ext, email
}

func (b *builder) fail(i int, status Status, is roster.Issue) {
	s := &b.state[i]
	s.status = status
	s.action = Skip
	is.Row = b.res.Rows[i].Row
	s.issues = append(s.issues, is)
}

// matchRows matches every row to an account and returns the accounts some
// row names (invalid rows included).
func (b *builder) matchRows() map[string]bool {
	named := map[string]bool{}
	for i := range b.res.Rows {
		row := &b.res.Rows[i]
		ext, email := b.keys(i)
		var byExt, byEmail *target.Account
		if ext != "" {
			byExt = b.st.byExt[ext]
		}
		if email != "" {
			byEmail = b.st.byEmail[strings.ToLower(email)]
		}
		for _, a := range []*target.Account{byExt, byEmail} {
			if a != nil {
				named[a.ID] = true
			}
		}
		if !row.Valid() {
			b.state[i] = rowState{status: Invalid, action: Skip}
			continue
		}
		b.state[i].status = Planned
		if byExt != nil && byEmail != nil && byExt != byEmail {
			b.fail(i, Conflict, roster.Issue{Severity: roster.Error, Code: "match.conflict",
				Message: fmt.Sprintf("the external_id %s is account %s (%s) but the email %s is account %s (%s); fix the roster or the accounts, then plan again",
					ext, byExt.ID, byExt.Name.Formatted, email, byEmail.ID, byEmail.Name.Formatted)})
			continue
		}
		first := byExt
		if b.opts.Match[0] == "email" || first == nil {
			first = byEmail
			if first == nil {
				first = byExt
			}
		}
		if first != nil && first == byEmail && byExt == nil && ext != "" && first.ExternalID != "" && first.ExternalID != ext {
			b.fail(i, Conflict, roster.Issue{Severity: roster.Error, Code: "match.conflict",
				Message: fmt.Sprintf("the email %s is account %s, whose external_id is %s, not %s; correct the roster's external_id (or the account's) and plan again",
					email, first.ID, first.ExternalID, ext)})
			continue
		}
		b.match[i] = first
	}
	return named
}

// depthOrder lists rows so that every row comes after its in-file manager.
// Rows on a reporting cycle (already invalid) get depth 0.
func (b *builder) depthOrder() []int {
	const unknown, visiting = -1, -2
	n := len(b.res.Rows)
	depth := make([]int, n)
	for i := range depth {
		depth[i] = unknown
	}
	var chain []int
	for i := 0; i < n; i++ {
		chain = chain[:0]
		for j := i; j >= 0 && depth[j] == unknown; j = b.res.ManagerRow(j) {
			depth[j] = visiting
			chain = append(chain, j)
		}
		for k := len(chain) - 1; k >= 0; k-- {
			j := chain[k]
			if m := b.res.ManagerRow(j); m >= 0 && depth[m] >= 0 {
				depth[j] = depth[m] + 1
			} else {
				depth[j] = 0
			}
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool { return depth[order[x]] < depth[order[y]] })
	return order
}

// personRef resolves a reference to a person, for a manager, a group member
// or a people set's value: the row of this file it names (matched, or
// created by this plan), else an account read. ok is false when it names
// nobody who will have an account; row is the row it names (-1 if none).
func (b *builder) personRef(ref string) (r ManagerRef, row int, ok bool) {
	r.Ref = ref
	if m := b.res.Resolve(ref); m >= 0 {
		switch {
		case b.state[m].status != Planned:
			return r, m, false
		case b.match[m] != nil:
			r.AccountID = b.match[m].ID
			return r, m, true
		case b.chOf[m] > 0 && b.chs[b.chOf[m]-1].Action == Create:
			r.CreateOp = b.chOf[m]
			return r, m, true
		}
		return r, m, false
	}
	if a := b.st.Find(ref); a != nil {
		r.AccountID = a.ID
		return r, -1, true
	}
	return r, -1, false
}

// resolveManager finds the manager of row i: a reference, or an issue
// that makes the row invalid.
func (b *builder) resolveManager(i int, ref string) (*ManagerRef, *roster.Issue) {
	r, m, ok := b.personRef(ref)
	switch {
	case ok && m != i:
		return &r, nil
	case m == i:
		return nil, &roster.Issue{Severity: roster.Error, Code: "manager.self", Field: roster.Manager,
			Message: fmt.Sprintf("the row names itself (%q) as its manager; give the person's real manager or leave the cell empty", ref)}
	case m >= 0 && b.state[m].status != Planned:
		return nil, &roster.Issue{Severity: roster.Error, Code: "manager.invalid_row", Field: roster.Manager,
			Message: fmt.Sprintf("the manager %q is row %d, which is %s; fix that row first", ref, b.res.Rows[m].Row, b.state[m].status)}
	case m >= 0:
		return nil, &roster.Issue{Severity: roster.Error, Code: "manager.invalid_row", Field: roster.Manager,
			Message: fmt.Sprintf("the manager %q (row %d) will have no account after this run; fix that row first", ref, b.res.Rows[m].Row)}
	}
	return nil, &roster.Issue{Severity: roster.Error, Code: "manager.not_found", Field: roster.Manager,
		Message: fmt.Sprintf("the manager %q is neither in this file nor in %s; correct the reference (an email, external_id or account id) or leave it empty", ref, b.caps.Service)}
}

// addChange files an account change for row i (-1: an account no row
// names).
func (b *builder) addChange(i int, c *Change) {
	c.ID = len(b.chs) + 1
	c.Kind = KindAccount
	if c.Cause == "" {
		c.Cause = CauseRoster
	}
	if i >= 0 {
		row := &b.res.Rows[i]
		c.Row = row.Row
		c.Key = b.res.Key(i)
		c.Name, _ = validate.BuildName(&b.res.Header, &row.Record)
		b.chOf[i] = c.ID
	}
	b.chs = append(b.chs, c)
}

// describe names an account for people: its email, else external id, else id.
func (b *builder) describe(id string) string {
	if a := b.st.byID[id]; a != nil {
		return a.Describe()
	}
	return id
}
