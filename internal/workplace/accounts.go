package workplace

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"path"
	"sort"
	"strings"
)

// Account is a member as the API shows it.
type Account struct {
	ID                    string     `json:"id"`
	Name                  string     `json:"name,omitempty"`
	Email                 string     `json:"email,omitempty"`
	ExternalID            string     `json:"external_id,omitempty"`
	Title                 string     `json:"title,omitempty"`
	Department            string     `json:"department,omitempty"`
	Division              string     `json:"division,omitempty"`
	Organization          string     `json:"organization,omitempty"`
	CostCenter            string     `json:"cost_center,omitempty"`
	WorkLocale            string     `json:"work_locale,omitempty"`
	StartDate             string     `json:"start_date,omitempty"`
	Active                *bool      `json:"active,omitempty"`
	Invited               *bool      `json:"invited,omitempty"`
	Claimed               *bool      `json:"claimed,omitempty"`
	Frontline             *Frontline `json:"frontline,omitempty"`
	PrimaryPhone          string     `json:"primary_phone,omitempty"`
	Phones                *PhoneEdge `json:"phones,omitempty"`
	Managers              *Edge      `json:"managers,omitempty"`
	AccountInviteTime     string     `json:"account_invite_time,omitempty"`
	AccountClaimTime      string     `json:"account_claim_time,omitempty"`
	AccountDeactivateTime string     `json:"account_deactivate_time,omitempty"`
	UpdatedTime           string     `json:"updated_time,omitempty"`
	// AuthMethod is never read from Graph (it cannot be); a SCIM service
	// with Meta's authmethod extension returns it.
	AuthMethod string `json:"-"`
	// Version is a SCIM service's meta.version (ETag); Graph has none.
	Version string `json:"-"`
}

// Frontline is an account's frontline status.
type Frontline struct {
	IsFrontline bool `json:"is_frontline"`
	HasAccess   bool `json:"has_access"`
}

// Edge is a list of related members (managers, reports).
type Edge struct {
	Data []EdgeMember `json:"data"`
}

// EdgeMember is one member on an edge.
type EdgeMember struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// PhoneEdge is the phones edge of a member.
type PhoneEdge struct {
	Data []PhoneNumber `json:"data"`
}

// PhoneNumber is one of a member's phones.
type PhoneNumber struct {
	Number  string `json:"number"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// PhoneNumbers returns the account's phones (the primary one at least).
func (a *Account) PhoneNumbers() []PhoneNumber {
	if a.Phones != nil && len(a.Phones.Data) > 0 {
		return a.Phones.Data
	}
	if a.PrimaryPhone != "" {
		return []PhoneNumber{{Number: a.PrimaryPhone, Primary: true}}
	}
	return nil
}

// Manager returns the id of the account's manager, or "".
func (a *Account) Manager() string {
	if a.Managers == nil || len(a.Managers.Data) == 0 {
		return ""
	}
	return a.Managers.Data[0].ID
}

// IsActive reports whether the account is active (true when unknown).
func (a *Account) IsActive() bool { return a.Active == nil || *a.Active }

// IsClaimed reports whether the account was claimed.
func (a *Account) IsClaimed() bool {
	return a.Claimed != nil && *a.Claimed || a.AccountClaimTime != ""
}

// Field returns the value of a profile field by its Graph name.
func (a *Account) Field(name string) string {
	switch name {
	case "name":
		return a.Name
	case "email":
		return a.Email
	case "external_id":
		return a.ExternalID
	case "title":
		return a.Title
	case "department":
		return a.Department
	case "division":
		return a.Division
	case "organization":
		return a.Organization
	case "cost_center":
		return a.CostCenter
	case "work_locale":
		return a.WorkLocale
	case "auth_method":
		return a.AuthMethod
	case "start_date":
		return a.StartDate
	case "manager":
		return a.Manager()
	case "primary_phone", "phone":
		return a.PrimaryPhone
	case "active":
		return fmt.Sprint(a.IsActive())
	case "is_frontline":
		if a.Frontline == nil {
			return ""
		}
		return fmt.Sprint(a.Frontline.IsFrontline)
	case "has_access":
		if a.Frontline == nil {
			return ""
		}
		return fmt.Sprint(a.Frontline.HasAccess)
	}
	return ""
}

// MemberFields are the fields wpimport reads to plan: only fields and edges
// the Member node documents (Graph answers any other with error 100).
// location and auth_method are not among them: location is not a member
// field at all, and auth_method can be set but not read.
var MemberFields = []string{"id", "name", "email", "external_id", "title", "department", "division", "organization",
	"cost_center", "work_locale", "start_date", "active", "frontline", "primary_phone",
	"phones", "managers{id,email}", "account_claim_time", "account_deactivate_time", "updated_time"}

func fieldsParam(fields []string) string {
	if len(fields) == 0 {
		fields = MemberFields
	}
	return strings.Join(fields, ",")
}

// Uncarried lists the roster fields the Graph API cannot carry, so that
// validate, plan and check name them once and nothing is sent: start_date
// and location (the API documents neither as a create or update parameter)
// and groups (Workplace groups are not SCIM groups; this client has none).
func Uncarried() []string { return []string{"start_date", "location", "groups"} }

// Fields are the parameters of a create or update call. An empty value
// unsets the field.
type Fields map[string]string

func (f Fields) values() url.Values {
	v := url.Values{}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v.Set(k, f[k])
	}
	return v
}

// CreateAccount creates an account and returns its id.
func (c *Client) CreateAccount(ctx context.Context, f Fields) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	if err := c.do(ctx, request{method: "POST", path: "/community/accounts", form: f.values()}, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", &APIError{Method: "POST", Path: "/community/accounts", Message: "the answer holds no id"}
	}
	return out.ID, nil
}

// UpdateAccount changes only the given fields of an account (id or email).
func (c *Client) UpdateAccount(ctx context.Context, id string, f Fields) error {
	return c.do(ctx, request{method: "POST", path: "/" + url.PathEscape(id), form: f.values()}, nil)
}

// SetActive deactivates (false) or reactivates (true) an account.
func (c *Client) SetActive(ctx context.Context, id string, active bool) error {
	return c.UpdateAccount(ctx, id, Fields{"active": fmt.Sprint(active)})
}

// SetFrontline sets the frontline status.
func (c *Client) SetFrontline(ctx context.Context, id string, fl Frontline) error {
	b, _ := json.Marshal(fl)
	return c.UpdateAccount(ctx, id, Fields{"frontline": string(b)})
}

// AddPhone adds a phone number (international format) to an account.
func (c *Client) AddPhone(ctx context.Context, id, number, typ string, primary bool) error {
	form := url.Values{"number": {number}, "type": {typ}, "primary": {fmt.Sprint(primary)}}
	return c.do(ctx, request{method: "POST", path: "/" + url.PathEscape(id) + "/phones", form: form}, nil)
}

// SetPictureURL sets the profile picture from a jpg or png URL.
func (c *Client) SetPictureURL(ctx context.Context, id, imageURL string) error {
	return c.do(ctx, request{method: "POST", path: "/" + url.PathEscape(id) + "/profile_pictures", form: url.Values{"image_url": {imageURL}}}, nil)
}

// UploadPicture uploads a jpg or png (the caller read and checked it) as
// the profile picture; name is the file's name.
func (c *Client) UploadPicture(ctx context.Context, id, name string, data []byte) error {
	body, ctype, err := multipartBody(nil, "image_data", path.Base(name), data)
	if err != nil {
		return err
	}
	return c.do(ctx, request{method: "POST", path: "/" + url.PathEscape(id) + "/profile_pictures", body: body, ctype: ctype}, nil)
}

// DeleteAccount deletes an account that was never claimed.
func (c *Client) DeleteAccount(ctx context.Context, id string) error {
	return c.do(ctx, request{method: "DELETE", path: "/" + url.PathEscape(id)}, nil)
}

// RemoveProfileInformation erases the personal data of a deactivated
// account. It cannot be undone.
func (c *Client) RemoveProfileInformation(ctx context.Context, id string) error {
	return c.do(ctx, request{method: "POST", path: "/" + url.PathEscape(id) + "/remove_profile_information"}, nil)
}

// GetMember reads one member by id or email.
func (c *Client) GetMember(ctx context.Context, idOrEmail string, fields []string) (*Account, error) {
	var a Account
	q := url.Values{"fields": {fieldsParam(fields)}}
	if err := c.do(ctx, request{method: "GET", path: "/" + url.PathEscape(idOrEmail), query: q}, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// page is one page of a listing.
type page struct {
	Data   []Account `json:"data"`
	Paging struct {
		Cursors struct {
			After string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// ListOptions narrow a listing.
type ListOptions struct {
	Fields      []string
	Limit       int      // page size asked for; the server caps it
	ExternalIDs []string // only these external ids
}

// ListMembers calls fn with each page of active members, following next.
func (c *Client) ListMembers(ctx context.Context, opts ListOptions, fn func([]Account) error) error {
	return c.list(ctx, "/community/members", nil, opts, fn)
}

// ListDeactivated calls fn with each page of deactivated members.
func (c *Client) ListDeactivated(ctx context.Context, opts ListOptions, fn func([]Account) error) error {
	return c.list(ctx, "/community/organization_members", url.Values{"inactive": {"1"}}, opts, fn)
}

func (c *Client) list(ctx context.Context, path string, q url.Values, opts ListOptions, fn func([]Account) error) error {
	if q == nil {
		q = url.Values{}
	}
	q.Set("fields", fieldsParam(opts.Fields))
	if opts.Limit > 0 {
		q.Set("limit", fmt.Sprint(opts.Limit))
	}
	if len(opts.ExternalIDs) > 0 {
		q.Set("external_ids", strings.Join(opts.ExternalIDs, ","))
	}
	req := request{method: "GET", path: path, query: q}
	// A server whose paging repeats itself would keep us listing forever.
	seen := map[string]bool{}
	for pages := 1; ; pages++ {
		var p page
		if err := c.do(ctx, req, &p); err != nil {
			return err
		}
		if err := fn(p.Data); err != nil {
			return err
		}
		if p.Paging.Next == "" || len(p.Data) == 0 {
			return nil
		}
		next, err := c.sameHost(p.Paging.Next)
		if err != nil {
			return err
		}
		after := p.Paging.Cursors.After
		if seen[next] || (after != "" && seen["after:"+after]) {
			return fmt.Errorf("GET %s: the server's paging repeats itself after %d pages (the same next link or cursor twice); "+
				"the listing was stopped, and nothing was planned from it", path, pages)
		}
		seen[next], seen["after:"+after] = true, true
		req = request{method: "GET", path: path, full: next}
	}
}

// sameHost refuses to follow a next link to another host (it would get
// our token).
func (c *Client) sameHost(next string) (string, error) {
	u, err := url.Parse(next)
	if err != nil {
		return "", fmt.Errorf("paging: bad next link: %w", err)
	}
	if u.Host != c.base.Host {
		return "", fmt.Errorf("paging: next link points at %s, not %s; refusing to send the token there", u.Host, c.base.Host)
	}
	if c.base.Scheme == "https" {
		u.Scheme = "https"
	}
	return u.String(), nil
}

// LookupExternalIDs returns the active accounts with these external ids,
// asking in chunks of chunk (50 if 0).
func (c *Client) LookupExternalIDs(ctx context.Context, ids []string, fields []string, chunk int) ([]Account, error) {
	if chunk <= 0 {
		chunk = 50
	}
	var out []Account
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		err := c.ListMembers(ctx, ListOptions{Fields: fields, ExternalIDs: part, Limit: chunk}, func(p []Account) error {
			out = append(out, p...)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetMany reads up to 50 members per call by id or email (?ids=). Missing
// ones are left out of the map.
func (c *Client) GetMany(ctx context.Context, ids []string, fields []string) (map[string]*Account, error) {
	out := map[string]*Account{}
	for i := 0; i < len(ids); i += 50 {
		part := ids[i:min(i+50, len(ids))]
		q := url.Values{"ids": {strings.Join(part, ",")}, "fields": {fieldsParam(fields)}}
		var m map[string]*Account
		err := c.do(ctx, request{method: "GET", path: "/", query: q, weight: len(part)}, &m)
		if err != nil && !IsNotFound(err) {
			return nil, err
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out, nil
}
