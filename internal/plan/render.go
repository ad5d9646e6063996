package plan

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/wpimport/wpimport/internal/roster"
)

// Diff is one thing a change changes, as people read it.
type Diff struct {
	Field    string
	Old, New string
}

// Diffs renders what the change does from its typed values, field by
// field in the order it writes them: what the sign-off workbook shows,
// and the results' "changes" column.
func (c *Change) Diffs() []Diff {
	switch c.Kind {
	case KindGroup:
		return c.groupDiffs()
	case KindPeopleSet:
		return c.setDiffs()
	}
	var out []Diff
	add := func(f, old, now string) { out = append(out, Diff{Field: f, Old: old, New: now}) }
	before := c.Before
	get := func(f roster.Field) string {
		if before == nil {
			return ""
		}
		return before.Get(f)
	}
	switch c.Action {
	case Delete:
		return []Diff{{Field: "account", Old: "exists", New: "deleted"}}
	case Erase:
		return []Diff{{Field: "personal data", Old: "kept", New: "erased (irreversible)"}}
	}
	for _, f := range c.Fields {
		switch f {
		case roster.Manager:
			old := ""
			if before != nil && before.ManagerID() != "" {
				old = before.ManagerKey
				if old == "" {
					old = before.ManagerID()
				}
			}
			now := ""
			if c.Manager != nil {
				now = c.Manager.Ref
			}
			add(string(f), old, now)
		case roster.IsFrontline, roster.HasAccess:
			if f == roster.HasAccess && c.Sets(roster.IsFrontline) {
				continue // shown with is_frontline
			}
			old := ""
			if before != nil {
				old = "false/false"
				if before.Frontline != nil {
					old = fmt.Sprintf("%v/%v", before.Frontline.IsFrontline, before.Frontline.HasAccess)
				}
			}
			now := "false/false"
			if fl := c.After.Frontline; fl != nil {
				now = fmt.Sprintf("%v/%v", fl.IsFrontline, fl.HasAccess)
			}
			add("frontline", old, now)
		case roster.Active:
			old := ""
			if before != nil {
				old = strconv.FormatBool(before.Active)
			}
			add(string(f), old, strconv.FormatBool(c.After.Active))
		default:
			old := get(f)
			if slices.Contains(c.Unread, f) {
				old = "(cannot be read)"
			}
			add(string(f), old, c.After.Get(f))
		}
	}
	for i, ph := range c.Phones {
		field := "phone"
		switch {
		case i == 0 && ph.Primary:
		case ph.Type == "mobile":
			field = "mobile_phone"
		default:
			field = "work_phone"
		}
		old := ""
		if ph.Primary && before != nil {
			old = before.PrimaryPhone()
		}
		add(field, old, ph.Number)
	}
	if c.Picture != nil {
		add("picture", "", c.Picture.URL+c.Picture.File)
	}
	return out
}

func (c *Change) groupDiffs() []Diff {
	g := c.Group
	if g == nil {
		return nil
	}
	var out []Diff
	if len(g.Add) > 0 {
		out = append(out, Diff{Field: "members added", New: refList(g.Add)})
	}
	if len(g.Remove) > 0 {
		out = append(out, Diff{Field: "members removed", Old: refList(g.Remove)})
	}
	return out
}

func (c *Change) setDiffs() []Diff {
	s := c.Set
	if s == nil {
		return nil
	}
	return []Diff{{Field: "conditions", Old: RenderConditions(s.Before), New: RenderConditions(s.Wanted())}}
}

func refList(m []MemberRef) string {
	s := ""
	for i, r := range m {
		if i > 0 {
			s += "; "
		}
		s += r.Ref
	}
	return s
}
