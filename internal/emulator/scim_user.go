package emulator

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
)

// The schemas of a User, core and extensions (API-NOTES.md, SCIM).
const (
	coreUserURN  = "urn:ietf:params:scim:schemas:core:2.0:User"
	coreGroupURN = "urn:ietf:params:scim:schemas:core:2.0:Group"
	entUserURN   = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	fbAuthURN    = "urn:ietf:params:scim:schemas:extension:facebook:authmethod:2.0:User"
	fbStatusURN  = "urn:ietf:params:scim:schemas:extension:facebook:accountstatusdetails:2.0:User"
	fbDatesURN   = "urn:ietf:params:scim:schemas:extension:facebook:starttermdates:2.0:User"
)

// userExtensions are the extension schemas a User may carry.
var userExtensions = []string{entUserURN, fbAuthURN, fbStatusURN, fbDatesURN}

// coreUserAttrs are the core User attributes (RFC 7643 §4.1). Those the
// tenant has no place for are accepted and not kept, as a service does
// with attributes it does not support.
var coreUserAttrs = map[string]bool{"schemas": true, "id": true, "externalid": true, "meta": true, "username": true,
	"name": true, "displayname": true, "nickname": true, "profileurl": true, "title": true, "usertype": true,
	"preferredlanguage": true, "locale": true, "timezone": true, "active": true, "password": true, "emails": true,
	"phonenumbers": true, "ims": true, "photos": true, "addresses": true, "groups": true, "entitlements": true,
	"roles": true, "x509certificates": true}

// readOnly are the attributes a client cannot set: PATCH on them is a
// mutability error, PUT and POST ignore them (RFC 7644 §3.5.1).
func readOnly(urn, name string) bool {
	n := strings.ToLower(name)
	switch urn {
	case "":
		return n == "id" || n == "meta" || n == "groups"
	case fbStatusURN:
		return n != "invited"
	}
	return false
}

// userJSON is an account as a SCIM User. managerName resolves a manager's
// display name; base is the service's URL prefix for meta.location.
func userJSON(a *Account, managerName string, base string) map[string]any {
	u := map[string]any{
		"schemas":     []any{coreUserURN},
		"id":          a.ID,
		"userName":    UserNameOf(a),
		"displayName": a.Name,
		"active":      a.Active,
	}
	name := map[string]any{"formatted": a.Name}
	setIf(name, "givenName", a.GivenName)
	setIf(name, "familyName", a.FamilyName)
	u["name"] = name
	setIf(u, "externalId", a.ExternalID)
	setIf(u, "title", a.Title)
	setIf(u, "locale", a.WorkLocale)
	if a.Email != "" {
		u["emails"] = []any{map[string]any{"value": a.Email, "type": "work", "primary": true}}
	}
	if len(a.Phones) > 0 {
		var ph []any
		for _, p := range a.Phones {
			ph = append(ph, map[string]any{"value": p.Number, "type": p.Type, "primary": p.Primary})
		}
		u["phoneNumbers"] = ph
	}
	if a.Location != "" {
		u["addresses"] = []any{map[string]any{"type": "work", "formatted": a.Location, "primary": true}}
	}
	ent := map[string]any{}
	setIf(ent, "employeeNumber", a.EmployeeNumber)
	setIf(ent, "costCenter", a.CostCenter)
	setIf(ent, "organization", a.Organization)
	setIf(ent, "division", a.Division)
	setIf(ent, "department", a.Department)
	if a.Manager != "" {
		m := map[string]any{"value": a.Manager, "$ref": base + "/Users/" + a.Manager}
		setIf(m, "displayName", managerName)
		ent["manager"] = m
	}
	addExt(u, entUserURN, ent)
	if a.AuthMethod != "" {
		addExt(u, fbAuthURN, map[string]any{"authMethod": a.AuthMethod})
	}
	st := map[string]any{"invited": a.Invited, "claimed": a.Claimed}
	if !a.InvitedAt.IsZero() {
		st["inviteDate"] = a.InvitedAt.Unix()
	}
	if !a.ClaimedAt.IsZero() {
		st["claimDate"] = a.ClaimedAt.Unix()
	}
	addExt(u, fbStatusURN, st)
	dates := map[string]any{}
	for k, v := range map[string]string{"startDate": a.StartDate, "termDate": a.TermDate} {
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			dates[k] = t.Unix()
		}
	}
	addExt(u, fbDatesURN, dates)
	u["meta"] = map[string]any{
		"resourceType": "User",
		"created":      a.CreatedAt.UTC().Format(time.RFC3339),
		"lastModified": a.UpdatedAt.UTC().Format(time.RFC3339Nano),
		"location":     base + "/Users/" + a.ID,
		"version":      versionOf(u),
	}
	return u
}

func addExt(u map[string]any, urn string, ext map[string]any) {
	if len(ext) == 0 {
		return
	}
	u[urn] = ext
	u["schemas"] = append(u["schemas"].([]any), urn)
}

// versionOf is a weak ETag of a resource's content (meta left out).
func versionOf(res map[string]any) string {
	c := make(map[string]any, len(res))
	for k, v := range res {
		if k != "meta" {
			c[k] = v
		}
	}
	data, _ := json.Marshal(c)
	sum := sha256.Sum256(data)
	return `W/"` + hex.EncodeToString(sum[:8]) + `"`
}

// userInput is what a client may set on a User, read from its JSON form.
type userInput struct {
	res   map[string]any
	meta  bool // Meta's profile: accept manager.managerId as Meta's scripts send it
	store *store
	self  *Account
}

// applyUser sets on c (a copy of the account, or a new one) everything
// res says, replacing: an attribute res leaves out is cleared, except
// active, which stays. Caller holds the store's mu.
func (in userInput) applyUser(c *Account) *serr {
	res := in.res
	schemas, ok := res["schemas"].([]any)
	if !ok || !containsFold(schemas, coreUserURN) {
		return badRequest("invalidSyntax", "A User must list the schema %s in schemas", coreUserURN)
	}
	for k := range res {
		if strings.HasPrefix(strings.ToLower(k), "urn:") {
			if !isUserExtension(k) {
				return badRequest("invalidSyntax", "Unknown schema %s: this service knows %s", k, strings.Join(userExtensions, ", "))
			}
			if !containsFold(schemas, k) {
				return badRequest("invalidSyntax", "The extension %s is used but not listed in schemas", k)
			}
			continue
		}
		if !coreUserAttrs[strings.ToLower(k)] {
			return badRequest("invalidValue", "Unknown attribute %q of a User", k)
		}
	}
	userName, err := str(res, "", "userName")
	if err != nil {
		return err
	}
	if strings.TrimSpace(userName) == "" {
		return badRequest("invalidValue", "userName is required")
	}
	emails, err := multi(res, "emails")
	if err != nil {
		return err
	}
	c.Email = ""
	if e := pick(emails, "work"); e != nil {
		if v, ok := e["value"].(string); ok {
			c.Email = strings.TrimSpace(v)
		}
	} else if strings.Contains(userName, "@") {
		c.Email = strings.TrimSpace(userName)
	}
	c.UserName = ""
	if !strings.EqualFold(userName, c.Email) {
		c.UserName = strings.TrimSpace(userName)
	}
	if c.ExternalID, err = str(res, "", "externalId"); err != nil {
		return err
	}
	name, _ := getFold(res, "name").(map[string]any)
	display, err := str(res, "", "displayName")
	if err != nil {
		return err
	}
	c.GivenName, _ = getFold(name, "givenName").(string)
	c.FamilyName, _ = getFold(name, "familyName").(string)
	formatted, _ := getFold(name, "formatted").(string)
	c.Name = strings.TrimSpace(cmp.Or(display, formatted, strings.TrimSpace(c.GivenName+" "+c.FamilyName)))
	if c.Name == "" {
		return badRequest("invalidValue", "A User needs a name: displayName, name.formatted or name.givenName and name.familyName")
	}
	if c.Title, err = str(res, "", "title"); err != nil {
		return err
	}
	locale, err := str(res, "", "locale")
	if err != nil {
		return err
	}
	locale = strings.Replace(locale, "-", "_", 1)
	if locale != "" && !validLocale(locale) {
		return badRequest("invalidValue", "Invalid locale %q: use a language and a country, e.g. en-US", locale)
	}
	c.WorkLocale = locale
	if in.meta && locale == "" {
		c.WorkLocale = "en_US" // Meta's accounts, as Workplace's, default to en_US
	}
	if v := getFold(res, "active"); v != nil {
		b, ok := v.(bool)
		if !ok {
			return badRequest("invalidValue", "active must be a JSON boolean, not %s", jsonText(v))
		}
		c.Active = b
	}
	phones, err := multi(res, "phoneNumbers")
	if err != nil {
		return err
	}
	c.Phones = nil
	for _, p := range phones {
		num, _ := p["value"].(string)
		typ, _ := p["type"].(string)
		prim, _ := p["primary"].(bool)
		if !strings.HasPrefix(num, "+") || len(strings.Map(digitsOnly, num)) < 8 {
			return badRequest("invalidValue", "Invalid phone number %q: use the international format, e.g. +44-7236-123459", num)
		}
		c.Phones = append(c.Phones, Phone{Number: num, Type: cmp.Or(typ, "work"), Primary: prim})
	}
	addrs, err := multi(res, "addresses")
	if err != nil {
		return err
	}
	c.Location = ""
	if a := pick(addrs, "work"); a != nil {
		c.Location, _ = getFold(a, "formatted").(string)
	}
	return in.applyExtensions(c)
}

func (in userInput) applyExtensions(c *Account) *serr {
	res := in.res
	var err *serr
	for _, f := range []struct {
		name string
		to   *string
	}{{"employeeNumber", &c.EmployeeNumber}, {"costCenter", &c.CostCenter}, {"organization", &c.Organization},
		{"division", &c.Division}, {"department", &c.Department}} {
		if *f.to, err = str(res, entUserURN, f.name); err != nil {
			return err
		}
	}
	c.Manager = ""
	switch m := lookup(res, entUserURN, "manager").(type) {
	case nil:
	case map[string]any:
		for k := range m {
			switch strings.ToLower(k) {
			case "value", "$ref", "displayname":
			case "managerid":
				if !in.meta {
					return badRequest("invalidValue", "manager has no sub-attribute %q: give the manager's id as manager.value", k)
				}
			default:
				return badRequest("invalidValue", "manager has no sub-attribute %q", k)
			}
		}
		id, _ := getFold(m, "value").(string)
		if id == "" && in.meta {
			id, _ = getFold(m, "managerId").(string)
		}
		if id != "" {
			mgr := in.store.byID[id]
			if mgr == nil {
				return badRequest("invalidValue", "The manager %s does not exist", id)
			}
			if mgr == in.self {
				return badRequest("invalidValue", "A User cannot be their own manager")
			}
			c.Manager = id
		}
	default:
		return badRequest("invalidValue", "manager must be an object like {\"value\":\"<id>\"}, not %s", jsonText(m))
	}
	auth, err := str(res, fbAuthURN, "authMethod")
	if err != nil {
		return err
	}
	if auth != "" && !validAuth[auth] {
		return badRequest("invalidValue", "Invalid authMethod %q: use password or sso", auth)
	}
	c.AuthMethod = auth
	if v := lookup(res, fbStatusURN, "invited"); v != nil {
		b, ok := v.(bool)
		if !ok {
			return badRequest("invalidValue", "invited must be a JSON boolean")
		}
		if b && !c.Invited {
			c.Invited, c.InvitedAt = true, in.store.now()
		}
	}
	for _, f := range []struct {
		name string
		to   *string
	}{{"startDate", &c.StartDate}, {"termDate", &c.TermDate}} {
		*f.to = ""
		switch v := lookup(res, fbDatesURN, f.name).(type) {
		case nil:
		case float64:
			*f.to = time.Unix(int64(v), 0).UTC().Format(time.DateOnly)
		case int64: // kept from the stored account by a PATCH that did not touch it
			*f.to = time.Unix(v, 0).UTC().Format(time.DateOnly)
		default:
			return badRequest("invalidValue", "%s must be a number of seconds since 1970 (unix time)", f.name)
		}
	}
	return nil
}

// str reads a single-valued string attribute; anything else is invalidValue.
func str(res map[string]any, urn, name string) (string, *serr) {
	switch v := lookup(res, urn, name).(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(v), nil
	default:
		return "", badRequest("invalidValue", "%s must be a string, not %s", name, jsonText(v))
	}
}

// multi reads a multi-valued complex attribute.
func multi(res map[string]any, name string) ([]map[string]any, *serr) {
	v := getFold(res, name)
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, badRequest("invalidValue", "%s must be an array", name)
	}
	var out []map[string]any
	for _, el := range list {
		m, ok := el.(map[string]any)
		if !ok {
			return nil, badRequest("invalidValue", "each of %s must be an object", name)
		}
		out = append(out, m)
	}
	return out, nil
}

// pick is the value of the type wanted, else the primary one, else the first.
func pick(list []map[string]any, typ string) map[string]any {
	for _, m := range list {
		if t, _ := getFold(m, "type").(string); strings.EqualFold(t, typ) {
			return m
		}
	}
	for _, m := range list {
		if p, _ := getFold(m, "primary").(bool); p {
			return m
		}
	}
	if len(list) > 0 {
		return list[0]
	}
	return nil
}

func isUserExtension(k string) bool {
	for _, u := range userExtensions {
		if strings.EqualFold(u, k) {
			return true
		}
	}
	return false
}

func containsFold(list []any, s string) bool {
	for _, v := range list {
		if t, ok := v.(string); ok && strings.EqualFold(t, s) {
			return true
		}
	}
	return false
}

func jsonText(v any) string {
	data, _ := json.Marshal(v)
	if len(data) > 60 {
		data = append(data[:57], "..."...)
	}
	return string(data)
}
