package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/validate"
	"github.com/wpimport/wpimport/internal/workplace"
)

func (b *builder) keys(i int) (ext, email string) {
	h := &b.res.Header
	rec := &b.res.Rows[i].Record
	ext, _, _ = h.Value(rec, roster.ExternalID)
	email, _, _ = h.Value(rec, roster.Email)
	return ext, email
}

func (b *builder) fail(i int, status string, is roster.Issue) {
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
		var byExt, byEmail *workplace.Account
		if ext != "" {
			byExt = b.st.byExt[ext]
		}
		if email != "" {
			byEmail = b.st.byEmail[strings.ToLower(email)]
		}
		for _, a := range []*workplace.Account{byExt, byEmail} {
			if a != nil {
				named[a.ID] = true
			}
		}
		if !row.Valid() {
			b.state[i] = rowState{status: "invalid", action: Skip}
			continue
		}
		b.state[i].status = "planned"
		switch {
		case byExt != nil && byEmail != nil && byExt != byEmail:
			b.fail(i, "conflict", roster.Issue{Severity: roster.Error, Code: "match.conflict",
				Message: fmt.Sprintf("the external_id %s is account %s (%s) but the email %s is account %s (%s); fix the roster or the accounts, then plan again",
					ext, byExt.ID, byExt.Name, email, byEmail.ID, byEmail.Name)})
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
			b.fail(i, "conflict", roster.Issue{Severity: roster.Error, Code: "match.conflict",
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

// resolveManager finds the manager of row i: an op-level reference, or an
// issue that makes the row invalid.
func (b *builder) resolveManager(i int, ref string) (*ManagerRef, *roster.Issue) {
	if m := b.res.Resolve(ref); m >= 0 && m != i {
		switch {
		case b.state[m].status != "planned":
			return nil, &roster.Issue{Severity: roster.Error, Code: "manager.invalid_row", Field: roster.Manager,
				Message: fmt.Sprintf("the manager %q is row %d, which is %s; fix that row first", ref, b.res.Rows[m].Row, b.state[m].status)}
		case b.match[m] != nil:
			return &ManagerRef{AccountID: b.match[m].ID, Ref: ref}, nil
		case b.opOf[m] > 0 && b.ops[b.opOf[m]-1].Action == Create:
			return &ManagerRef{CreateOp: b.ops[b.opOf[m]-1].ID, Ref: ref}, nil
		default:
			return nil, &roster.Issue{Severity: roster.Error, Code: "manager.invalid_row", Field: roster.Manager,
				Message: fmt.Sprintf("the manager %q (row %d) will have no account after this run; fix that row first", ref, b.res.Rows[m].Row)}
		}
	}
	if a := b.st.Find(ref); a != nil {
		return &ManagerRef{AccountID: a.ID, Ref: ref}, nil
	}
	return nil, &roster.Issue{Severity: roster.Error, Code: "manager.not_found", Field: roster.Manager,
		Message: fmt.Sprintf("the manager %q is neither in this file nor in Workplace; correct the reference (an email, external_id or account id) or leave it empty", ref)}
}

func (b *builder) addOp(i int, op *Op) {
	op.ID = len(b.ops) + 1
	if i >= 0 {
		row := &b.res.Rows[i]
		op.Row = row.Row
		op.Key = b.res.Key(i)
		name, _ := validate.BuildName(&b.res.Header, &row.Record)
		op.Name = name
		b.opOf[i] = op.ID
	}
	if a := b.st.byID[op.AccountID]; a != nil && op.AccountID != "" {
		op.Version = a.Version
	}
	b.ops = append(b.ops, op)
}
