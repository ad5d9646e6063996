package plan

import (
	"fmt"

	"github.com/wpimport/wpimport/internal/picture"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/validate"
)

// Check re-derives, from the ops themselves, what the plan claims, and
// returns why it must not run ("" if it may). apply calls it on every plan
// it loads, so that editing a plan file (dropping "refused", adding ops,
// changing values) cannot make it do what nobody signed off: the guard is
// counted again from the ops and their own limits, and every value passes
// the roster's field rules again.
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
	removed, ids := 0, map[int]bool{}
	for i := range p.Ops {
		op := &p.Ops[i]
		if ids[op.ID] || op.ID != i+1 {
			return fmt.Sprintf("op %d is out of sequence (position %d): the file was edited", op.ID, i+1)
		}
		ids[op.ID] = true
		if why := p.checkOp(op); why != "" {
			return fmt.Sprintf("op %d (row %d, %s): %s", op.ID, op.Row, op.Key, why)
		}
		if op.Action == Deactivate || op.Action == Delete {
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
	setDeletes := 0
	for _, s := range p.PeopleSets {
		if s.Action == Delete {
			setDeletes++
		}
	}
	return checkRemovals(setDeletes, "deletes", "people sets", p.Options.SyncPeopleSets, "--sync-people-sets",
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

// checkOp checks one op's shape and values.
func (p *Plan) checkOp(op *Op) string {
	switch op.Action {
	case Create:
		if op.AccountID != "" || op.Lookup == nil || (op.Lookup.Email == "" && op.Lookup.ExternalID == "") {
			return "a create must carry the keys to look its account up, and no account id"
		}
		if op.Lookup.Email != op.Fields["email"] || op.Lookup.ExternalID != op.Fields["external_id"] {
			return "a create's look-up keys differ from its fields"
		}
		if op.Fields["name"] == "" {
			return "a create must have a name"
		}
	case Update, Deactivate, Reactivate:
		if op.AccountID == "" {
			return "the op names no account"
		}
	case Delete, Erase:
		if op.AccountID == "" {
			return "the op names no account"
		}
		if p.Kind != "offboard" || (op.Action == Delete && !p.Options.DeleteUnclaimed) || (op.Action == Erase && !p.Options.Erase) {
			return fmt.Sprintf("a %s op in a plan not made with --%s", op.Action, map[Action]string{Delete: "delete-unclaimed", Erase: "erase"}[op.Action])
		}
	default:
		return fmt.Sprintf("unknown action %q", op.Action)
	}
	if op.Manager != nil && op.Manager.AccountID == "" && (op.Manager.CreateOp < 1 || op.Manager.CreateOp > len(p.Ops) || p.Ops[op.Manager.CreateOp-1].Action != Create) {
		return "its manager refers to no create op of this plan"
	}
	for k, v := range op.Fields {
		f := roster.Field(k)
		if k == "frontline" {
			continue // a JSON object plan builds from is_frontline and has_access
		}
		if !knownField[f] {
			return fmt.Sprintf("unknown field %q", k)
		}
		if why := validate.CheckValue(f, v); why != "" {
			return fmt.Sprintf("field %s: %s", k, why)
		}
	}
	for _, ph := range op.Phones {
		if _, why := validate.Phone(ph.Number); why != "" {
			return fmt.Sprintf("phone %q: %s", ph.Number, why)
		}
	}
	if why := op.checkShown(); why != "" {
		return why + ": the file was edited"
	}
	if op.PictureFile != "" {
		if _, err := picture.Clean(op.PictureFile); err != nil {
			return "picture_file: " + err.Error()
		}
	}
	if op.PictureURL != "" {
		if why := validate.CheckValue(roster.PictureURL, op.PictureURL); why != "" {
			return why
		}
	}
	return ""
}

var knownField = func() map[roster.Field]bool {
	m := map[roster.Field]bool{}
	for _, f := range roster.Fields {
		m[f] = true
	}
	return m
}()

// checkShown checks that the op's changes show everything it sends, with
// the value sent: the mass-update guards count the changes, so a value
// slipped into the fields alone would pass them unseen.
func (op *Op) checkShown() string {
	for k, v := range op.Fields {
		ch, ok := op.Changes[k]
		switch {
		case !ok:
			return fmt.Sprintf("it sends %s, which its changes do not show", k)
		case k != "frontline" && ch[1] != v: // frontline is shown as is_frontline/has_access
			return fmt.Sprintf("it sends %s %q, but its changes show %q", k, v, ch[1])
		}
	}
	if _, ok := op.Changes["manager"]; op.Manager != nil && !ok {
		return "it sets a manager its changes do not show"
	}
	for _, ph := range op.Phones {
		shown := false
		for _, k := range []string{"phone", "work_phone", "mobile_phone"} {
			shown = shown || op.Changes[k][1] == ph.Number
		}
		if !shown {
			return fmt.Sprintf("it adds the phone %s, which its changes do not show", ph.Number)
		}
	}
	return ""
}
