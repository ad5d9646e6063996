package plan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/validate"
	"github.com/wpimport/wpimport/internal/workplace"
)

// SetValue is one condition value: a literal, an account id, or the
// account a create op of this plan makes.
type SetValue struct {
	Value    string `json:"value,omitempty"`
	CreateOp int    `json:"create_op,omitempty"`
	Ref      string `json:"ref,omitempty"` // the person as the input named them
}

// SetCondition is one condition of a planned set.
type SetCondition struct {
	Field    string     `json:"field"`
	Operator string     `json:"operator"`
	Values   []SetValue `json:"values"`
}

// SetOp is one change to a people set.
type SetOp struct {
	ID          int            `json:"id"`
	Name        string         `json:"name"`
	Action      Action         `json:"action"` // create, update, delete, none, skip
	Status      string         `json:"status"` // planned, invalid
	SetID       string         `json:"set_id,omitempty"`
	Rows        []int          `json:"rows,omitempty"`
	Conditions  []SetCondition `json:"conditions,omitempty"`
	Old         string         `json:"old,omitempty"` // conditions as read
	New         string         `json:"new,omitempty"` // conditions as planned
	Fingerprint string         `json:"fingerprint,omitempty"`
	Issues      []roster.Issue `json:"issues,omitempty"`
	Reason      string         `json:"reason,omitempty"`
}

// ManagerRefs lists the people the sets name.
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
func SetFingerprint(conds []workplace.Condition) string {
	h := sha256.Sum256([]byte(renderConds(conds)))
	return hex.EncodeToString(h[:8])
}

func renderConds(conds []workplace.Condition) string {
	parts := make([]string, len(conds))
	for i, c := range conds {
		vals := append([]string(nil), c.Values...)
		sort.Strings(vals)
		parts[i] = fmt.Sprintf("%s %s %s", c.Field, c.Operator, strings.Join(vals, ";"))
	}
	sort.Strings(parts)
	return strings.Join(parts, " AND ")
}

// resolveSetValue turns a MANAGER value into an account id or a create op.
func (b *builder) resolveSetValue(ref string) (SetValue, bool) {
	if m := b.res.Resolve(ref); m >= 0 {
		switch {
		case b.state[m].status != "planned":
			return SetValue{}, false
		case b.match[m] != nil:
			return SetValue{Value: b.match[m].ID, Ref: ref}, true
		case b.opOf[m] > 0 && b.ops[b.opOf[m]-1].Action == Create:
			return SetValue{CreateOp: b.opOf[m], Ref: ref}, true
		}
		return SetValue{}, false
	}
	if a := b.st.Find(ref); a != nil {
		return SetValue{Value: a.ID, Ref: ref}, true
	}
	return SetValue{}, false
}

func (b *builder) planPeopleSets(ctx context.Context, dir Directory, in *validate.PeopleSets) error {
	existing, err := dir.ListPeopleSets(ctx)
	if err != nil {
		return fmt.Errorf("list people sets: %w", err)
	}
	byName := map[string]*workplace.PeopleSet{}
	for i := range existing {
		byName[existing[i].Name] = &existing[i]
	}
	named := map[string]bool{}
	p := b.plan
	for _, ds := range in.Sets {
		named[ds.Name] = true
		op := SetOp{ID: len(p.PeopleSets) + 1, Name: ds.Name, Rows: ds.Rows, Status: "planned", Issues: ds.Issues}
		cur := byName[ds.Name]
		if cur != nil {
			op.SetID, op.Old, op.Fingerprint = cur.ID, renderConds(cur.Conditions), SetFingerprint(cur.Conditions)
		}
		if !ds.Valid() {
			op.Action, op.Status = Skip, "invalid"
			p.PeopleSets = append(p.PeopleSets, op)
			continue
		}
		if ds.Delete {
			if cur == nil {
				op.Action, op.Reason = None, "no set with this name exists"
			} else {
				op.Action, op.Reason = Delete, "marked delete in the input"
			}
			p.PeopleSets = append(p.PeopleSets, op)
			continue
		}
		var wanted []workplace.Condition
		deferred := false
		for _, c := range ds.Conditions {
			sc := SetCondition{Field: c.Field, Operator: c.Operator}
			wc := workplace.Condition{Field: c.Field, Operator: c.Operator}
			for _, v := range c.Values {
				if !validate.IsPeopleField(c.Field) {
					sc.Values = append(sc.Values, SetValue{Value: v})
					wc.Values = append(wc.Values, v)
					continue
				}
				sv, ok := b.resolveSetValue(v)
				if !ok {
					op.Issues = append(op.Issues, roster.Issue{Row: c.Row, Severity: roster.Error, Code: "people_set.manager_not_found",
						Message: fmt.Sprintf("the %s value %q is neither a valid roster row nor a Workplace account; correct it", c.Field, v)})
					continue
				}
				sc.Values = append(sc.Values, sv)
				if sv.CreateOp > 0 {
					deferred = true
					wc.Values = append(wc.Values, "(new: "+v+")")
				} else {
					wc.Values = append(wc.Values, sv.Value)
				}
			}
			op.Conditions = append(op.Conditions, sc)
			wanted = append(wanted, wc)
		}
		op.New = renderConds(wanted)
		switch {
		case roster.HasErrors(op.Issues):
			op.Action, op.Status = Skip, "invalid"
		case cur == nil:
			op.Action = Create
		case deferred || op.New != op.Old:
			op.Action = Update
		default:
			op.Action = None
		}
		p.PeopleSets = append(p.PeopleSets, op)
	}
	p.PeopleSetsRead = len(existing)
	if !b.opts.SyncPeopleSets {
		return nil
	}
	var gone []SetOp
	for _, s := range existing {
		if !named[s.Name] {
			gone = append(gone, SetOp{ID: len(p.PeopleSets) + len(gone) + 1, Name: s.Name, SetID: s.ID, Action: Delete, Status: "planned",
				Old: renderConds(s.Conditions), Fingerprint: SetFingerprint(s.Conditions), Reason: "--sync-people-sets: absent from the input"})
		}
	}
	limit := LimitOf(b.opts.MaxDeletePeopleSets, len(existing))
	if len(gone) > limit && p.Refused == "" {
		p.Refused = fmt.Sprintf("--sync-people-sets would delete %d people sets, over the limit of %d (--max-delete-people-sets %s of %d sets); "+
			"check the input, or raise the limit for this run with --max-delete-people-sets %d", len(gone), limit, b.opts.MaxDeletePeopleSets, len(existing), len(gone))
	}
	p.PeopleSets = append(p.PeopleSets, gone...)
	return nil
}
