package plan

import (
	"slices"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// Kind is what a change is to.
type Kind string

const (
	KindAccount   Kind = "account"
	KindGroup     Kind = "group"
	KindPeopleSet Kind = "people_set"
)

// Cause says why a change exists: Check allows each action only for the
// causes that may ask for it (a deletion only offboarding or undo makes).
type Cause string

const (
	CauseRoster   Cause = "roster"   // a row of the roster asks for it
	CauseSync     Cause = "sync"     // --sync: in scope, named by no row
	CauseOffboard Cause = "offboard" // on an offboarding list
	CauseUndo     Cause = "undo"     // takes back a change of an earlier apply
)

// Change is one change of a plan: to an account, a group or a people set.
// Every kind shares the ID sequence, the journal and the executor; the
// typed Before (as read) and After (as wanted) say exactly what it does,
// so that the sign-off workbook shows it, Check counts it and undo
// reverses it from the values themselves.
type Change struct {
	ID     int    `json:"id"` // 1-based position in Plan.Changes
	Kind   Kind   `json:"kind"`
	Action Action `json:"action"`
	Cause  Cause  `json:"cause"`
	Row    int    `json:"row,omitempty"`  // the roster row; 0 for --sync, groups and sets
	Rows   []int  `json:"rows,omitempty"` // groups and people sets: the rows that name them
	Key    string `json:"key"`            // external_id or email; a group's or set's name
	Name   string `json:"name,omitempty"` // the person's name
	Reason string `json:"reason,omitempty"`

	// Accounts.
	AccountID string `json:"account_id,omitempty"` // "" for a create
	// Before is the account as the plan read it (nil for a create); After
	// holds the wanted values of the fields in Fields (a "" value clears a
	// field). Active, for (de|re)activations, is among Fields.
	Before *target.Account `json:"before,omitempty"`
	After  *target.Account `json:"after,omitempty"`
	Fields []roster.Field  `json:"fields,omitempty"`
	// Unread are the fields among Fields the target sets but cannot read
	// back (auth_method on Graph, sent with --auth-method all): Before has
	// nothing of them, and Diffs shows "(cannot be read)".
	Unread []roster.Field `json:"unread,omitempty"`
	// Manager is the manager the change sets (manager in Fields): an
	// existing account, or the one a create of this plan makes.
	Manager *ManagerRef    `json:"manager,omitempty"`
	Phones  []target.Phone `json:"phones,omitempty"`  // added after the main call; the first is primary
	Picture *Picture       `json:"picture,omitempty"` // set after the main call
	// Lookup is how a create's account is found if its outcome is unknown.
	Lookup *Lookup `json:"lookup,omitempty"`
	// Level orders creates: managers (level 0) before their reports.
	Level int `json:"level,omitempty"`
	// Fingerprint is the account's state when planned ("absent" for a
	// create): apply skips the change as stale if it differs.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Notes say what the target does beyond the fields, for sign-off
	// ("the service clears the manager on reactivation: it is set again").
	Notes []string `json:"notes,omitempty"`
	// Irreversible lists what applying this change cannot take back (an
	// invitation sent, personal data erased), with the reason.
	Irreversible []string `json:"irreversible,omitempty"`

	Group *GroupChange `json:"group,omitempty"`
	Set   *SetChange   `json:"people_set,omitempty"`
	// Issues are the problems found in a people set's input rows.
	Issues []roster.Issue `json:"issues,omitempty"`
}

// Status is the change's status at plan time: invalid for a people set
// whose input has an error, else planned.
func (c *Change) Status() Status {
	if roster.HasErrors(c.Issues) {
		return Invalid
	}
	return Planned
}

// ManagerRef names a manager: an existing account, or the account a
// create change of this plan makes.
type ManagerRef struct {
	AccountID string `json:"account_id,omitempty"`
	CreateOp  int    `json:"create_op,omitempty"` // the create's Change.ID, when AccountID is ""
	Ref       string `json:"ref"`                 // the person as the roster named them
}

// Picture is a profile picture to set: a URL, or a file beside the roster.
type Picture struct {
	URL  string `json:"url,omitempty"`
	File string `json:"file,omitempty"`
}

// Lookup identifies an account by its keys.
type Lookup struct {
	ExternalID string `json:"external_id,omitempty"`
	Email      string `json:"email,omitempty"`
	UserName   string `json:"user_name,omitempty"`
}

// Keys are the look-up's keys, for Directory.Find.
func (l *Lookup) Keys() []target.Key {
	var out []target.Key
	if l == nil {
		return nil
	}
	if l.ExternalID != "" {
		out = append(out, target.Key{Kind: target.ByExternalID, Value: l.ExternalID})
	}
	if l.Email != "" {
		out = append(out, target.Key{Kind: target.ByEmail, Value: l.Email})
	}
	if l.UserName != "" {
		out = append(out, target.Key{Kind: target.ByUserName, Value: l.UserName})
	}
	return out
}

// GroupChange is what a change does to one static group.
type GroupChange struct {
	GroupID string `json:"group_id,omitempty"` // "" for a create
	// Members is how many members the group had when read.
	Members int         `json:"members"`
	Add     []MemberRef `json:"add,omitempty"`
	Remove  []MemberRef `json:"remove,omitempty"`
}

// MemberRef is a group member: an existing account, or one a create of
// this plan makes.
type MemberRef struct {
	AccountID string `json:"account_id,omitempty"`
	CreateOp  int    `json:"create_op,omitempty"`
	Row       int    `json:"row,omitempty"`
	Ref       string `json:"ref"` // who, for people: the row's key or the account's email
}

// SetChange is what a change does to one people set.
type SetChange struct {
	SetID string `json:"set_id,omitempty"` // "" for a create
	// Before are the conditions as read (nil for a create); After the
	// conditions wanted (nil for a delete), their people by reference.
	Before      []target.Condition `json:"before,omitempty"`
	After       []SetCondition     `json:"after,omitempty"`
	Fingerprint string             `json:"fingerprint,omitempty"` // of Before
}

// SetCondition is one condition of a planned set.
type SetCondition struct {
	Field    string     `json:"field"`
	Operator string     `json:"operator"`
	Values   []SetValue `json:"values"`
}

// SetValue is one condition value: a literal, an account id, or the
// account a create of this plan makes.
type SetValue struct {
	Value    string `json:"value,omitempty"`
	CreateOp int    `json:"create_op,omitempty"`
	Ref      string `json:"ref,omitempty"` // the person as the input named them
}

// Sets reports whether the change writes field f.
func (c *Change) Sets(f roster.Field) bool { return slices.Contains(c.Fields, f) }

// Expected is the account as the change leaves it: Before with the fields
// of After laid over it (the manager by id where known). For a create it
// is After itself.
func (c *Change) Expected() *target.Account {
	if c.Before == nil {
		return c.After.Clone()
	}
	a := c.Before.Clone()
	if c.After == nil {
		return a
	}
	for _, f := range c.Fields {
		switch f {
		case roster.IsFrontline, roster.HasAccess:
			a.Frontline = c.After.Frontline
		case roster.Manager:
			a.Manager = nil
			if c.Manager != nil && c.Manager.AccountID != "" {
				a.Manager = &target.Ref{ID: c.Manager.AccountID}
			}
		default:
			a.Set(f, c.After.Get(f))
		}
	}
	switch c.Action {
	case Deactivate:
		a.Active = false
	case Reactivate:
		a.Active = true
	}
	return a
}

// Calls is the number of API calls the change needs at the least.
func (c *Change) Calls() int {
	switch c.Kind {
	case KindGroup:
		if c.Group == nil {
			return 0
		}
		n := (len(c.Group.Add)+99)/100 + (len(c.Group.Remove)+99)/100
		if c.Action == Create {
			n++
		}
		return n
	case KindPeopleSet:
		if c.Action == None || c.Action == Skip {
			return 0
		}
		return 2 // a re-read, then the write
	}
	n := 0
	switch c.Action {
	case Create, Update, Deactivate, Delete, Erase, Reactivate:
		n = 1
	}
	n += len(c.Phones)
	if c.Picture != nil {
		n++
	}
	return n
}

// Runs reports whether apply has anything to do for the change.
func (c *Change) Runs() bool { return c.Action != None && c.Action != Skip }
