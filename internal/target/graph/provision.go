package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// formFields are the roster fields sent as plain parameters of a create or
// update, by their Graph names (which are the roster's).
var formFields = []roster.Field{roster.Name, roster.Email, roster.ExternalID, roster.Title, roster.Department,
	roster.Organization, roster.Division, roster.CostCenter, roster.WorkLocale, roster.AuthMethod}

// Create makes an account: one call, the manager in it.
func (c *Client) Create(ctx context.Context, a *target.Account) (*target.Account, error) {
	form := url.Values{}
	for _, f := range formFields {
		if v := a.Get(f); v != "" {
			form.Set(string(f), v)
		}
	}
	if id := a.ManagerID(); id != "" {
		form.Set("manager", id)
	}
	if a.Invited != nil && *a.Invited {
		form.Set("invited", "true")
	}
	if !a.Active {
		form.Set("active", "false")
	}
	if fl := a.Frontline; fl != nil && (fl.IsFrontline || fl.HasAccess) {
		form.Set("frontline", frontlineJSON(fl))
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := c.do(ctx, request{method: "POST", path: "/community/accounts", form: form}, &out); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, &target.Error{Kind: target.UnknownOutcome, Target: Name, Method: "POST", Path: "/community/accounts",
			Message: "the answer holds no id"}
	}
	return &target.Account{ID: out.ID}, nil
}

func frontlineJSON(fl *target.Frontline) string {
	b, _ := json.Marshal(fl)
	return string(b)
}

// Update sets the fields of set. Reactivation clears the manager on
// Workplace, so an update that reactivates sets the manager in a second
// call, after the account is active again.
func (c *Client) Update(ctx context.Context, r target.Ref, to *target.Account, set []roster.Field) (*target.Account, error) {
	form, manager := url.Values{}, url.Values{}
	reactivates := false
	for _, f := range set {
		switch f {
		case roster.Name, roster.Email, roster.ExternalID, roster.Title, roster.Department, roster.Organization,
			roster.Division, roster.CostCenter, roster.WorkLocale, roster.AuthMethod:
			form.Set(string(f), to.Get(f))
		case roster.Manager:
			manager.Set("manager", to.ManagerID())
		case roster.Active:
			form.Set("active", strconv.FormatBool(to.Active))
			reactivates = to.Active
		case roster.Invited:
			if to.Invited != nil && *to.Invited {
				form.Set("invited", "true")
			}
		case roster.IsFrontline, roster.HasAccess:
			fl := to.Frontline
			if fl == nil {
				fl = &target.Frontline{}
			}
			form.Set("frontline", frontlineJSON(fl))
		default:
			return nil, &target.Error{Kind: target.Invalid, Target: Name, Method: "POST", Path: "/" + r.ID,
				Message: fmt.Sprintf("%s cannot be set through the Graph API", f)}
		}
	}
	if !reactivates {
		for k, v := range manager {
			form[k] = v
		}
		manager = nil
	}
	if len(form) > 0 {
		if err := c.post(ctx, r.ID, form); err != nil {
			return nil, err
		}
	}
	if len(manager) > 0 {
		if err := c.post(ctx, r.ID, manager); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// post changes the given parameters of an account: absolute values, so
// the call is safe to repeat.
func (c *Client) post(ctx context.Context, id string, form url.Values) error {
	return c.do(ctx, request{method: "POST", path: "/" + url.PathEscape(id), form: form, idempotent: true}, nil)
}

// SetActive deactivates (false) or reactivates (true) an account. A
// reactivation clears the manager (Workplace's rule): the caller that
// wants it kept sets it with Update.
func (c *Client) SetActive(ctx context.Context, r target.Ref, active bool) (*target.Account, error) {
	return nil, c.post(ctx, r.ID, url.Values{"active": {strconv.FormatBool(active)}})
}

// Remove deletes an account never claimed, or erases the personal data of
// one deactivated at least ErasureGrace ago. Neither can be undone.
func (c *Client) Remove(ctx context.Context, r target.Ref, how target.Removal) error {
	switch how {
	case target.RemoveDelete:
		return c.do(ctx, request{method: "DELETE", path: "/" + url.PathEscape(r.ID)}, nil)
	case target.RemoveErase:
		return c.do(ctx, request{method: "POST", path: "/" + url.PathEscape(r.ID) + "/remove_profile_information"}, nil)
	}
	return fmt.Errorf("unknown removal %q", how)
}

// AddPhone adds a phone number (international format). Adding is not
// idempotent: after an unknown outcome the caller reads the account first.
func (c *Client) AddPhone(ctx context.Context, r target.Ref, p target.Phone) error {
	typ := p.Type
	if typ == "" {
		typ = "work"
	}
	form := url.Values{"number": {p.Number}, "type": {typ}, "primary": {strconv.FormatBool(p.Primary)}}
	return c.do(ctx, request{method: "POST", path: "/" + url.PathEscape(r.ID) + "/phones", form: form}, nil)
}

// SetPicture sets the profile picture from a jpg or png URL, or uploads
// the file's bytes (the caller read and checked them).
func (c *Client) SetPicture(ctx context.Context, r target.Ref, p target.Picture) error {
	path := "/" + url.PathEscape(r.ID) + "/profile_pictures"
	if p.URL != "" {
		return c.do(ctx, request{method: "POST", path: path, form: url.Values{"image_url": {p.URL}}, idempotent: true}, nil)
	}
	body, ctype, err := multipartBody("image_data", p.Name, p.Data)
	if err != nil {
		return err
	}
	return c.do(ctx, request{method: "POST", path: path, body: body, ctype: ctype, idempotent: true}, nil)
}
