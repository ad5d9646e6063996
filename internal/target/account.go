package target

import (
	"strconv"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
)

// Account is an account as a target shows it, or (in a plan's After) as
// it is wanted. Text fields hold "" when the account has no value; a
// field the target cannot read is "" too, and its Capabilities say so.
// The JSON names are the roster's canonical field names.
type Account struct {
	ID         string `json:"id,omitempty"`
	Name       Name   `json:"name"`
	Email      string `json:"email,omitempty"`
	UserName   string `json:"user_name,omitempty"` // SCIM userName where it is not the email
	ExternalID string `json:"external_id,omitempty"`

	Title        string `json:"title,omitempty"`
	Department   string `json:"department,omitempty"`
	Organization string `json:"organization,omitempty"`
	Division     string `json:"division,omitempty"`
	CostCenter   string `json:"cost_center,omitempty"`
	Locale       string `json:"work_locale,omitempty"` // ll_CC
	AuthMethod   string `json:"auth_method,omitempty"` // password or sso; "" where unreadable
	StartDate    string `json:"start_date,omitempty"`  // YYYY-MM-DD
	Location     string `json:"location,omitempty"`

	Manager *Ref `json:"manager,omitempty"`
	// ManagerKey names the manager for people (its email, else external
	// id), where the target or the plan knows it.
	ManagerKey string `json:"manager_key,omitempty"`

	Phones    []Phone    `json:"phones,omitempty"` // the first primary one is "phone"
	Frontline *Frontline `json:"frontline,omitempty"`

	Active  bool  `json:"active"`
	Invited *bool `json:"invited,omitempty"`
	Claim   Claim `json:"claim,omitempty"`
	// DeactivatedAt is when the account was deactivated, where the target
	// says (RFC 3339); erasure waits on it.
	DeactivatedAt string `json:"deactivated_at,omitempty"`

	// Version is the service's version of the account (a SCIM ETag) when
	// it was read or written; "" where the target has none.
	Version string `json:"version,omitempty"`
}

// Name is a person's name: the display name (Formatted) and, where the
// roster or the target has them, the given and family names.
type Name struct {
	Formatted string `json:"formatted,omitempty"`
	Given     string `json:"given,omitempty"`
	Family    string `json:"family,omitempty"`
}

// Phone is one of an account's phone numbers.
type Phone struct {
	Number  string `json:"number"`
	Type    string `json:"type,omitempty"` // work, mobile, …
	Primary bool   `json:"primary,omitempty"`
}

// Frontline is Workplace's frontline status.
type Frontline struct {
	IsFrontline bool `json:"is_frontline"`
	HasAccess   bool `json:"has_access"`
}

// Claim says whether a person has claimed (logged in to) their account.
type Claim string

const (
	ClaimUnknown Claim = ""          // the target does not say: treated as claimed
	Claimed      Claim = "claimed"   //
	Unclaimed    Claim = "unclaimed" // never logged in: deletable where the target allows
)

// Ref names an account, group or people set of a target, with the version
// the caller last saw (sent as If-Match where the target has versions).
type Ref struct {
	ID      string `json:"id"`
	Version string `json:"version,omitempty"`
}

// KeyKind is what a Key's value is.
type KeyKind string

const (
	ByID         KeyKind = "id"
	ByEmail      KeyKind = "email"
	ByExternalID KeyKind = "external_id"
	ByUserName   KeyKind = "user_name"
)

// Key identifies an account by one of its keys. Emails and userNames
// match ignoring case; ids and external ids exactly.
type Key struct {
	Kind  KeyKind
	Value string
}

func (k Key) String() string { return string(k.Kind) + "=" + k.Value }

// Matches reports whether a has the key.
func (k Key) Matches(a *Account) bool {
	switch k.Kind {
	case ByID:
		return a.ID == k.Value
	case ByEmail:
		return a.Email != "" && strings.EqualFold(a.Email, k.Value)
	case ByExternalID:
		return a.ExternalID != "" && a.ExternalID == k.Value
	case ByUserName:
		return strings.EqualFold(a.LoginName(), k.Value)
	}
	return false
}

// LoginName is the account's userName: UserName, else the email.
func (a *Account) LoginName() string {
	if a.UserName != "" {
		return a.UserName
	}
	return a.Email
}

// IsClaimed reports whether the account may have been claimed: an unknown
// claim status counts as claimed, so that nothing is deleted on a guess.
func (a *Account) IsClaimed() bool { return a.Claim != Unclaimed }

// ManagerID is the manager's account id, or "".
func (a *Account) ManagerID() string {
	if a.Manager == nil {
		return ""
	}
	return a.Manager.ID
}

// PrimaryPhone is the primary phone number (the first one if none is
// marked), or "".
func (a *Account) PrimaryPhone() string {
	for _, p := range a.Phones {
		if p.Primary {
			return p.Number
		}
	}
	if len(a.Phones) > 0 {
		return a.Phones[0].Number
	}
	return ""
}

// Get returns a field's value as text, by its roster name: what plans
// compare, fingerprint and show. Booleans are "true" or "false"; the
// frontline fields are "" where the account has no frontline status.
func (a *Account) Get(f roster.Field) string {
	switch f {
	case roster.Name:
		return a.Name.Formatted
	case roster.FirstName:
		return a.Name.Given
	case roster.LastName:
		return a.Name.Family
	case roster.Email:
		return a.Email
	case roster.UserName:
		return a.UserName
	case roster.ExternalID:
		return a.ExternalID
	case roster.ID:
		return a.ID
	case roster.Title:
		return a.Title
	case roster.Department:
		return a.Department
	case roster.Organization:
		return a.Organization
	case roster.Division:
		return a.Division
	case roster.CostCenter:
		return a.CostCenter
	case roster.WorkLocale:
		return a.Locale
	case roster.AuthMethod:
		return a.AuthMethod
	case roster.StartDate:
		return a.StartDate
	case roster.Location:
		return a.Location
	case roster.Manager:
		return a.ManagerID()
	case roster.Phone:
		return a.PrimaryPhone()
	case roster.Active:
		return strconv.FormatBool(a.Active)
	case roster.Invited:
		if a.Invited == nil {
			return ""
		}
		return strconv.FormatBool(*a.Invited)
	case roster.IsFrontline:
		if a.Frontline == nil {
			return ""
		}
		return strconv.FormatBool(a.Frontline.IsFrontline)
	case roster.HasAccess:
		if a.Frontline == nil {
			return ""
		}
		return strconv.FormatBool(a.Frontline.HasAccess)
	}
	return ""
}

// Set sets a text field by its roster name ("" clears it) and reports
// whether f is one Set knows. The manager is set by id; booleans parse
// "true"; phones and frontline status have their own fields.
func (a *Account) Set(f roster.Field, v string) bool {
	switch f {
	case roster.Name:
		a.Name.Formatted = v
	case roster.FirstName:
		a.Name.Given = v
	case roster.LastName:
		a.Name.Family = v
	case roster.Email:
		a.Email = v
	case roster.UserName:
		a.UserName = v
	case roster.ExternalID:
		a.ExternalID = v
	case roster.ID:
		a.ID = v
	case roster.Title:
		a.Title = v
	case roster.Department:
		a.Department = v
	case roster.Organization:
		a.Organization = v
	case roster.Division:
		a.Division = v
	case roster.CostCenter:
		a.CostCenter = v
	case roster.WorkLocale:
		a.Locale = v
	case roster.AuthMethod:
		a.AuthMethod = v
	case roster.StartDate:
		a.StartDate = v
	case roster.Location:
		a.Location = v
	case roster.Manager:
		a.Manager = nil
		if v != "" {
			a.Manager = &Ref{ID: v}
		}
	case roster.Active:
		a.Active = v == "true"
	case roster.Invited:
		b := v == "true"
		a.Invited = &b
		if v == "" {
			a.Invited = nil
		}
	default:
		return false
	}
	return true
}

// Clone returns a deep copy.
func (a *Account) Clone() *Account {
	if a == nil {
		return nil
	}
	c := *a
	if a.Manager != nil {
		m := *a.Manager
		c.Manager = &m
	}
	c.Phones = append([]Phone(nil), a.Phones...)
	if a.Frontline != nil {
		f := *a.Frontline
		c.Frontline = &f
	}
	if a.Invited != nil {
		b := *a.Invited
		c.Invited = &b
	}
	return &c
}

// Describe names an account for people: its email, else its external
// id, else its id.
func (a *Account) Describe() string {
	switch {
	case a == nil:
		return ""
	case a.Email != "":
		return a.Email
	case a.ExternalID != "":
		return a.ExternalID
	}
	return a.ID
}
