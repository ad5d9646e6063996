package undo

import (
	"fmt"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/target"
)

// objectNote lists, as a warning in the plan, something about a group or
// a set that is not undone.
func (b *builder) objectNote(format string, args ...any) {
	b.plan.Warnings = append(b.plan.Warnings, fmt.Sprintf(format, args...))
}

// inverseGroup removes the members the import added and adds back those it
// removed; a group it created is deleted with DeleteCreated.
func (b *builder) inverseGroup(c *plan.Change, o *execute.Outcome) {
	g := c.Group
	if g == nil || !done(o) || o.Status == plan.Partial && c.Action != plan.Create {
		if o != nil && o.Status == plan.Partial {
			b.objectNote("group %q: the import left it partly done; its members are left as they are (compare them with the results)", c.Name)
		}
		return
	}
	id := o.ObjectID
	cur := b.groups[id]
	if cur == nil {
		b.objectNote("group %q (%s) is gone since the import: nothing to take back", c.Name, id)
		return
	}
	u := plan.Change{Kind: plan.KindGroup, Key: c.Key, Name: c.Name, Rows: c.Rows, Group: &plan.GroupChange{GroupID: id, Members: len(cur.Members)}}
	if c.Action == plan.Create && b.opts.DeleteCreated {
		u.Action, u.Reason = plan.Delete, "the import created it (--delete-created)"
		b.add(u, plan.RowEntry{})
		return
	}
	have := map[string]bool{}
	for _, m := range cur.Members {
		have[m] = true
	}
	known := b.caps.GroupMembersRead
	for _, m := range g.Add {
		id := m.AccountID
		if id == "" {
			id = b.created[m.CreateOp]
		}
		if id != "" && (!known || have[id]) {
			u.Group.Remove = append(u.Group.Remove, plan.MemberRef{AccountID: id, Row: m.Row, Ref: m.Ref})
		}
	}
	for _, m := range g.Remove {
		if !known || !have[m.AccountID] {
			u.Group.Add = append(u.Group.Add, m)
		}
	}
	if len(u.Group.Add)+len(u.Group.Remove) == 0 {
		return
	}
	u.Action, u.Reason = plan.Update, "the import changed its members"
	if c.Action == plan.Create {
		u.Reason = "the import created it; it is kept (--delete-created deletes it), emptied of the members the import added"
	}
	b.add(u, plan.RowEntry{})
}

// inverseSet deletes a set the import created, gives an updated one its
// old conditions, and makes a deleted one again.
func (b *builder) inverseSet(c *plan.Change, o *execute.Outcome) {
	s := c.Set
	if s == nil || !done(o) {
		return
	}
	id := o.ObjectID
	cur := b.sets[id]
	u := plan.Change{Kind: plan.KindPeopleSet, Key: c.Key, Name: c.Name, Rows: c.Rows, Set: &plan.SetChange{}}
	switch c.Action {
	case plan.Create:
		if cur == nil {
			b.objectNote("people set %q is gone since the import: nothing to take back", c.Name)
			return
		}
		u.Action, u.Reason = plan.Delete, "the import created it"
		u.Set.SetID, u.Set.Before, u.Set.Fingerprint = cur.ID, cur.Conditions, plan.SetFingerprint(cur.Conditions)
	case plan.Update:
		if cur == nil {
			b.objectNote("people set %q is gone since the import: nothing to take back", c.Name)
			return
		}
		u.Action, u.Reason = plan.Update, "the import changed its conditions"
		u.Set.SetID, u.Set.Before, u.Set.Fingerprint = cur.ID, cur.Conditions, plan.SetFingerprint(cur.Conditions)
		u.Set.After = literal(s.Before)
	case plan.Delete:
		u.Action, u.Reason = plan.Create, "the import deleted it"
		u.Set.After = literal(s.Before)
		if len(u.Set.After) == 0 {
			b.objectNote("people set %q was deleted with no conditions recorded: it cannot be made again", c.Name)
			return
		}
	default:
		return
	}
	b.add(u, plan.RowEntry{})
}

// literal turns conditions as read into planned ones (their values are
// account ids as they were).
func literal(conds []target.Condition) []plan.SetCondition {
	var out []plan.SetCondition
	for _, c := range conds {
		sc := plan.SetCondition{Field: c.Field, Operator: c.Operator}
		for _, v := range c.Values {
			sc.Values = append(sc.Values, plan.SetValue{Value: v})
		}
		out = append(out, sc)
	}
	return out
}

// finish computes the guards: deactivations (and deletions) against
// --max-deactivate, as for any plan, with a word of what raising it takes.
func (b *builder) finish() {
	p := b.plan
	p.GuardRemovals(b.active, "check which results you are taking back")
	if p.Refused != "" {
		creates := 0
		for i := range p.Changes {
			if p.Changes[i].Reason == "the import created it" {
				creates++
			}
		}
		if creates > 0 {
			p.Refused += fmt.Sprintf(". Undoing %s is deactivating them: undoing the whole import needs --max-deactivate %d",
				plural(creates, "create", "creates"), p.Guard.Deactivations)
		}
	}
	p.ChangeGuards = p.MassUpdateGuards()
	if n := removals(p); n > 0 {
		p.Options.SyncGroups = true
		if lim := plan.LimitOf(p.Options.MaxGroupRemovals, p.GroupMembersRead); n > lim && p.Refused == "" {
			p.Refused = fmt.Sprintf("the undo removes %d group members, over the limit of %d (--max-group-removals %s of %d members); raise it for this run with --max-group-removals %d",
				n, lim, p.Options.MaxGroupRemovals, p.GroupMembersRead, n)
		}
	}
	if n := p.Counts(plan.KindPeopleSet)[plan.Delete]; n > 0 {
		p.Options.SyncPeopleSets = true
		if lim := plan.LimitOf(p.Options.MaxDeletePeopleSets, p.PeopleSetsRead); n > lim && p.Refused == "" {
			p.Refused = fmt.Sprintf("the undo deletes %d people sets, over the limit of %d (--max-delete-people-sets %s of %d sets); raise it for this run with --max-delete-people-sets %d",
				n, lim, p.Options.MaxDeletePeopleSets, p.PeopleSetsRead, n)
		}
	}
	if len(p.Changes) == 0 {
		p.Warnings = append(p.Warnings, "nothing the import did is left to take back")
	}
}

func removals(p *plan.Plan) int {
	n := 0
	for i := range p.Changes {
		if g := p.Changes[i].Group; g != nil {
			n += len(g.Remove)
		}
	}
	return n
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
