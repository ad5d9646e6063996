package emulator

import (
	"cmp"
	"encoding/json"
	"strings"
	"time"
)

// Reading a User's JSON form into an account, under the profile's rules.

// userInput is what a client may set on a User, read from its JSON form,
// under the profile's rules.
type userInput struct {
	res   map[string]any
	prof  *profile
	store *store
	self  *Account // nil on create
	// domains overrides the profile's verified domains (Config).
	domains []string
	// emailRequired: a User without an email is refused (Meta §12).
	emailRequired bool
}

// keeps reports whether the profile keeps an optional core attribute.
func (in userInput) keeps(name string) bool {
	return in.prof.coreKept == nil || has(in.prof.coreKept, name)
}

// knows reports whether the profile takes an extension schema.
func (in userInput) knows(urn string) bool {
	return has(in.prof.extensions, urn) || has(in.prof.ignoredExts, urn)
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
			if !in.knows(k) {
				known := append(append([]string{}, in.prof.extensions...), in.prof.ignoredExts...)
				if len(known) == 0 {
					return badRequest("invalidSyntax", "Unknown schema %s: this service takes no extension schemas; leave it out", k)
				}
				return badRequest("invalidSyntax", "Unknown schema %s: this service knows %s", k, strings.Join(known, ", "))
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
	if userName, err = in.userName(strings.TrimSpace(userName)); err != nil {
		return err
	}
	c.UserName = ""
	if !strings.EqualFold(userName, c.Email) {
		c.UserName = userName
	}
	if err := in.email(c.Email); err != nil {
		return err
	}
	if !in.prof.ownExternalID { // Zoom §5: externalId is Zoom's own id
		if c.ExternalID, err = str(res, "", "externalId"); err != nil {
			return err
		}
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
	if c.Name == "" && in.prof.user.nameOptional { // Meta §12: only userName is required; the account shows it
		c.Name = userName
	}
	if c.Name == "" {
		return badRequest("invalidValue", "A User needs a name: displayName, name.formatted or name.givenName and name.familyName")
	}
	if in.prof.user.noAtInDisplay && strings.Contains(c.Name, "@") { // Slack §2
		return badRequest("invalidValue", "displayName %q contains @: this service refuses it; give the person's name", c.Name)
	}
	if err := in.applyCore(c); err != nil {
		return err
	}
	if v := getFold(res, "active"); v != nil {
		b, ok := v.(bool)
		if !ok {
			return badRequest("invalidValue", "active must be a JSON boolean, not %s", jsonText(v))
		}
		c.Active = b
	}
	return in.applyExtensions(c)
}

// applyCore sets the optional core attributes the profile keeps.
func (in userInput) applyCore(c *Account) *serr {
	res := in.res
	var err *serr
	if in.keeps("title") {
		if c.Title, err = str(res, "", "title"); err != nil {
			return err
		}
	}
	if in.keeps("locale") {
		locale, err := str(res, "", "locale")
		if err != nil {
			return err
		}
		locale = strings.Replace(locale, "-", "_", 1)
		if locale != "" && !validLocale(locale) {
			return badRequest("invalidValue", "Invalid locale %q: use a language and a country, e.g. en-US", locale)
		}
		c.WorkLocale = cmp.Or(locale, in.prof.localeDefault)
	}
	if in.keeps("addresses") {
		addrs, err := multi(res, "addresses")
		if err != nil {
			return err
		}
		c.Location = ""
		if a := pick(addrs, "work"); a != nil {
			c.Location, _ = getFold(a, "formatted").(string)
		}
	}
	if !in.keeps("phoneNumbers") {
		return nil
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
	return nil
}

// applyExtensions sets the extension attributes of the extensions the
// profile keeps; the others stay as they are.
func (in userInput) applyExtensions(c *Account) *serr {
	if has(in.prof.extensions, entUserURN) {
		if err := in.applyEnterprise(c); err != nil {
			return err
		}
	}
	res := in.res
	if has(in.prof.extensions, fbAuthURN) {
		auth, err := str(res, fbAuthURN, "authMethod")
		if err != nil {
			return err
		}
		if auth != "" && !validAuth[auth] {
			return badRequest("invalidValue", "Invalid authMethod %q: use password or sso", auth)
		}
		c.AuthMethod = auth
	}
	if v := lookup(res, fbStatusURN, "invited"); v != nil && has(in.prof.extensions, fbStatusURN) {
		b, ok := v.(bool)
		if !ok {
			return badRequest("invalidValue", "invited must be a JSON boolean")
		}
		if b && !c.Invited {
			c.Invited, c.InvitedAt = true, in.store.now()
		}
	}
	if !has(in.prof.extensions, fbDatesURN) {
		return nil
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

// applyEnterprise sets the enterprise extension (RFC 7643 §4.3), the
// manager in the profile's form.
func (in userInput) applyEnterprise(c *Account) *serr {
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
	rule := in.prof.manager
	c.Manager = ""
	switch m := lookup(res, entUserURN, "manager").(type) {
	case nil:
	case map[string]any:
		for k := range m {
			if !has(rule.subs, k) {
				return badRequest("invalidValue", "manager has no sub-attribute %q here: give the manager's id as manager.%s", k, rule.answer)
			}
		}
		id := ""
		for _, sub := range rule.ids {
			if id, _ = getFold(m, sub).(string); id != "" {
				break
			}
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
		return badRequest("invalidValue", "manager must be an object like {\"%s\":\"<id>\"}, not %s", rule.answer, jsonText(m))
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
