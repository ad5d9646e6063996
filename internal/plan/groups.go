package plan

import (
	"cmp"
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/validate"
	"github.com/wpimport/wpimport/internal/workplace"
)

// Groups (a SCIM target's static groups): the roster's groups column
// names the groups each person belongs to. The plan creates the groups
// that do not exist and adds the members they lack; with --sync-groups it
// also removes, from the groups the roster names, the members it does not
// list, behind the --max-group-removals guard. Groups the roster does not
// name are never touched, nor is anyone on a row the plan found invalid or
// in conflict (their place in a group is left as it is).

// GroupReader reads a target's groups. A Directory that is one has groups.
type GroupReader interface {
	ListGroups(ctx context.Context) ([]workplace.Group, error)
}

// GroupOp is what the plan does to one group.
type GroupOp struct {
	ID      int         `json:"id"`
	Name    string      `json:"name"`
	Action  Action      `json:"action"` // create, update, none, skip
	GroupID string      `json:"group_id,omitempty"`
	Rows    []int       `json:"rows,omitempty"` // roster rows naming the group
	Members int         `json:"members"`        // members when read
	Add     []MemberRef `json:"add,omitempty"`
	Remove  []MemberRef `json:"remove,omitempty"`
	Reason  string      `json:"reason,omitempty"`
}

// MemberRef is a group member: an existing account, or one a create op of
// this plan makes.
type MemberRef struct {
	AccountID string `json:"account_id,omitempty"`
	CreateOp  int    `json:"create_op,omitempty"`
	Row       int    `json:"row,omitempty"`
	Ref       string `json:"ref"` // who, for people: the row's key or the account's email
}

// DefaultMaxGroupRemovals is the --max-group-removals guard when none is
// given: 5% of the members the named groups had.
const DefaultMaxGroupRemovals = "5%"

// planGroups adds the group ops. Caller has run finish (ops are final).
func (b *builder) planGroups(ctx context.Context, dir Directory) error {
	h := &b.res.Header
	if !h.Has(roster.Groups) {
		return nil
	}
	p := b.plan
	if b.uncarried[roster.Groups] {
		n := 0
		for i := range b.res.Rows {
			if b.res.Value(i, roster.Groups) != "" {
				n++
			}
		}
		if n > 0 {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%d rows give groups, which %s cannot carry: no group is changed (see \"Not carried\" in the README)", n, b.target()))
		}
		return nil
	}
	gr, ok := dir.(GroupReader)
	if !ok {
		b.uncarried[roster.Groups] = true
		return b.planGroups(ctx, dir) // reported as a field the target cannot carry
	}
	existing, err := gr.ListGroups(ctx)
	if err != nil {
		return err
	}
	byName := map[string][]workplace.Group{}
	for _, g := range existing {
		k := strings.ToLower(g.Name)
		byName[k] = append(byName[k], g)
	}
	type want struct {
		name    string
		rows    []int
		members map[string]MemberRef // by account id, or "op:N"
	}
	wanted := map[string]*want{}
	var order []string
	keep := map[string]bool{} // accounts of rows the plan could not read: never removed
	for i := range b.res.Rows {
		row := &b.res.Rows[i]
		if b.state[i].status != "planned" {
			ext, email := b.keys(i)
			for _, a := range []*workplace.Account{b.st.byExt[ext], b.st.byEmail[strings.ToLower(email)]} {
				if a != nil {
					keep[a.ID] = true
				}
			}
		}
		v := b.res.Value(i, roster.Groups)
		if v == "" || b.state[i].status != "planned" {
			continue
		}
		who := b.res.Key(i)
		if email := b.res.Value(i, roster.Email); email != "" {
			who = email
		}
		var m MemberRef
		switch {
		case b.match[i] != nil:
			m = MemberRef{AccountID: b.match[i].ID, Row: row.Row, Ref: who}
		case b.opOf[i] > 0 && b.ops[b.opOf[i]-1].Action == Create:
			m = MemberRef{CreateOp: b.opOf[i], Row: row.Row, Ref: who}
		default:
			continue
		}
		for _, name := range validate.GroupNames(v) {
			k := strings.ToLower(name)
			w := wanted[k]
			if w == nil {
				w = &want{name: name, members: map[string]MemberRef{}}
				wanted[k] = w
				order = append(order, k)
			}
			w.rows = append(w.rows, row.Row)
			key := m.AccountID
			if key == "" {
				key = fmt.Sprintf("op:%d", m.CreateOp)
			}
			w.members[key] = m
		}
	}
	read, removals := 0, 0
	for _, k := range order {
		w := wanted[k]
		op := GroupOp{ID: len(p.Groups) + 1, Name: w.name, Rows: w.rows}
		cur := byName[k]
		switch {
		case len(cur) > 1:
			op.Action = Skip
			op.Reason = fmt.Sprintf("%d groups are named %q (ids %s and %s): wpimport will not guess; rename one", len(cur), w.name, cur[0].ID, cur[1].ID)
			p.Groups = append(p.Groups, op)
			continue
		case len(cur) == 0:
			op.Action = Create
		default:
			op.GroupID, op.Members = cur[0].ID, len(cur[0].Members)
			read += len(cur[0].Members)
		}
		have := map[string]bool{}
		if len(cur) == 1 {
			for _, id := range cur[0].Members {
				have[id] = true
			}
		}
		for _, m := range w.members {
			if m.AccountID == "" || !have[m.AccountID] {
				op.Add = append(op.Add, m)
			}
		}
		if b.opts.SyncGroups && len(cur) == 1 {
			for _, id := range cur[0].Members {
				if _, listed := w.members[id]; !listed && !keep[id] {
					op.Remove = append(op.Remove, MemberRef{AccountID: id, Ref: b.describe(id)})
				}
			}
		}
		sortMembers(op.Add)
		sortMembers(op.Remove)
		removals += len(op.Remove)
		if op.Action == "" {
			op.Action = None
			if len(op.Add) > 0 || len(op.Remove) > 0 {
				op.Action = Update
			}
		}
		p.Groups = append(p.Groups, op)
	}
	p.GroupMembersRead = read
	if limit := LimitOf(b.opts.MaxGroupRemovals, read); removals > limit && p.Refused == "" {
		p.Refused = fmt.Sprintf("--sync-groups would remove %d group members, over the limit of %d (--max-group-removals %s of the %d members the named groups have); "+
			"check the groups column, or raise the limit for this run with --max-group-removals %d", removals, limit, b.opts.MaxGroupRemovals, read, removals)
	}
	return nil
}

func sortMembers(m []MemberRef) {
	sort.Slice(m, func(i, j int) bool {
		if m[i].Row != m[j].Row {
			return m[i].Row < m[j].Row
		}
		return m[i].AccountID < m[j].AccountID
	})
}

func (b *builder) target() string { return cmp.Or(b.opts.Target, "the target") }

// checkGroups re-derives the group ops' limits (Plan.Check).
func (p *Plan) checkGroups() string {
	removals := 0
	for _, g := range p.Groups {
		removals += len(g.Remove)
		for _, m := range g.Add {
			if m.CreateOp != 0 && (m.CreateOp < 1 || m.CreateOp > len(p.Ops) || p.Ops[m.CreateOp-1].Action != Create) {
				return fmt.Sprintf("the group %q adds a member made by op %d, which is not a create", g.Name, m.CreateOp)
			}
			if m.CreateOp == 0 && m.AccountID == "" {
				return fmt.Sprintf("the group %q adds a member with no account", g.Name)
			}
		}
	}
	return checkRemovals(removals, "removes", "group members", p.Options.SyncGroups, "--sync-groups",
		"--max-group-removals", p.Options.MaxGroupRemovals, p.GroupMembersRead, "members")
}
