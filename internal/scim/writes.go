package scim

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/wpimport/wpimport/internal/workplace"
)

// patchOp is one PATCH operation (RFC 7644 §3.5.2): lower-case op, JSON
// values, full extension paths.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// attrFor maps a Graph field to its SCIM attribute path; ext is the
// extension it needs ("" for core).
var attrFor = map[string]struct{ path, ext string }{
	"external_id":  {"externalId", ""},
	"title":        {"title", ""},
	"department":   {Enterprise + ":department", Enterprise},
	"division":     {Enterprise + ":division", Enterprise},
	"organization": {Enterprise + ":organization", Enterprise},
	"cost_center":  {Enterprise + ":costCenter", Enterprise},
	"auth_method":  {AuthMethod + ":authMethod", AuthMethod},
}

// opsFor turns Graph fields into PATCH operations; an empty value removes
// the attribute. A field the service cannot carry is an error, never
// dropped.
func opsFor(f workplace.Fields, caps *Caps, method, path string) ([]patchOp, error) {
	var ops []patchOp
	set := func(p string, v any) { ops = append(ops, patchOp{Op: "replace", Path: p, Value: v}) }
	for _, k := range slices.Sorted(maps.Keys(f)) { // the same request every time
		v := f[k]
		switch k {
		case "name":
			if v == "" {
				return nil, unsupported(method, path, "clearing a name")
			}
			set("displayName", v)
			set("name.formatted", v)
		case "email":
			if v == "" {
				return nil, unsupported(method, path, "clearing an email")
			}
			set("userName", v)
			set("emails", []any{map[string]any{"value": v, "type": "work", "primary": true}})
		case "work_locale":
			if v == "" {
				ops = append(ops, patchOp{Op: "remove", Path: "locale"})
			} else {
				set("locale", strings.Replace(v, "_", "-", 1))
			}
		case "active":
			set("active", v == "true")
		case "manager":
			if !caps.Knows(Enterprise) {
				return nil, unsupported(method, path, "setting a manager (the service has no enterprise extension)")
			}
			if v == "" {
				ops = append(ops, patchOp{Op: "remove", Path: Enterprise + ":manager"})
			} else {
				set(Enterprise+":manager", map[string]any{"value": v})
			}
		case "invited":
			if caps.Knows(Status) {
				set(Status+":invited", v == "true")
			} // a service without Meta's extension has no invitations to send
		case "frontline", "is_frontline":
			if strings.Contains(v, "true") {
				return nil, unsupported(method, path, "frontline status")
			} // not frontline, no access: what every SCIM account is
		default:
			a, ok := attrFor[k]
			if !ok {
				return nil, unsupported(method, path, "the field "+k)
			}
			if a.ext != "" && !caps.Knows(a.ext) {
				return nil, unsupported(method, path, "the field "+k+" (the service does not know "+a.ext+")")
			}
			if v == "" {
				ops = append(ops, patchOp{Op: "remove", Path: a.path})
			} else {
				set(a.path, v)
			}
		}
	}
	return ops, nil
}

// userBody is the POST body of a new account.
func userBody(f workplace.Fields, caps *Caps) (map[string]any, error) {
	u := map[string]any{}
	ops, err := opsFor(f, caps, "POST", "/Users")
	if err != nil {
		return nil, err
	}
	for _, op := range ops {
		if op.Op == "replace" {
			setPath(u, op.Path, op.Value)
		}
	}
	if _, ok := u["userName"]; !ok { // an email-less account: its external id
		u["userName"] = f["external_id"]
	}
	if _, ok := u["active"]; !ok {
		u["active"] = true
	}
	schemas := []any{CoreUser}
	for _, ext := range []string{Enterprise, AuthMethod, Status, Dates} {
		if _, ok := u[ext]; ok {
			schemas = append(schemas, ext)
		}
	}
	u["schemas"] = schemas
	return u, nil
}

// setPath sets [urn:]attr[.sub] in a User's JSON form.
func setPath(u map[string]any, path string, v any) {
	m := u
	for _, ext := range []string{Enterprise, AuthMethod, Status, Dates} {
		if strings.HasPrefix(path, ext+":") {
			e, _ := u[ext].(map[string]any)
			if e == nil {
				e = map[string]any{}
				u[ext] = e
			}
			m, path = e, path[len(ext)+1:]
			break
		}
	}
	attr, sub, ok := strings.Cut(path, ".")
	if !ok {
		m[attr] = v
		return
	}
	c, _ := m[attr].(map[string]any)
	if c == nil {
		c = map[string]any{}
		m[attr] = c
	}
	c[sub] = v
}

// removePath removes [urn:]attr[.sub].
func removePath(u map[string]any, path string) {
	m := u
	for _, ext := range []string{Enterprise, AuthMethod, Status, Dates} {
		if strings.HasPrefix(path, ext+":") {
			m, _ = u[ext].(map[string]any)
			path = path[len(ext)+1:]
			break
		}
	}
	if m == nil {
		return
	}
	attr, sub, ok := strings.Cut(path, ".")
	if !ok {
		delete(m, attr)
	} else if c, _ := m[attr].(map[string]any); c != nil {
		delete(c, sub)
	}
}

// CreateAccount POSTs a new User and returns its id.
func (c *Client) CreateAccount(ctx context.Context, f workplace.Fields) (string, error) {
	caps, err := c.Discover(ctx)
	if err != nil {
		return "", err
	}
	body, err := userBody(f, caps)
	if err != nil {
		return "", err
	}
	var u map[string]any
	var ans answer
	if b := c.bulker(); b != nil {
		ans, err = b.send(ctx, http.MethodPost, "/Users", body, "", &u)
	} else {
		ans, err = c.do(ctx, request{method: "POST", path: "/Users", body: body}, &u)
	}
	if err != nil {
		return "", err
	}
	c.remember(u, ans.header)
	id := str(u, "id")
	if id == "" {
		return "", &workplace.TransportError{Method: "POST", Path: "/Users", Err: errNoID}
	}
	c.mu.Lock()
	c.phones[id] = map[string]bool{}
	c.mu.Unlock()
	return id, nil
}

var errNoID = errors.New("the service answered the create without an id")

// UpdateAccount changes only the fields given: a PATCH of them, with the
// version last read as If-Match where the service has versions; where it
// has no PATCH, a GET, the change, and a PUT with If-Match.
func (c *Client) UpdateAccount(ctx context.Context, id string, f workplace.Fields) error {
	path := "/Users/" + url.PathEscape(id)
	caps, err := c.Discover(ctx)
	if err != nil {
		return err
	}
	ops, err := opsFor(f, caps, "PATCH", path)
	if err != nil || len(ops) == 0 {
		return err
	}
	return c.patch(ctx, id, ops)
}

func (c *Client) patch(ctx context.Context, id string, ops []patchOp) error {
	path := "/Users/" + url.PathEscape(id)
	caps, err := c.Discover(ctx)
	if err != nil {
		return err
	}
	var u map[string]any
	if caps.Patch {
		body := map[string]any{"schemas": []string{PatchOp}, "Operations": ops}
		var ans answer
		if b := c.bulker(); b != nil {
			ans, err = b.send(ctx, http.MethodPatch, path, body, c.version(id), &u)
		} else {
			ans, err = c.do(ctx, request{method: http.MethodPatch, path: path, body: body, ifMatch: c.version(id)}, &u)
		}
		c.settle(id, u, ans, err)
		return err
	}
	ans, err := c.do(ctx, request{method: "GET", path: path}, &u)
	if err != nil {
		return err
	}
	c.remember(u, ans.header)
	for _, op := range ops {
		switch op.Op {
		case "replace":
			setPath(u, op.Path, op.Value)
		case "remove":
			removePath(u, op.Path)
		case "add":
			list, _ := u[op.Path].([]any)
			u[op.Path] = append(list, op.Value.([]any)...)
		}
	}
	delete(u, "meta")
	var out map[string]any
	ans, err = c.do(ctx, request{method: http.MethodPut, path: path, body: u, ifMatch: c.version(id)}, &out)
	c.settle(id, out, ans, err)
	return err
}

// settle keeps the version a write answered; after a write whose outcome
// is unknown (no answer, a 5xx) the version known is perhaps our own old
// one, so it is forgotten: the retry is then sent without If-Match rather
// than refused by our own change.
func (c *Client) settle(id string, u map[string]any, ans answer, err error) {
	switch {
	case err == nil:
		c.mu.Lock()
		delete(c.pinned, id) // our own change: what we wrote is the version now
		c.mu.Unlock()
		c.remember(u, ans.header)
	case workplace.IsUnknownOutcome(err):
		c.mu.Lock()
		delete(c.versions, id)
		delete(c.pinned, id)
		c.unsure[id] = true
		c.mu.Unlock()
	}
}

// SetActive deactivates (active: false) or reactivates an account.
func (c *Client) SetActive(ctx context.Context, id string, active bool) error {
	return c.patch(ctx, id, []patchOp{{Op: "replace", Path: "active", Value: active}})
}

// AddPhone adds a phone number, once: an add is not idempotent, so after
// a write to the account whose outcome is unknown (a lost answer) the User
// is read first, and a number already there is not added again.
func (c *Client) AddPhone(ctx context.Context, id, number, typ string, primary bool) error {
	if typ == "" {
		typ = "work"
	}
	c.mu.Lock()
	known, isKnown := c.phones[id]
	if isKnown && known[digits(number)] && !c.unsure[id] {
		c.mu.Unlock()
		return nil
	}
	read := !isKnown || c.unsure[id]
	c.mu.Unlock()
	if read { // an account made before this run, or after a lost answer: look first
		a, err := c.GetMember(ctx, id, nil)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, p := range a.PhoneNumbers() {
			have[digits(p.Number)] = true
		}
		c.mu.Lock()
		c.phones[id] = have
		delete(c.unsure, id)
		c.mu.Unlock()
		if have[digits(number)] {
			return nil
		}
	}
	err := c.patch(ctx, id, []patchOp{{Op: "add", Path: "phoneNumbers", Value: []any{map[string]any{"value": number, "type": typ, "primary": primary}}}})
	if err == nil {
		c.mu.Lock()
		if c.phones[id] != nil {
			c.phones[id][digits(number)] = true
		}
		c.mu.Unlock()
	}
	return err
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// SetPictureURL sets the photo by URL (photos, type photo).
func (c *Client) SetPictureURL(ctx context.Context, id, imageURL string) error {
	return c.patch(ctx, id, []patchOp{{Op: "replace", Path: "photos", Value: []any{map[string]any{"value": imageURL, "type": "photo", "primary": true}}}})
}

// UploadPicture cannot be done over SCIM, which takes photos by URL only.
func (c *Client) UploadPicture(_ context.Context, id, _ string, _ []byte) error {
	return unsupported("PATCH", "/Users/"+id, "uploading a picture file (SCIM takes a picture URL)")
}

// DeleteAccount deletes an account (DELETE is final: 404 after).
func (c *Client) DeleteAccount(ctx context.Context, id string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/Users/" + url.PathEscape(id), ifMatch: c.version(id)}, nil)
	return err
}

// RemoveProfileInformation is Graph's erasure; SCIM has none.
func (c *Client) RemoveProfileInformation(_ context.Context, id string) error {
	return unsupported("POST", "/Users/"+id, "erasing profile information (use --delete-unclaimed, or the Graph target)")
}

// People sets are Graph's; over SCIM there are none to read, and none
// can be made.

// CreatePeopleSet is not possible over SCIM.
func (c *Client) CreatePeopleSet(context.Context, string, []workplace.Condition) (string, error) {
	return "", unsupported("POST", "/Groups", "a dynamic people set")
}

// UpdatePeopleSet is not possible over SCIM.
func (c *Client) UpdatePeopleSet(_ context.Context, id, _ string, _ []workplace.Condition) error {
	return unsupported("PATCH", "/Groups/"+id, "a dynamic people set")
}

// DeletePeopleSet is not possible over SCIM.
func (c *Client) DeletePeopleSet(_ context.Context, id string) error {
	return unsupported("DELETE", "/Groups/"+id, "a dynamic people set")
}

// FindPeopleSet finds none.
func (c *Client) FindPeopleSet(context.Context, string) (*workplace.PeopleSet, error) {
	return nil, nil
}

// ListPeopleSets lists none.
func (c *Client) ListPeopleSets(context.Context) ([]workplace.PeopleSet, error) { return nil, nil }
