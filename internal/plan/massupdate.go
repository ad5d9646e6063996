package plan

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/validate"
)

// The mass-update guards catch a roster that would change many matched
// accounts at once: a misspelt first-name header that renames everyone
// "Olivia Chen → Chen", a column shifted by one that moves every title into
// department. Each counts, from the ops' changes, the matched accounts whose
// field would be overwritten or cleared (filling an empty field does not
// count: a first upload that fills department for everyone passes).
const (
	DefaultMaxRenames      = "5%"
	DefaultMaxEmailChanges = "5%"
	DefaultMaxFieldChanges = "50%"
)

// ChangeGuard is one mass-update guard as it was checked.
type ChangeGuard struct {
	Option  string `json:"option"`  // --max-renames, --max-email-changes or --max-field-changes
	Field   string `json:"field"`   // the field counted
	Spec    string `json:"spec"`    // the option's value, e.g. "5%" or "40"
	Limit   int    `json:"limit"`   // changes allowed
	Matched int    `json:"matched"` // rows matched to an account: the base of a percentage
	Changes int    `json:"changes"` // matched accounts whose field is overwritten or cleared
	Raised  bool   `json:"raised"`  // the limit was raised above the default for this run
	Tripped bool   `json:"tripped"`
}

// GuardedFields are the fields the guards count, in the order they are
// recorded: every field plan compares with the account. (phone is the
// primary phone; frontline stands for is_frontline and has_access.)
var GuardedFields = []string{"name", "email", "external_id", "title", "department", "organization", "division",
	"cost_center", "work_locale", "auth_method", "manager", "frontline", "phone", "first_name", "last_name",
	"user_name", "start_date", "location"}

// Floors keep small plans from being refused for nothing: with a percentage,
// one rename or one email change always passes, and a field needs five
// overwrites to trip --max-field-changes. A count is taken as given.
const (
	ownGuardFloor   = 1
	fieldGuardFloor = 4
)

// guardLimit is the number of changes spec allows of base matched accounts.
func guardLimit(spec string, base, floor int) int {
	n, pct, err := ParseLimit(spec)
	switch {
	case err != nil:
		return 0
	case !pct:
		return n
	}
	return max(base*n/10000, floor)
}

// Overwrite is one value a change replaces or clears.
type Overwrite struct {
	Field    string
	Old, New string // as people read them
}

// Overwrites lists, in GuardedFields order, the values the change replaces
// or clears on an account that has them. Filling an empty field is not
// an overwrite; nor is a value the plan could not read, or the manager a
// reactivation sets again as it was.
func (c *Change) Overwrites() []Overwrite {
	if c.Kind != KindAccount || c.Before == nil || c.After == nil {
		return nil
	}
	var out []Overwrite
	for _, name := range GuardedFields {
		var old, now string
		switch name {
		case "manager":
			if !c.Sets(roster.Manager) || c.Before.ManagerID() == "" {
				continue
			}
			if c.Manager != nil && c.Manager.AccountID == c.Before.ManagerID() {
				continue // set again as it was (a reactivation)
			}
			old = cmp.Or(c.Before.ManagerKey, c.Before.ManagerID())
			if c.Manager != nil {
				now = c.Manager.Ref
			}
		case "frontline":
			if !c.Sets(roster.IsFrontline) || c.Before.Frontline == nil || c.After.Frontline == nil {
				continue
			}
			old = fmt.Sprintf("%v/%v", c.Before.Frontline.IsFrontline, c.Before.Frontline.HasAccess)
			now = fmt.Sprintf("%v/%v", c.After.Frontline.IsFrontline, c.After.Frontline.HasAccess)
			if old == "false/false" {
				continue // never frontline: set now, not overwritten
			}
		case "phone":
			if len(c.Phones) == 0 || !c.Phones[0].Primary {
				continue
			}
			old, now = c.Before.PrimaryPhone(), c.Phones[0].Number
		default:
			f := roster.Field(name)
			if !c.Sets(f) {
				continue
			}
			old, now = c.Before.Get(f), c.After.Get(f)
		}
		switch {
		case old == "":
			continue
		case name == "email" && strings.EqualFold(old, now):
			continue
		case name == "phone" && samePhone(old, now):
			continue
		case old == now:
			continue
		}
		out = append(out, Overwrite{Field: name, Old: old, New: now})
	}
	return out
}

func samePhone(a, b string) bool {
	na, _ := validate.Phone(a)
	nb, _ := validate.Phone(b)
	return na != "" && na == nb
}

// matchedAccounts is the base of the mass-update guards: the rows matched
// to an existing account (updates, reactivations, unchanged rows and the
// roster's own deactivations).
func (p *Plan) matchedAccounts() int {
	n := 0
	for _, r := range p.Rows {
		if r.Row > 0 && r.Status == Planned && r.AccountID != "" {
			switch r.Action {
			case Update, Reactivate, None, Deactivate:
				n++
			}
		}
	}
	return n
}

// FieldChanges counts, by field, the accounts the changes overwrite or
// clear.
func (p *Plan) FieldChanges() map[string]int {
	n := map[string]int{}
	for i := range p.Changes {
		for _, o := range p.Changes[i].Overwrites() {
			n[o.Field]++
		}
	}
	return n
}

// MassUpdateGuards derives the mass-update guards from the plan's ops, its
// rows and its options: Build records them, Check derives them again. Name
// and email have their own guards; every other field with an overwrite has
// a --max-field-changes entry.
func (p *Plan) MassUpdateGuards() []ChangeGuard {
	base, counts, o := p.matchedAccounts(), p.FieldChanges(), p.Options
	guard := func(option, field, spec, def string, floor int) ChangeGuard {
		g := ChangeGuard{Option: option, Field: field, Spec: spec, Limit: guardLimit(spec, base, floor), Matched: base, Changes: counts[field]}
		g.Raised = g.Limit > guardLimit(def, base, floor)
		g.Tripped = g.Changes > g.Limit
		return g
	}
	gs := []ChangeGuard{
		guard("--max-renames", "name", o.MaxRenames, DefaultMaxRenames, ownGuardFloor),
		guard("--max-email-changes", "email", o.MaxEmailChanges, DefaultMaxEmailChanges, ownGuardFloor),
	}
	for _, f := range GuardedFields[2:] {
		if counts[f] > 0 {
			gs = append(gs, guard("--max-field-changes", f, o.MaxFieldChanges, DefaultMaxFieldChanges, fieldGuardFloor))
		}
	}
	return gs
}

// what a guard counts, for messages.
func (g ChangeGuard) what() string {
	switch g.Option {
	case "--max-renames":
		return "renames"
	case "--max-email-changes":
		return "changes the login email of"
	}
	return "overwrites or clears the " + g.Field + " of"
}

// refusal says why a tripped guard refuses the plan, with examples from its
// rows and the option that raises the limit for this run.
func (g ChangeGuard) refusal(p *Plan) string {
	var ex []string
	for i := range p.Changes {
		c := &p.Changes[i]
		for _, o := range c.Overwrites() {
			if o.Field == g.Field && len(ex) < 3 {
				ex = append(ex, fmt.Sprintf("row %d (%s): %s → %s", c.Row, c.Key, o.Old, cmpEmpty(o.New)))
			}
		}
	}
	hint := "a column shifted or mapped to the wrong field?"
	switch g.Field {
	case "name":
		hint = "a misspelt first- or last-name header, or the wrong column mapped to name?"
	case "email":
		hint = "a new_email column filled by mistake?"
	}
	return fmt.Sprintf("the plan %s %d of the %d accounts it matched, over the limit of %d (%s %s of %d matched accounts), e.g. %s. "+
		"Check the roster (%s) or, if this is intended, raise the limit for this run with %s %d",
		g.what(), g.Changes, g.Matched, g.Limit, g.Option, g.Spec, g.Matched, strings.Join(ex, "; "), hint, g.Option, g.Changes)
}

func cmpEmpty(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}

// guardMassUpdates records the mass-update guards and refuses the plan if
// one trips.
func (p *Plan) guardMassUpdates() {
	p.ChangeGuards = p.MassUpdateGuards()
	for _, g := range p.ChangeGuards {
		if !g.Tripped {
			continue
		}
		if p.Refused != "" {
			p.Refused += ". Also, "
		}
		p.Refused += g.refusal(p)
	}
}

// checkMassUpdates derives the mass-update guards again and compares them
// with those the plan recorded: an edit of ops, rows, counts or options
// that the guards would not pass is refused.
func (p *Plan) checkMassUpdates() string {
	got := p.MassUpdateGuards()
	byField := map[string]ChangeGuard{}
	for _, g := range got {
		if g.Spec == "" {
			return fmt.Sprintf("the plan has no %s option: it was made by an older wpimport, or edited; make the plan again", g.Option)
		}
		if _, _, err := ParseLimit(g.Spec); err != nil {
			return fmt.Sprintf("the plan's %s %v: make the plan again", g.Option, err)
		}
		byField[g.Field] = g
	}
	for _, r := range p.ChangeGuards {
		if _, ok := byField[r.Field]; !ok {
			return fmt.Sprintf("the plan records a %s guard for %s that its ops do not give: the file was edited", r.Option, r.Field)
		}
	}
	rec := map[string]ChangeGuard{}
	for _, r := range p.ChangeGuards {
		rec[r.Field] = r
	}
	for _, g := range got {
		r, ok := rec[g.Field]
		switch {
		case !ok:
			return fmt.Sprintf("the plan %s %d accounts, which its guards do not record (%s): the file was edited", g.what(), g.Changes, g.Option)
		case r.Spec != g.Spec:
			return fmt.Sprintf("the plan's %s guard for %s (%q) is not its option (%q): the file was edited", g.Option, g.Field, r.Spec, g.Spec)
		case g.Tripped:
			return fmt.Sprintf("the plan %s %d of the %d accounts it matched, over its own limit of %d (%s %s)", g.what(), g.Changes, g.Matched, g.Limit, g.Option, g.Spec)
		case r != g:
			return fmt.Sprintf("the plan's %s guard for %s records %d changes of %d matched accounts (limit %d); its ops and rows give %d of %d (limit %d): the file was edited",
				g.Option, g.Field, r.Changes, r.Matched, r.Limit, g.Changes, g.Matched, g.Limit)
		}
	}
	return ""
}
