package scim

import (
	"cmp"
	"context"
	"net/http"
	"slices"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// optsOf are the opts of this service's writes.
func optsOf(caps *target.Capabilities, w *wire, method, path string) opts {
	o := opts{w: w, carries: caps.Carries, method: method, path: path}
	if len(w.managerForms) > 0 {
		o.form = w.managerForms[0]
	}
	return o
}

// Create POSTs a new User (through Bulk when on) and returns it as the
// service answered, with its version; Salesforce's new users get the
// profile its dialect names (an entitlement, §7). The values the service
// kept are checked (see verify): a manager it did not keep is sent again
// in the other form; a value still not kept returns the account with a
// *target.NotApplied. Not safe to repeat: after an unknown outcome the
// caller finds the account before trying again.
func (c *Client) Create(ctx context.Context, a *target.Account) (*target.Account, error) {
	caps, w, err := c.state(ctx)
	if err != nil {
		return nil, err
	}
	body, err := userBody(a, optsOf(caps, w, http.MethodPost, "/Users"))
	if err != nil {
		return nil, err
	}
	if w.entitlement != "" {
		id, err := c.entitlementID(ctx, w.entitlement)
		if err != nil {
			return nil, err
		}
		body["entitlements"] = []any{map[string]any{"value": id, "primary": true}}
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
	var got *target.Account
	switch {
	case isUser(u):
		acc := c.account(u, ans.header)
		acc.ID, got = id, &acc
	case ans.bulk:
		// A Bulk answer holds no User, only its id and version: reading
		// each back would undo what Bulk saves. The account as sent.
		got = a.Clone()
		got.ID, got.Version = id, versionOf(u)
		return got, nil
	}
	return c.verify(ctx, target.Ref{ID: id, Version: cmp.Or(ans.header.Get("ETag"), versionOf(u))}, got, a, createFields(a))
}

// versionOf is a resource's meta.version, or "".
func versionOf(u map[string]any) string {
	meta, _ := get(u, "meta").(map[string]any)
	return str(meta, "version")
}

// isUser reports an answer that holds a User, not only its id.
func isUser(u map[string]any) bool { return str(u, "id") != "" && str(u, "userName") != "" }

// Update sets, on the User r names, each field of set to its value in to:
// one PATCH operation per attribute (see opsFor), with r.Version as
// If-Match where the service has versions. Name changes send displayName
// and name.formatted; email changes send emails and, where the userName
// is the email (read first when the service carries user names), the
// userName. No request holds two operations on userName or active (AWS
// §1): a reactivation goes first, a deactivation last. A service without
// PATCH (or whose PATCH takes only active, Zoom §5) is sent GET, the
// change, and PUT. Where reactivation clears the manager, the manager goes
// in a request of its own after. The values are then checked against the
// User the service answered, or read (see verify). It returns the User,
// and a *target.NotApplied for a value the service did not keep.
func (c *Client) Update(ctx context.Context, r target.Ref, to *target.Account, set []roster.Field) (*target.Account, error) {
	caps, w, err := c.state(ctx)
	if err != nil {
		return nil, err
	}
	o := optsOf(caps, w, http.MethodPatch, userPath(r.ID))
	if o.follow, err = c.follows(ctx, caps, r, to, set); err != nil {
		return nil, err
	}
	// A service that clears the manager on reactivation gets the manager
	// in a second request, once the account is active again.
	var later []roster.Field
	if caps.ReactivationClearsManager && to.Active && slices.Contains(set, roster.Active) && slices.Contains(set, roster.Manager) {
		set = slices.DeleteFunc(slices.Clone(set), func(f roster.Field) bool { return f == roster.Manager })
		later = []roster.Field{roster.Manager}
	}
	ops, err := opsFor(o, to, set)
	if err != nil || len(ops) == 0 {
		return nil, err
	}
	got, err := c.changeAll(ctx, &r, ops)
	if err != nil {
		return nil, err
	}
	if len(later) > 0 {
		if ops, err = opsFor(o, to, later); err != nil {
			return nil, err
		}
		if got, err = c.changeAll(ctx, &r, ops); err != nil {
			return nil, err
		}
		set = append(set, later...)
	}
	return c.verify(ctx, r, got, to, set)
}

// follows says whether an email change in set changes the userName too:
// where it is the email. A service that carries no user name (Zoom §5)
// has the email for userName; elsewhere the account is read to tell.
func (c *Client) follows(ctx context.Context, caps *target.Capabilities, r target.Ref, to *target.Account, set []roster.Field) (bool, error) {
	if to.UserName != "" || slices.Contains(set, roster.UserName) ||
		!slices.Contains(set, roster.Email) && !slices.Contains(set, roster.NewEmail) || !caps.CanCarry(roster.UserName) {
		return true, nil
	}
	cur, err := c.read(ctx, r.ID)
	if err != nil {
		return false, err
	}
	return cur.UserName == "", nil
}

// read reads one User by id.
func (c *Client) read(ctx context.Context, id string) (*target.Account, error) {
	var u map[string]any
	ans, err := c.do(ctx, request{method: http.MethodGet, path: userPath(id), idempotent: true}, &u)
	if err != nil {
		return nil, err
	}
	a := c.account(u, ans.header)
	return &a, nil
}

// fixed are the attributes AWS takes one operation on a request (§1).
func fixed(op patchOp) bool { return op.Path == "userName" || op.Path == "active" }

// changeAll makes ops in as many requests as needed so that none holds
// two operations on userName or active: active in a request of its own,
// first when it reactivates, last when it deactivates. r's version follows
// each answer. It returns the last User answered, or nil.
func (c *Client) changeAll(ctx context.Context, r *target.Ref, ops []patchOp) (*target.Account, error) {
	batches := [][]patchOp{ops}
	if n := len(slices.DeleteFunc(slices.Clone(ops), func(op patchOp) bool { return !fixed(op) })); n > 1 {
		i := slices.IndexFunc(ops, func(op patchOp) bool { return op.Path == "active" })
		rest := slices.Delete(slices.Clone(ops), i, i+1)
		batches = [][]patchOp{rest, {ops[i]}}
		if ops[i].Value == true {
			batches = [][]patchOp{{ops[i]}, rest}
		}
	}
	var got *target.Account
	for _, b := range batches {
		var err error
		if got, err = c.change(ctx, *r, b, true); err != nil {
			return nil, err
		}
		if got != nil && got.Version != "" {
			r.Version = got.Version
		}
	}
	return got, nil
}

// SetActive deactivates (false) or reactivates (true) an account: a
// replace of active, checked like every write. (Where reactivation clears
// the manager, the caller that wants it kept sets it with Update.)
func (c *Client) SetActive(ctx context.Context, r target.Ref, active bool) (*target.Account, error) {
	got, err := c.change(ctx, r, []patchOp{{Op: "replace", Path: "active", Value: active}}, true)
	if err != nil {
		return nil, err
	}
	return c.verify(ctx, r, got, &target.Account{Active: active}, []roster.Field{roster.Active})
}

// Remove deletes an account as the service's DELETE does
// (Capabilities.Delete), with If-Match where the service has versions; a
// service that deletes nobody (Salesforce §7) is not asked. Erasure is
// Workplace's.
func (c *Client) Remove(ctx context.Context, r target.Ref, how target.Removal) error {
	path := userPath(r.ID)
	if how != target.RemoveDelete {
		return invalid(http.MethodDelete, path, "erasure is Workplace's; a SCIM service has none")
	}
	caps, w, err := c.state(ctx)
	if err != nil {
		return err
	}
	if caps.Delete == target.DeleteNone {
		return invalid(http.MethodDelete, path, "%s never deletes users (SCIM-DIALECTS.md %s): deactivate them instead (active false)",
			caps.Service, c.dialect.section)
	}
	_, err = c.do(ctx, request{method: http.MethodDelete, path: path, ifMatch: versionFor(w, r)}, nil)
	return err
}

// AddPhone adds a phone number: a PATCH add of phoneNumbers, not safe to
// repeat (the caller finds the account after an unknown outcome). Where
// the service holds one number (AWS §1), the number replaces the one the
// account has, as primary: a replace, safe to repeat.
func (c *Client) AddPhone(ctx context.Context, r target.Ref, p target.Phone) error {
	caps, w, err := c.state(ctx)
	if err != nil {
		return err
	}
	op, idem := patchOp{Op: "add", Path: "phoneNumbers", Value: phoneList([]target.Phone{p})}, false
	if w.maxPhones == 1 {
		p.Primary = true
		op, idem = patchOp{Op: "replace", Path: "phoneNumbers", Value: phoneList([]target.Phone{p})}, true
	}
	got, err := c.change(ctx, r, []patchOp{op}, idem)
	if err != nil || !caps.CanRead(roster.Phone) || got == bulkAnswered {
		return err
	}
	if got == nil {
		if got, err = c.read(ctx, r.ID); err != nil {
			return err
		}
	}
	for _, q := range got.Phones {
		if digits(q.Number) == digits(p.Number) {
			return nil
		}
	}
	return &target.NotApplied{Field: string(roster.Phone), Sent: p.Number, Kept: got.PrimaryPhone(), Target: Name}
}

// SetPicture sets the photo by URL (photos, type photo); SCIM takes no
// picture files, and some services no photos (AWS §1).
func (c *Client) SetPicture(ctx context.Context, r target.Ref, p target.Picture) error {
	path := userPath(r.ID)
	if p.URL == "" {
		return invalid(http.MethodPatch, path, "a SCIM service takes a picture by URL only, not a file")
	}
	caps, _, err := c.state(ctx)
	if err != nil {
		return err
	}
	if !caps.PictureURL {
		return invalid(http.MethodPatch, path, "%s takes no photos", caps.Service)
	}
	op := patchOp{Op: "replace", Path: "photos", Value: []any{map[string]any{"value": p.URL, "type": "photo", "primary": true}}}
	_, err = c.change(ctx, r, []patchOp{op}, true)
	return err
}

// versionFor is the If-Match to send for r: its version, where the
// service has versions.
func versionFor(w *wire, r target.Ref) string {
	if !w.etag {
		return ""
	}
	return r.Version
}

// change makes ops on the User r names: a PATCH where the service has it
// (through Bulk when on), else GET, the change, and PUT, whose body holds
// absolute values and so is safe to repeat. idempotent says the PATCH is.
func (c *Client) change(ctx context.Context, r target.Ref, ops []patchOp, idempotent bool) (*target.Account, error) {
	_, w, err := c.state(ctx)
	if err != nil {
		return nil, err
	}
	path := userPath(r.ID)
	ifMatch := versionFor(w, r)
	var u map[string]any
	if w.patch || c.dialect.patchActiveOnly && !slices.ContainsFunc(ops, func(op patchOp) bool { return op.Path != "active" }) {
		body := map[string]any{"schemas": []string{PatchOp}, "Operations": ops}
		ans, err := c.write(ctx, request{method: http.MethodPatch, path: path, body: body, ifMatch: ifMatch, idempotent: idempotent}, &u)
		if err == nil && ans.bulk && !isUser(u) {
			return bulkAnswered, nil
		}
		return c.answered(u, ans, err)
	}
	ans, err := c.do(ctx, request{method: http.MethodGet, path: path, idempotent: true}, &u)
	if err != nil {
		return nil, err
	}
	if w.etag && ifMatch == "" {
		ifMatch = accountOf(u, ans.header).Version
	}
	applyOps(u, ops)
	delete(u, "meta")
	var out map[string]any
	ans, err = c.do(ctx, request{method: http.MethodPut, path: path, body: u, ifMatch: ifMatch, idempotent: true}, &out)
	return c.answered(out, ans, err)
}

// bulkAnswered is what change returns for a write a Bulk answer settled
// without the User: not read back to be checked (that would undo what
// Bulk saves); the next plan compares it.
var bulkAnswered = &target.Account{}

// answered is the User a write's answer holds, or nil.
func (c *Client) answered(u map[string]any, ans answer, err error) (*target.Account, error) {
	if err != nil || !isUser(u) {
		return nil, err
	}
	a := c.account(u, ans.header)
	return &a, nil
}
