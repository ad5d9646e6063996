package plan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/validate"
)

// managerRefs lists the people the sets name.
func managerRefs(ps *validate.PeopleSets) []string {
	if ps == nil {
		return nil
	}
	var out []string
	for _, s := range ps.Sets {
		for _, c := range s.Conditions {
			if validate.IsPeopleField(c.Field) {
				out = append(out, c.Values...)
			}
		}
	}
	return out
}

// SetFingerprint summarizes a set's conditions.
func SetFingerprint(conds []target.Condition) string {
	h := sha256.Sum256([]byte(RenderConditions(conds)))
	return hex.EncodeToString(h[:8])
}

// RenderConditions writes conditions for people, in a stable order.
func RenderConditions(conds []target.Condition) string {
	parts := make([]string, len(conds))
	for i, c := range conds {
		vals := append([]string(nil), c.Values...)
		sort.Strings(vals)
		parts[i] = fmt.Sprintf("%s %s %s", c.Field, c.Operator, strings.Join(vals, ";"))
	}
	sort.Strings(parts)
	return strings.Join(parts, " AND ")
}

// resolveSetValue turns a MANAGER value into an account id or a create.
func (b *builder) resolveSetValue(ref string) (SetValue, bool) {
	r, _, ok := b.personRef(ref)
	if !ok {
		return SetValue{}, false
	}
	return SetValue{Value: r.AccountID, CreateOp: r.CreateOp, Ref: ref}, true
}

// Wanted renders the conditions a set change wants, people by reference
// ("(new: ann@x)" for an account a create of this plan makes).
func (s *SetChange) Wanted() []target.Condition {
	var out []target.Condition
	for _, c := range s.After {
		tc := target.Condition{Field: c.Field, Operator: c.Operator}
		for _, v := range c.Values {
			if v.CreateOp > 0 {
				tc.Values = append(tc.Values, "(new: "+v.Ref+")")
			} else {
				tc.Values = append(tc.Values, v.Value)
			}
		}
		out = append(out, tc)
	}
	return out
}

// addSetChange files a people set change.
func (b *builder) addSetChange(c Change) {
	p := b.plan
	c.ID = len(p.Changes) + 1
	c.Kind = KindPeopleSet
	if c.Cause == "" {
		c.Cause = CauseRoster
	}
	p.Changes = append(p.Changes, c)
}

func (b *builder) planPeopleSets(ctx context.Context, dir target.Directory, in *validate.PeopleSets) error {
	ps, ok := target.PeopleSetsOf(dir, b.caps)
	if !ok {
		if len(in.Sets) > 0 {
			return optionErr("people sets are Workplace's (Graph) and %s has none: plan them with --api graph, or leave them out", b.caps.Service)
		}
		return nil
	}
	existing, err := ps.ListPeopleSets(ctx)
	if err != nil {
		return fmt.Errorf("list people sets: %w", err)
	}
	byName := map[string]*target.PeopleSet{}
	for i := range existing {
		byName[existing[i].Name] = &existing[i]
	}
	named := map[string]bool{}
	p := b.plan
	for _, ds := range in.Sets {
		named[ds.Name] = true
		c := Change{Key: ds.Name, Name: ds.Name, Rows: ds.Rows, Set: &SetChange{}}
		issues := append([]roster.Issue(nil), ds.Issues...)
		cur := byName[ds.Name]
		if cur != nil {
			c.Set.SetID, c.Set.Before, c.Set.Fingerprint = cur.ID, cur.Conditions, SetFingerprint(cur.Conditions)
		}
		switch {
		case !ds.Valid():
			c.Action = Skip
		case ds.Delete && cur == nil:
			c.Action, c.Reason = None, "no set with this name exists"
		case ds.Delete:
			c.Action, c.Reason = Delete, "marked delete in the input"
		}
		if c.Action != "" {
			c.Issues = issues
			b.addSetChange(c)
			continue
		}
		deferred := false
		for _, cond := range ds.Conditions {
			sc := SetCondition{Field: cond.Field, Operator: cond.Operator}
			for _, v := range cond.Values {
				if !validate.IsPeopleField(cond.Field) {
					sc.Values = append(sc.Values, SetValue{Value: v})
					continue
				}
				sv, ok := b.resolveSetValue(v)
				if !ok {
					issues = append(issues, roster.Issue{Row: cond.Row, Severity: roster.Error, Code: "people_set.manager_not_found",
						Message: fmt.Sprintf("the %s value %q is neither a valid roster row nor an account of %s; correct it", cond.Field, v, b.caps.Service)})
					continue
				}
				sc.Values = append(sc.Values, sv)
				deferred = deferred || sv.CreateOp > 0
			}
			c.Set.After = append(c.Set.After, sc)
		}
		switch {
		case roster.HasErrors(issues):
			c.Action = Skip
		case cur == nil:
			c.Action = Create
		case deferred || RenderConditions(c.Set.Wanted()) != RenderConditions(cur.Conditions):
			c.Action = Update
		default:
			c.Action = None
		}
		c.Issues = issues
		b.addSetChange(c)
	}
	p.PeopleSetsRead = len(existing)
	if !b.opts.SyncPeopleSets {
		return nil
	}
	gone := 0
	for _, s := range existing {
		if !named[s.Name] {
			gone++
			b.addSetChange(Change{Key: s.Name, Name: s.Name, Action: Delete, Cause: CauseSync, Reason: "--sync-people-sets: absent from the input",
				Set: &SetChange{SetID: s.ID, Before: s.Conditions, Fingerprint: SetFingerprint(s.Conditions)}})
		}
	}
	limit := LimitOf(b.opts.MaxDeletePeopleSets, len(existing))
	if gone > limit && p.Refused == "" {
		p.Refused = fmt.Sprintf("--sync-people-sets would delete %d people sets, over the limit of %d (--max-delete-people-sets %s of %d sets); "+
			"check the input, or raise the limit for this run with --max-delete-people-sets %d", gone, limit, b.opts.MaxDeletePeopleSets, len(existing), gone)
	}
	return nil
}

// setSyncDeletes counts the people set deletions the input does not ask
// for: --sync-people-sets' (and undo's), which its guard limits.
func (p *Plan) setSyncDeletes() int {
	n := 0
	for i := range p.Changes {
		if c := &p.Changes[i]; c.Kind == KindPeopleSet && c.Action == Delete && c.Cause != CauseRoster {
			n++
		}
	}
	return n
}

// checkSet checks one people set change (Plan.Check).
func (p *Plan) checkSet(c *Change) string {
	s := c.Set
	if s == nil {
		return "a people set change holds no set"
	}
	switch c.Action {
	case Create:
		if s.SetID != "" || len(s.After) == 0 {
			return "a set create names an existing set, or has no conditions"
		}
	case Update:
		if s.SetID == "" || len(s.After) == 0 {
			return "a set update names no set, or has no conditions"
		}
	case Delete:
		if s.SetID == "" || len(s.After) > 0 {
			return "a set delete names no set"
		}
		if c.Cause == CauseRoster && len(c.Rows) == 0 {
			return "a delete that no row of the input asks for, and not made by --sync-people-sets"
		}
	case None, Skip:
	default:
		return fmt.Sprintf("unknown action %q", c.Action)
	}
	for _, cond := range s.After {
		if !validate.SetFields[cond.Field] || !validate.SetOperators[cond.Operator] {
			return fmt.Sprintf("condition %s %s is not one the API knows", cond.Field, cond.Operator)
		}
		for _, v := range cond.Values {
			if v.CreateOp != 0 {
				if o := p.Change(v.CreateOp); o == nil || o.Kind != KindAccount || o.Action != Create {
					return fmt.Sprintf("a value refers to change %d, which is not an account create", v.CreateOp)
				}
			}
		}
	}
	return ""
}
