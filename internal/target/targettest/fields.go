package targettest

import (
	"fmt"
	"slices"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// samples are two valid values of each plain text field.
var samples = map[roster.Field][2]string{
	roster.Title:        {"Engineer", "Principal Engineer"},
	roster.Department:   {"Engineering", "Research"},
	roster.Organization: {"Acme", "Acme Labs"},
	roster.Division:     {"R&D", "Operations"},
	roster.CostCenter:   {"CC-100", "CC-200"},
	roster.WorkLocale:   {"en_GB", "fr_FR"},
	roster.AuthMethod:   {"sso", "password"},
	roster.StartDate:    {"2026-03-01", "2026-04-15"},
	roster.Location:     {"London", "Paris"},
}

// identity are the text fields person sets: names and keys.
var identity = []roster.Field{roster.Name, roster.FirstName, roster.LastName, roster.Email, roster.UserName, roster.ExternalID}

// isText reports a field set and read as text (Account.Set and Get).
func isText(f roster.Field) bool {
	_, ok := samples[f]
	return ok || slices.Contains(identity, f)
}

// allFields are the roster's fields, user_name included.
func allFields() []roster.Field { return append(slices.Clone(roster.Fields), roster.UserName) }

// both lists, in roster order, the fields the target carries and reads.
func both(c *target.Capabilities) []roster.Field {
	var out []roster.Field
	for _, f := range allFields() {
		if c.CanCarry(f) && c.CanRead(f) {
			out = append(out, f)
		}
	}
	return out
}

// withSamples sets the first sample of each plain text field the target
// carries and reads on a.
func withSamples(c *target.Capabilities, a *target.Account) *target.Account {
	for _, f := range both(c) {
		if s, ok := samples[f]; ok && !immutable(c, f) {
			a.Set(f, s[0])
		}
	}
	return a
}

// immutable reports a field the target's rules say never changes.
func immutable(c *target.Capabilities, f roster.Field) bool {
	for _, r := range c.Rules {
		if r.Field == f && r.Immutable {
			return true
		}
	}
	return false
}

// clearable reports whether the suite clears f: never a name or a login
// (every service needs them), nor a field the target requires or keeps.
func clearable(c *target.Capabilities, f roster.Field) bool {
	switch f {
	case roster.Name, roster.Email, roster.UserName:
		return false
	}
	return !slices.Contains(c.Required, f) && !immutable(c, f)
}

// changed returns a new value for text field f of a, unique in the case.
func changed(a *target.Account, f roster.Field) string {
	if s, ok := samples[f]; ok {
		return s[1]
	}
	switch f {
	case roster.Name:
		return "Renamed " + a.Name.Formatted
	case roster.FirstName:
		return "Renata"
	case roster.LastName:
		return "Renamed" + a.Name.Family
	case roster.Email:
		return "renamed." + a.Email
	case roster.UserName:
		return "renamed." + a.LoginName()
	case roster.ExternalID:
		return "R-" + a.ExternalID
	}
	panic(fmt.Sprintf("targettest: no new value for %s", f))
}

// nameFields are the three parts of a name: changing one may change how a
// target shows the others.
func nameField(f roster.Field) bool {
	return f == roster.Name || f == roster.FirstName || f == roster.LastName
}
