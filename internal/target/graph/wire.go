package graph

import (
	"cmp"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/target"
)

// member is a member as the API shows it.
type member struct {
	ID           string `json:"id"`
	Name         string `json:"name,omitempty"`
	FirstName    string `json:"first_name,omitempty"`
	LastName     string `json:"last_name,omitempty"`
	Email        string `json:"email,omitempty"`
	ExternalID   string `json:"external_id,omitempty"`
	Title        string `json:"title,omitempty"`
	Department   string `json:"department,omitempty"`
	Division     string `json:"division,omitempty"`
	Organization string `json:"organization,omitempty"`
	CostCenter   string `json:"cost_center,omitempty"`
	WorkLocale   string `json:"work_locale,omitempty"`
	StartDate    string `json:"start_date,omitempty"`
	Active       *bool  `json:"active,omitempty"`
	Invited      *bool  `json:"invited,omitempty"`
	Claimed      *bool  `json:"claimed,omitempty"`
	Frontline    *struct {
		IsFrontline bool `json:"is_frontline"`
		HasAccess   bool `json:"has_access"`
	} `json:"frontline,omitempty"`
	PrimaryPhone string `json:"primary_phone,omitempty"`
	Phones       *struct {
		Data []struct {
			Number  string `json:"number"`
			Type    string `json:"type,omitempty"`
			Primary bool   `json:"primary,omitempty"`
		} `json:"data"`
	} `json:"phones,omitempty"`
	Managers *struct {
		Data []struct {
			ID         string `json:"id"`
			Email      string `json:"email,omitempty"`
			ExternalID string `json:"external_id,omitempty"`
		} `json:"data"`
	} `json:"managers,omitempty"`
	AccountClaimTime      string `json:"account_claim_time,omitempty"`
	AccountDeactivateTime string `json:"account_deactivate_time,omitempty"`
}

// memberFields are the fields wpimport reads: only fields and edges the
// Member node documents (Graph answers any other with error 100).
// location and auth_method are not among them: location is not a member
// field at all, and auth_method can be set but not read.
var memberFields = strings.Join([]string{"id", "name", "first_name", "last_name", "email", "external_id", "title", "department",
	"division", "organization", "cost_center", "work_locale", "start_date", "active", "frontline", "primary_phone",
	"phones", "managers{id,email,external_id}", "account_claim_time", "account_deactivate_time"}, ",")

// account turns a member into a neutral account. active is what the
// listing it came from says when the member does not.
func (m *member) account(active bool) target.Account {
	a := target.Account{ID: m.ID, Name: target.Name{Formatted: m.Name, Given: m.FirstName, Family: m.LastName},
		Email: m.Email, ExternalID: m.ExternalID, Title: m.Title, Department: m.Department, Division: m.Division,
		Organization: m.Organization, CostCenter: m.CostCenter, Locale: m.WorkLocale, StartDate: m.StartDate,
		Active: active, Invited: m.Invited}
	if m.Active != nil {
		a.Active = *m.Active
	}
	switch {
	case m.AccountClaimTime != "" || m.Claimed != nil && *m.Claimed:
		a.Claim = target.Claimed
	case m.Claimed != nil:
		a.Claim = target.Unclaimed
	default:
		a.Claim = target.Unclaimed // Graph gives account_claim_time once claimed: none means never
	}
	if !a.Active && m.AccountDeactivateTime != "" {
		a.DeactivatedAt = rfc3339(m.AccountDeactivateTime)
	}
	if m.Frontline != nil {
		a.Frontline = &target.Frontline{IsFrontline: m.Frontline.IsFrontline, HasAccess: m.Frontline.HasAccess}
	}
	if m.Phones != nil && len(m.Phones.Data) > 0 {
		for _, p := range m.Phones.Data {
			a.Phones = append(a.Phones, target.Phone{Number: p.Number, Type: p.Type, Primary: p.Primary})
		}
	} else if m.PrimaryPhone != "" {
		a.Phones = []target.Phone{{Number: m.PrimaryPhone, Primary: true}}
	}
	if m.Managers != nil && len(m.Managers.Data) > 0 {
		a.Manager = &target.Ref{ID: m.Managers.Data[0].ID}
		a.ManagerKey = cmp.Or(m.Managers.Data[0].Email, m.Managers.Data[0].ExternalID)
	}
	return a
}

// graphTime is how Graph writes times: ISO 8601 with a zone offset
// without a colon ("2026-01-05T12:00:00+0000").
const graphTime = "2006-01-02T15:04:05-0700"

// rfc3339 turns a Graph time into RFC 3339 in UTC, the form
// target.Account documents; a time in neither form is kept as it came, so
// that a reader that cannot parse it treats it as unknown.
func rfc3339(v string) string {
	for _, layout := range []string{graphTime, time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return v
}
