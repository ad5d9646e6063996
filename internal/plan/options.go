package plan

import (
	"fmt"
	"strconv"
	"strings"
)

// Options shape a plan. They are saved in it.
type Options struct {
	Match         []string    `json:"match"` // key order, default external_id then email
	Empty         string      `json:"empty"` // "keep" (default) or "clear"
	Sync          bool        `json:"sync"`
	Scope         []ScopeRule `json:"scope,omitempty"`
	Protect       []string    `json:"protect,omitempty"`
	MaxDeactivate string      `json:"max_deactivate"` // "5%" (default) or a count
	// The mass-update guards: a count, or a share of the matched accounts.
	MaxRenames      string `json:"max_renames"`       // name changes, default 5%
	MaxEmailChanges string `json:"max_email_changes"` // login email changes, default 5%
	MaxFieldChanges string `json:"max_field_changes"` // overwrites of any one field, default 50%
	Read            string `json:"read"`              // auto, list or lookup
	Pictures        string `json:"pictures"`          // new (default) or all: which accounts get a picture set
	// AuthMethod is new (default) or all: auth_method cannot be read back,
	// so it is compared with nothing; "all" sends it to matched accounts too.
	AuthMethod string `json:"auth_method,omitempty"`
	// Offboarding (wpimport offboard).
	DeleteUnclaimed bool `json:"delete_unclaimed,omitempty"`
	Erase           bool `json:"erase,omitempty"`
	// DeleteCreated (wpimport undo) deletes, rather than deactivates, the
	// accounts an import created that were never claimed.
	DeleteCreated bool `json:"delete_created,omitempty"`
	// SyncPeopleSets deletes sets absent from the input, behind
	// MaxDeletePeopleSets.
	SyncPeopleSets      bool   `json:"sync_people_sets,omitempty"`
	MaxDeletePeopleSets string `json:"max_delete_people_sets,omitempty"`
	// SyncGroups removes, from the groups the roster names, the members it
	// does not list, behind MaxGroupRemovals.
	SyncGroups       bool   `json:"sync_groups,omitempty"`
	MaxGroupRemovals string `json:"max_group_removals,omitempty"`
	// Uncarried are the roster's fields the target cannot carry (from its
	// capabilities): never sent, reported once.
	Uncarried []string `json:"uncarried,omitempty"`
}

// ScopeRule narrows --sync to accounts whose field equals value (any case).
type ScopeRule struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// DefaultMaxDeactivate is the guard when none is given.
const DefaultMaxDeactivate = "5%"

// Normalize fills defaults and checks values.
func (o *Options) Normalize() error {
	if len(o.Match) == 0 {
		o.Match = []string{"external_id", "email"}
	}
	for _, m := range o.Match {
		if m != "external_id" && m != "email" {
			return fmt.Errorf("--match takes external_id and email, in the order to try them (got %q)", m)
		}
	}
	if err := oneOf(&o.Empty, "--empty", "keep", "clear"); err != nil {
		return err
	}
	if o.MaxDeactivate == "" {
		o.MaxDeactivate = DefaultMaxDeactivate
	}
	if _, _, err := ParseLimit(o.MaxDeactivate); err != nil {
		return fmt.Errorf("--max-deactivate: %v", err)
	}
	for _, g := range []struct {
		v         *string
		flag, def string
	}{{&o.MaxRenames, "--max-renames", DefaultMaxRenames}, {&o.MaxEmailChanges, "--max-email-changes", DefaultMaxEmailChanges},
		{&o.MaxFieldChanges, "--max-field-changes", DefaultMaxFieldChanges}} {
		if *g.v == "" {
			*g.v = g.def
		}
		if _, _, err := ParseLimit(*g.v); err != nil {
			return fmt.Errorf("%s: %v", g.flag, err)
		}
	}
	if o.MaxDeletePeopleSets == "" {
		o.MaxDeletePeopleSets = DefaultMaxDeactivate
	}
	if _, _, err := ParseLimit(o.MaxDeletePeopleSets); err != nil {
		return fmt.Errorf("--max-delete-people-sets: %v", err)
	}
	if o.MaxGroupRemovals == "" {
		o.MaxGroupRemovals = DefaultMaxGroupRemovals
	}
	if _, _, err := ParseLimit(o.MaxGroupRemovals); err != nil {
		return fmt.Errorf("--max-group-removals: %v", err)
	}
	if err := oneOf(&o.Pictures, "--pictures", "new", "all"); err != nil {
		return err
	}
	if err := oneOf(&o.AuthMethod, "--auth-method", "new", "all"); err != nil {
		return err
	}
	if err := oneOf(&o.Read, "--read", "auto", "list", "lookup"); err != nil {
		return err
	}
	if o.Sync && o.Read == "lookup" {
		return fmt.Errorf("--sync needs every account: it cannot be used with --read lookup")
	}
	return nil
}

// ParseLimit reads "N" or "P%".
func ParseLimit(s string) (n int, percent bool, err error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || f < 0 || f > 100 {
			return 0, false, fmt.Errorf("%q is not a percentage between 0%% and 100%%", s)
		}
		return int(f * 100), true, nil // hundredths of a percent
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return 0, false, fmt.Errorf("%q is neither a count nor a percentage like 5%%", s)
	}
	return v, false, nil
}

// LimitOf applies a limit spec to a base count.
func LimitOf(spec string, base int) int {
	n, pct, _ := ParseLimit(spec)
	if pct {
		return base * n / 10000
	}
	return n
}

// ParseScope reads field=value.
func ParseScope(s string) (ScopeRule, error) {
	f, v, ok := strings.Cut(s, "=")
	f = strings.TrimSpace(strings.ToLower(f))
	if !ok || f == "" || strings.TrimSpace(v) == "" {
		return ScopeRule{}, fmt.Errorf("--scope takes field=value, e.g. department=Sales (got %q)", s)
	}
	switch f {
	case "department", "division", "organization", "cost_center", "title":
	default:
		return ScopeRule{}, fmt.Errorf("--scope field %q: use department, division, organization, cost_center or title (fields every target lets wpimport read)", f)
	}
	return ScopeRule{Field: f, Value: strings.TrimSpace(v)}, nil
}

// oneOf checks an option that takes one of values, the first the default.
func oneOf(v *string, flag string, values ...string) error {
	if *v == "" {
		*v = values[0]
	}
	for _, ok := range values {
		if *v == ok {
			return nil
		}
	}
	return fmt.Errorf("%s is %s (got %q)", flag, strings.Join(values, " or "), *v)
}
