package scim

import (
	"cmp"
	"context"
	"net/http"
	"slices"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// Create POSTs a new User (through Bulk when on) and returns it as the
// service answered, with its version. Not safe to repeat: after an
// unknown outcome the caller finds the account before trying again.
func (c *Client) Create(ctx context.Context, a *target.Account) (*target.Account, error) {
	d, err := c.Discover(ctx)
	if err != nil {
		return nil, err
	}
	body, err := userBody(a, d)
	if err != nil {
		return nil, err
	}
	var u map[string]any
	ans, err := c.write(ctx, request{method: http.MethodPost, path: "/Users", body: body}, &u)
	if err != nil {
		return nil, err
	}
	id := cmp.Or(str(u, "id"), idFromLocation(ans.header.Get("Location")))
	if id == "" {
		return nil, &target.Error{Kind: target.UnknownOutcome, Target: Name, Method: http.MethodPost, Path: "/Users",
			Status: ans.status, Message: "the service answered the create without an id"}
	}
	if isUser(u) {
		got := accountOf(u, ans.header)
		got.ID = id
		return &got, nil
	}
	// An answer without the User (a Bulk answer with only a location):
	// the account as sent, with its id and version.
	got := a.Clone()
	got.ID, got.Version = id, ans.header.Get("ETag")
	if meta, ok := get(u, "meta").(map[string]any); ok {
		got.Version = cmp.Or(str(meta, "version"), got.Version)
	}
	return got, nil
}

// isUser reports an answer that holds a User, not only its id.
func isUser(u map[string]any) bool { return str(u, "id") != "" && str(u, "userName") != "" }

// Update sets, on the User r names, each field of set to its value in to:
// one PATCH operation per attribute (see opsFor), with r.Version as
// If-Match where the service has versions. Name changes send displayName
// and name.formatted; email changes send emails and, where the userName
// is the email, userName. A service without PATCH is sent GET, the
// change, and PUT. It returns the User as answered, or nil when the
// answer holds none (204, or a Bulk answer).
func (c *Client) Update(ctx context.Context, r target.Ref, to *target.Account, set []roster.Field) (*target.Account, error) {
	d, err := c.Discover(ctx)
	if err != nil {
		return nil, err
	}
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	// A service that clears the manager on reactivation gets the manager
	// in a second request, once the account is active again.
	var later []roster.Field
	if caps.ReactivationClearsManager && to.Active && slices.Contains(set, roster.Active) && slices.Contains(set, roster.Manager) {
		set = slices.DeleteFunc(slices.Clone(set), func(f roster.Field) bool { return f == roster.Manager })
		later = []roster.Field{roster.Manager}
	}
	ops, err := opsFor(d, to, set, http.MethodPatch, userPath(r.ID))
	if err != nil || len(ops) == 0 {
		return nil, err
	}
	got, err := c.change(ctx, r, ops, true)
	if err != nil || len(later) == 0 {
		return got, err
	}
	if got != nil {
		r.Version = got.Version
	}
	ops, err = opsFor(d, to, later, http.MethodPatch, userPath(r.ID))
	if err != nil {
		return nil, err
	}
	return c.change(ctx, r, ops, true)
}

// SetActive deactivates (false) or reactivates (true) an account: a
// replace of active. (Where reactivation clears the manager, the caller
// that wants it kept sets it with Update.)
func (c *Client) SetActive(ctx context.Context, r target.Ref, active bool) (*target.Account, error) {
	return c.change(ctx, r, []patchOp{{Op: "replace", Path: "active", Value: active}}, true)
}

// Remove deletes an account (DELETE, with If-Match where the service has
// versions; RFC 7644 §3.6: gone, 404 after). Erasure is Workplace's.
func (c *Client) Remove(ctx context.Context, r target.Ref, how target.Removal) error {
	path := userPath(r.ID)
	if how != target.RemoveDelete {
		return invalid(http.MethodDelete, path, "erasure is Workplace's; a SCIM service has none")
	}
	d, err := c.Discover(ctx)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, request{method: http.MethodDelete, path: path, ifMatch: versionFor(d, r)}, nil)
	return err
}

// AddPhone adds a phone number: a PATCH add of phoneNumbers, not safe to
// repeat (the caller finds the account after an unknown outcome).
func (c *Client) AddPhone(ctx context.Context, r target.Ref, p target.Phone) error {
	op := patchOp{Op: "add", Path: "phoneNumbers", Value: phoneList([]target.Phone{p})}
	_, err := c.change(ctx, r, []patchOp{op}, false)
	return err
}

// SetPicture sets the photo by URL (photos, type photo); SCIM takes no
// picture files.
func (c *Client) SetPicture(ctx context.Context, r target.Ref, p target.Picture) error {
	if p.URL == "" {
		return invalid(http.MethodPatch, userPath(r.ID), "a SCIM service takes a picture by URL only, not a file")
	}
	op := patchOp{Op: "replace", Path: "photos", Value: []any{map[string]any{"value": p.URL, "type": "photo", "primary": true}}}
	_, err := c.change(ctx, r, []patchOp{op}, true)
	return err
}

// versionFor is the If-Match to send for r: its version, where the
// service has versions.
func versionFor(d *Discovery, r target.Ref) string {
	if !d.ETag {
		return ""
	}
	return r.Version
}

// change makes ops on the User r names: a PATCH where the service has it
// (through Bulk when on), else GET, the change, and PUT, whose body holds
// absolute values and so is safe to repeat. idempotent says the PATCH is.
func (c *Client) change(ctx context.Context, r target.Ref, ops []patchOp, idempotent bool) (*target.Account, error) {
	d, err := c.Discover(ctx)
	if err != nil {
		return nil, err
	}
	path := userPath(r.ID)
	ifMatch := versionFor(d, r)
	var u map[string]any
	if d.Patch {
		body := map[string]any{"schemas": []string{PatchOp}, "Operations": ops}
		ans, err := c.write(ctx, request{method: http.MethodPatch, path: path, body: body, ifMatch: ifMatch, idempotent: idempotent}, &u)
		return answered(u, ans, err)
	}
	ans, err := c.do(ctx, request{method: http.MethodGet, path: path, idempotent: true}, &u)
	if err != nil {
		return nil, err
	}
	if d.ETag && ifMatch == "" {
		ifMatch = accountOf(u, ans.header).Version
	}
	applyOps(u, ops)
	delete(u, "meta")
	var out map[string]any
	ans, err = c.do(ctx, request{method: http.MethodPut, path: path, body: u, ifMatch: ifMatch, idempotent: true}, &out)
	return answered(out, ans, err)
}

// answered is the User a write's answer holds, or nil.
func answered(u map[string]any, ans answer, err error) (*target.Account, error) {
	if err != nil || !isUser(u) {
		return nil, err
	}
	a := accountOf(u, ans.header)
	return &a, nil
}
