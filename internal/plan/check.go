package plan

import (
	"fmt"

	"github.com/wpimport/wpimport/internal/picture"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/validate"
)

// Check re-derives, from the changes themselves, what the plan claims, and
// returns why it must not run ("" if it may). apply calls it on every plan
// it loads, so that editing a plan file (dropping "refused", adding
// changes, changing values) cannot make it do what nobody signed off: the
// guards are counted again from the changes' own before and after values
// against the plan's own limits, every value passes the roster's field
// rules again, After holds no value outside the fields a change lists (a
// create sends After whole), every Before still has the fingerprint
// recorded (so an edited Before is refused here, and an edited
// fingerprint is stale at apply), and each action needs the cause and
// options that allow it.
func (p *Plan) Check() string {
	if p.Refused != "" {
		return "it was refused when planned: " + p.Refused
	}
	if p.Guard.Spec != p.Options.MaxDeactivate {
		return fmt.Sprintf("the plan's guard (%q) is not its --max-deactivate option (%q): the file was edited", p.Guard.Spec, p.Options.MaxDeactivate)
	}
	if _, _, err := ParseLimit(p.Guard.Spec); err != nil {
		return fmt.Sprintf("the plan's --max-deactivate %v", err)
	}
	limit := LimitOf(p.Guard.Spec, p.Guard.Active)
	removed := 0
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.ID != i+1 {
			return fmt.Sprintf("change %d is out of sequence (position %d): the file was edited", c.ID, i+1)
		}
		if why := p.checkChange(c); why != "" {
			if c.Kind == KindAccount {
				return fmt.Sprintf("change %d (row %d, %s): %s", c.ID, c.Row, c.Key, why)
			}
			return fmt.Sprintf("change %d (%s %q): %s", c.ID, c.Kind, c.Key, why)
		}
		if c.Kind == KindAccount && (c.Action == Deactivate || c.Action == Delete) {
			removed++
		}
	}
	if removed > limit || removed != p.Guard.Deactivations {
		return fmt.Sprintf("the plan deactivates or deletes %d accounts; its own limit is %d (--max-deactivate %s of %d active accounts) and its guard counted %d",
			removed, limit, p.Guard.Spec, p.Guard.Active, p.Guard.Deactivations)
	}
	if why := p.checkMassUpdates(); why != "" {
		return why
	}
	if why := p.checkGroups(); why != "" {
		return why
	}
	return checkRemovals(p.setSyncDeletes(), "deletes", "people sets", p.Options.SyncPeopleSets || p.Kind == "undo", "--sync-people-sets",
		"--max-delete-people-sets", p.Options.MaxDeletePeopleSets, p.PeopleSetsRead, "sets")
}

// checkRemovals re-derives an option-guarded removal: n things removed
// (what, by verb) need the sync option, and at most the limit spec of the
// read ones (unit).
func checkRemovals(n int, verb, what string, synced bool, syncFlag, limitFlag, spec string, read int, unit string) string {
	if n == 0 {
		return ""
	}
	if !synced {
		return fmt.Sprintf("the plan %s %s but was not made with %s", verb, what, syncFlag)
	}
	if lim := LimitOf(spec, read); n > lim {
		return fmt.Sprintf("the plan %s %d %s, over its limit of %d (%s %s of %d %s)", verb, n, what, lim, limitFlag, spec, read, unit)
	}
	return ""
}

// checkChange checks one change's shape and values.
func (p *Plan) checkChange(c *Change) string {
	switch c.Cause {
	case CauseRoster:
	case CauseSync:
		switch {
		case c.Kind == KindAccount && (!p.Options.Sync || c.Action != Deactivate):
			return "a --sync deactivation in a plan not made with --sync, or a --sync change that is not a deactivation"
		case c.Kind == KindPeopleSet && (!p.Options.SyncPeopleSets || c.Action != Delete):
			return "a --sync-people-sets deletion in a plan not made with --sync-people-sets, or such a change that is not a deletion"
		case c.Kind == KindGroup:
			return "a group change made by --sync: groups have none"
		}
	case CauseOffboard:
		if p.Kind != "offboard" {
			return "an offboarding change in a plan that is not an offboarding plan"
		}
	case CauseUndo:
		if p.Kind != "undo" {
			return "an undo change in a plan that is not an undo plan"
		}
	default:
		return fmt.Sprintf("unknown cause %q", c.Cause)
	}
	switch c.Kind {
	case KindAccount:
		return p.checkAccount(c)
	case KindGroup:
		return p.checkGroup(c)
	case KindPeopleSet:
		return p.checkSet(c)
	}
	return fmt.Sprintf("unknown kind %q", c.Kind)
}

// checkAccount checks an account change.
func (p *Plan) checkAccount(c *Change) string {
	if c.After == nil && c.Action != Delete && c.Action != Erase {
		return "it has no values to write"
	}
	switch c.Action {
	case Create:
		if c.AccountID != "" || c.Before != nil || c.Fingerprint != Fingerprint(nil) {
			return "a create must name no account, and have read none"
		}
		l := c.Lookup
		if l == nil || len(l.Keys()) == 0 {
			return "a create must carry the keys to look its account up"
		}
		if l.Email != c.After.Email || l.ExternalID != c.After.ExternalID || l.UserName != c.After.UserName {
			return "a create's look-up keys differ from its values"
		}
		if c.After.Name.Formatted == "" || !c.Sets(roster.Name) {
			return "a create must have a name"
		}
		if c.Sets(roster.Active) && !c.After.Active {
			return "a create makes an active account"
		}
	case Update, Reactivate, Deactivate, Delete, Erase:
		switch {
		case c.AccountID == "" || c.Before == nil || c.Before.ID != c.AccountID:
			return "the change names no account, or another than the one it read"
		case c.Fingerprint != Fingerprint(c.Before):
			return "the account as the plan read it does not have the fingerprint the plan recorded: the file was edited"
		}
		switch c.Action {
		case Update:
			if c.Sets(roster.Active) {
				return "an update does not change whether the account is active"
			}
		case Reactivate:
			if !c.Sets(roster.Active) || !c.After.Active || c.Before.Active {
				return "a reactivation activates a deactivated account"
			}
		case Deactivate:
			// An undo's deactivation also sets back what a reactivation
			// changed (the manager, fields); any other changes only active.
			if len(c.Fields) != 1 && c.Cause != CauseUndo || !c.Sets(roster.Active) || c.After.Active || !c.Before.Active {
				return "a deactivation changes nothing but active, of an active account"
			}
		case Delete:
			if (c.Cause != CauseOffboard || !p.Options.DeleteUnclaimed) && (c.Cause != CauseUndo || !p.Options.DeleteCreated) {
				return "a delete in a plan not made with --delete-unclaimed (offboard) or --delete-created (undo)"
			}
			if c.Before.IsClaimed() {
				return "a delete of an account the plan read as claimed, or whose claim the target does not tell: only accounts never claimed are deleted"
			}
		case Erase:
			if c.Cause != CauseOffboard || !p.Options.Erase {
				return "an erasure in a plan not made with --erase"
			}
		}
		if (c.Action == Delete || c.Action == Erase) && len(c.Fields) > 0 {
			return fmt.Sprintf("a %s writes no field", c.Action)
		}
	default:
		return fmt.Sprintf("unknown action %q", c.Action)
	}
	seen := map[roster.Field]bool{}
	for _, f := range c.Fields {
		if !knownField[f] || seen[f] {
			return fmt.Sprintf("unknown or repeated field %q", f)
		}
		seen[f] = true
		switch f {
		case roster.Manager, roster.Active, roster.IsFrontline, roster.HasAccess:
			continue
		}
		v := c.After.Get(f)
		if v == "" {
			if neverCleared[f] {
				return fmt.Sprintf("it clears %s, which is never cleared", f)
			}
			continue
		}
		if why := validate.CheckValue(f, v); why != "" {
			return fmt.Sprintf("field %s: %s", f, why)
		}
	}
	if c.Sets(roster.Manager) {
		if m := c.Manager; m != nil && m.AccountID == "" {
			if o := p.Change(m.CreateOp); o == nil || o.Kind != KindAccount || o.Action != Create || o.ID == c.ID {
				return "its manager refers to no create of this plan"
			}
		}
	} else if c.Manager != nil {
		return "it names a manager but does not set one"
	}
	if why := checkAfter(c); why != "" {
		return why
	}
	for _, f := range c.Unread {
		if !c.Sets(f) || c.Before == nil || c.Before.Get(f) != "" {
			return fmt.Sprintf("it shows %s as unreadable, but does not write it or read a value of it: the file was edited", f)
		}
	}
	for _, ph := range c.Phones {
		if _, why := validate.Phone(ph.Number); why != "" {
			return fmt.Sprintf("phone %q: %s", ph.Number, why)
		}
	}
	if pic := c.Picture; pic != nil {
		switch {
		case (pic.URL == "") == (pic.File == ""):
			return "a picture is a URL or a file"
		case pic.File != "":
			if _, err := picture.Clean(pic.File); err != nil {
				return "picture_file: " + err.Error()
			}
		default:
			if why := validate.CheckValue(roster.PictureURL, pic.URL); why != "" {
				return why
			}
		}
	}
	return ""
}

// checkAfter checks that After holds values only of the fields the change
// lists (and whether the account is active): a create sends its After
// whole, while Diffs, the sign-off workbook and the guards see Fields
// only, so a value outside them would be written unseen. After's manager
// is the change's manager reference.
func checkAfter(c *Change) string {
	a := c.After
	if a == nil {
		return ""
	}
	for _, f := range afterFields {
		if f == roster.HasAccess && c.Sets(roster.IsFrontline) || f == roster.IsFrontline && c.Sets(roster.HasAccess) {
			continue // frontline status is one value
		}
		if !c.Sets(f) && a.Get(f) != "" {
			return fmt.Sprintf("After holds a value of %s, which the change does not list in its fields: the file was edited", f)
		}
	}
	if a.ManagerKey != "" || a.Claim != "" || a.DeactivatedAt != "" || a.Version != "" {
		return "After holds what only a service can say of an account (its manager's name, claim, deactivation date or version): the file was edited"
	}
	if c.Sets(roster.Manager) {
		want := ""
		if c.Manager != nil {
			want = c.Manager.AccountID
		}
		if a.ManagerID() != want {
			return fmt.Sprintf("After's manager (%s) is not the change's manager (%s): the file was edited", cmpEmpty(a.ManagerID()), cmpEmpty(want))
		}
	}
	return ""
}

// afterFields are the fields checkAfter looks at: every field After may
// hold but active, which every change's After says.
var afterFields = func() []roster.Field {
	out := []roster.Field{roster.UserName}
	for _, f := range roster.Fields {
		if f != roster.Active {
			out = append(out, f)
		}
	}
	return out
}()

var knownField = func() map[roster.Field]bool {
	m := map[roster.Field]bool{roster.UserName: true}
	for _, f := range roster.Fields {
		m[f] = true
	}
	return m
}()
