package plan

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/validate"
)

// Groups (a target's static groups, where its capabilities announce them):
// the roster's groups column names the groups each person belongs to. The
// plan creates the groups that do not exist and adds the members they
// lack; with --sync-groups it also removes, from the groups the roster
// names, the members it does not list, behind the --max-group-removals
// guard. Groups the roster does not name are never touched, nor is anyone
// on a row the plan found invalid or in conflict (their place in a group is
// left as it is).

// DefaultMaxGroupRemovals is the --max-group-removals guard when none is
// given: 5% of the members the named groups had.
const DefaultMaxGroupRemovals = "5%"

// addGroupChange files a group change.
func (b *builder) addGroupChange(c Change) {
	p := b.plan
	c.ID = len(p.Changes) + 1
	c.Kind, c.Cause = KindGroup, CauseRoster
	p.Changes = append(p.Changes, c)
}

// planGroups adds the group changes. Caller has run finish (the account
// changes are final).
func (b *builder) planGroups(ctx context.Context, dir target.Directory) error {
	h := &b.res.Header
	if !h.Has(roster.Groups) {
		return nil
	}
	p := b.plan
	gr, ok := target.GroupsOf(dir, b.caps)
	if !ok {
		n := 0
		for i := range b.res.Rows {
			if b.res.Value(i, roster.Groups) != "" {
				n++
			}
		}
		if n > 0 {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s groups, which %s cannot carry: no group is changed (see \"Not carried\" in the README)",
				plural(n, "row gives", "rows give"), b.caps.Service))
		}
		return nil
	}
	if b.opts.SyncGroups && (!b.caps.Complete || !b.caps.GroupMembersRead) {
		return fmt.Errorf("--sync-groups removes the members the roster does not list, and %s cannot show every account and every member of a group: %w; plan without --sync-groups",
			b.caps.Service, ErrIncompleteListing)
	}
	existing, err := gr.ListGroups(ctx)
	if err != nil {
		return fmt.Errorf("list groups: %w", err)
	}
	byName := map[string][]target.Group{}
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
		if b.state[i].status != Planned {
			ext, email := b.keys(i)
			for _, a := range []*target.Account{b.st.byExt[ext], b.st.byEmail[strings.ToLower(email)]} {
				if a != nil {
					keep[a.ID] = true
				}
			}
		}
		v := b.res.Value(i, roster.Groups)
		if v == "" || b.state[i].status != Planned {
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
		case b.chOf[i] > 0 && b.chs[b.chOf[i]-1].Action == Create:
			m = MemberRef{CreateOp: b.chOf[i], Row: row.Row, Ref: who}
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
		c := Change{Key: w.name, Name: w.name, Rows: w.rows, Group: &GroupChange{}}
		cur := byName[k]
		switch {
		case len(cur) > 1:
			c.Action = Skip
			c.Reason = fmt.Sprintf("%d groups are named %q (ids %s and %s): wpimport will not guess; rename one", len(cur), w.name, cur[0].ID, cur[1].ID)
			b.addGroupChange(c)
			continue
		case len(cur) == 0:
			c.Action = Create
		default:
			c.Group.GroupID, c.Group.Members = cur[0].ID, len(cur[0].Members)
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
				c.Group.Add = append(c.Group.Add, m)
			}
		}
		if b.opts.SyncGroups && len(cur) == 1 {
			for _, id := range cur[0].Members {
				if _, listed := w.members[id]; !listed && !keep[id] {
					c.Group.Remove = append(c.Group.Remove, MemberRef{AccountID: id, Ref: b.describe(id)})
				}
			}
		}
		sortMembers(c.Group.Add)
		sortMembers(c.Group.Remove)
		removals += len(c.Group.Remove)
		if c.Action == "" {
			c.Action = None
			if len(c.Group.Add) > 0 || len(c.Group.Remove) > 0 {
				c.Action = Update
			}
		}
		b.addGroupChange(c)
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

// checkGroup checks one group change (Plan.Check).
func (p *Plan) checkGroup(c *Change) string {
	g := c.Group
	if g == nil {
		return "a group change holds no group"
	}
	switch c.Action {
	case Create:
		if g.GroupID != "" {
			return "a group create names an existing group"
		}
	case Update:
		if g.GroupID == "" {
			return "a group update names no group"
		}
	case None, Skip:
		if len(g.Add)+len(g.Remove) > 0 {
			return fmt.Sprintf("a group change of action %s changes members", c.Action)
		}
	case Delete:
		if g.GroupID == "" || c.Cause != CauseUndo || !p.Options.DeleteCreated {
			return "a group deletion outside an undo plan made with --delete-created"
		}
	default:
		return fmt.Sprintf("unknown action %q", c.Action)
	}
	for _, m := range g.Add {
		if m.CreateOp != 0 {
			if o := p.Change(m.CreateOp); o == nil || o.Kind != KindAccount || o.Action != Create {
				return fmt.Sprintf("it adds a member made by change %d, which is not an account create", m.CreateOp)
			}
		} else if m.AccountID == "" {
			return "it adds a member with no account"
		}
	}
	for _, m := range g.Remove {
		if m.AccountID == "" {
			return "it removes a member with no account"
		}
	}
	return ""
}

// checkGroups re-derives the group removals' limit (Plan.Check).
func (p *Plan) checkGroups() string {
	removals := 0
	for i := range p.Changes {
		if g := p.Changes[i].Group; g != nil {
			removals += len(g.Remove)
		}
	}
	return checkRemovals(removals, "removes", "group members", p.Options.SyncGroups || p.Kind == "undo", "--sync-groups",
		"--max-group-removals", p.Options.MaxGroupRemovals, p.GroupMembersRead, "members")
}
