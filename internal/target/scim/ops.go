package scim

import (
	"slices"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// patchOp is one PATCH operation (RFC 7644 §3.5.2): lower-case op, a
// plain path (full for an extension's attribute), JSON values.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// fieldOrder is the order operations are sent in: the same request every
// time for the same change.
var fieldOrder = []roster.Field{roster.Name, roster.FirstName, roster.LastName, roster.Email, roster.NewEmail,
	roster.UserName, roster.ExternalID, roster.Title, roster.WorkLocale, roster.Department, roster.Division,
	roster.Organization, roster.CostCenter, roster.Manager, roster.AuthMethod, roster.Invited, roster.StartDate,
	roster.Phone, roster.WorkPhone, roster.MobilePhone, roster.PhoneType, roster.Active}

// enterpriseAttr are the enterprise extension's attributes, by field.
var enterpriseAttr = map[roster.Field]string{roster.Department: "department", roster.Division: "division",
	roster.Organization: "organization", roster.CostCenter: "costCenter", roster.Manager: "manager"}

// managerForm is how a PATCH writes the manager. Services differ: RFC
// 7643 §4.3 has an object with value; some take only the sub-attribute's
// path; Slack (§2) and Meta (§12) write managerId.
type managerForm int

const (
	mgrObject    managerForm = iota // …:manager = {"value": id}
	mgrValuePath                    // …:manager.value = id
	mgrManagerID                    // …:manager = {"managerId": id}
)

func (f managerForm) String() string {
	return [...]string{"manager {\"value\": id}", "manager.value", "manager {\"managerId\": id}"}[f]
}

// op is the path and value that set the manager id in this form.
func (f managerForm) op(id string) (string, any) {
	switch f {
	case mgrValuePath:
		return Enterprise + ":manager.value", id
	case mgrManagerID:
		return Enterprise + ":manager", map[string]any{"managerId": id}
	}
	return Enterprise + ":manager", map[string]any{"value": id}
}

// opts say how opsFor writes.
type opts struct {
	w            *wire
	carries      map[roster.Field]bool
	method, path string // for messages
	form         managerForm
	// follow: the userName follows the email (it is the email), so an
	// email change changes it too.
	follow bool
}

// opsFor turns the fields of set, at their values in to, into PATCH
// operations: one per attribute with a plain path (never two on one
// path), replace with the value, remove (with its path) for a field
// cleared. A field the service cannot carry is an error, never dropped.
func opsFor(o opts, to *target.Account, set []roster.Field) ([]patchOp, error) {
	want := map[roster.Field]bool{}
	for _, f := range set {
		want[f] = true
	}
	for f := range want {
		if err := carried(o, f); err != nil {
			return nil, err
		}
	}
	method, path := o.method, o.path
	var ops []patchOp
	done := map[string]bool{}
	put := func(p string, v any) {
		if done[p] {
			return
		}
		done[p] = true
		if v == nil || v == "" {
			ops = append(ops, patchOp{Op: "remove", Path: p})
			return
		}
		ops = append(ops, patchOp{Op: "replace", Path: p, Value: v})
	}
	for _, f := range fieldOrder {
		if !want[f] {
			continue
		}
		switch f {
		case roster.Name:
			if to.Name.Formatted == "" {
				return nil, invalid(method, path, "a SCIM User's name cannot be cleared")
			}
			put("displayName", to.Name.Formatted)
			put("name.formatted", to.Name.Formatted)
		case roster.FirstName:
			put("name.givenName", to.Name.Given)
		case roster.LastName:
			put("name.familyName", to.Name.Family)
		case roster.Email, roster.NewEmail:
			if to.Email == "" {
				return nil, invalid(method, path, "an account's email cannot be cleared over SCIM")
			}
			if o.follow && to.UserName == "" { // the userName is the email
				put("userName", to.Email)
			}
			put("emails", []any{map[string]any{"value": to.Email, "type": "work", "primary": true}})
		case roster.UserName:
			if to.LoginName() == "" {
				return nil, invalid(method, path, "a SCIM User's userName cannot be cleared")
			}
			put("userName", to.LoginName())
		case roster.ExternalID:
			put("externalId", to.ExternalID)
		case roster.Title:
			put("title", to.Title)
		case roster.WorkLocale:
			put("locale", strings.Replace(to.Locale, "_", "-", 1))
		case roster.Department, roster.Division, roster.Organization, roster.CostCenter:
			put(Enterprise+":"+enterpriseAttr[f], to.Get(f))
		case roster.Manager:
			if id := to.ManagerID(); id != "" {
				put(o.form.op(id))
			} else {
				put(Enterprise+":manager", nil)
			}
		case roster.AuthMethod:
			put(AuthMethod+":authMethod", to.AuthMethod)
		case roster.Invited:
			put(Status+":invited", to.Invited != nil && *to.Invited)
		case roster.StartDate:
			var v any
			if to.StartDate != "" {
				t, err := time.Parse(time.DateOnly, to.StartDate)
				if err != nil {
					return nil, invalid(method, path, "start_date %q is not a date like 2024-03-01", to.StartDate)
				}
				v = t.Unix()
			}
			put(Dates+":startDate", v)
		case roster.Phone, roster.WorkPhone, roster.MobilePhone, roster.PhoneType:
			var v any
			if ps := to.Phones; len(ps) > 0 {
				if o.w.maxPhones > 0 && len(ps) > o.w.maxPhones {
					ps = primaryFirst(ps)[:o.w.maxPhones]
				}
				v = phoneList(ps)
			}
			put("phoneNumbers", v)
		case roster.Active:
			put("active", to.Active)
		}
	}
	return ops, nil
}

// primaryFirst is ps with the primary number first.
func primaryFirst(ps []target.Phone) []target.Phone {
	out := slices.Clone(ps)
	slices.SortStableFunc(out, func(a, b target.Phone) int {
		switch {
		case a.Primary == b.Primary:
			return 0
		case a.Primary:
			return -1
		}
		return 1
	})
	return out
}

// extensionOf is the extension a field is written in, "" for the core.
func extensionOf(f roster.Field) string {
	switch f {
	case roster.Department, roster.Division, roster.Organization, roster.CostCenter, roster.Manager:
		return Enterprise
	case roster.AuthMethod:
		return AuthMethod
	case roster.Invited:
		return Status
	case roster.StartDate:
		return Dates
	}
	return ""
}

// carried returns an error for a field the service cannot carry in a
// create or an update.
func carried(o opts, f roster.Field) error {
	method, path := o.method, o.path
	switch f {
	case roster.PictureURL:
		return invalid(method, path, "picture_url is set by its own request (SetPicture), not with the account's fields")
	case roster.Groups:
		return invalid(method, path, "groups are changed through the service's /Groups, not with the account's fields")
	case roster.Location, roster.IsFrontline, roster.HasAccess, roster.PictureFile, roster.ID:
		return invalid(method, path, "the SCIM service cannot carry %s", f)
	}
	if ext := extensionOf(f); ext != "" && !o.w.knows(ext) {
		return invalid(method, path, "the SCIM service cannot carry %s: it does not know the extension %s", f, ext)
	}
	if !slices.Contains(fieldOrder, f) || !o.carries[f] {
		return invalid(method, path, "the SCIM service cannot carry %s", f)
	}
	return nil
}

func phoneList(ps []target.Phone) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = map[string]any{"value": p.Number, "type": cmpType(p.Type), "primary": p.Primary}
	}
	return out
}

func cmpType(t string) string {
	if t == "" {
		return "work"
	}
	return t
}

// createFields are the fields of a that a create sends: those with a
// value, and active always.
func createFields(a *target.Account) []roster.Field {
	set := []roster.Field{roster.Active}
	for _, f := range []roster.Field{roster.Name, roster.FirstName, roster.LastName, roster.Email, roster.UserName,
		roster.ExternalID, roster.Title, roster.WorkLocale, roster.Department, roster.Division, roster.Organization,
		roster.CostCenter, roster.Manager, roster.AuthMethod, roster.StartDate, roster.Location} {
		if a.Get(f) != "" {
			set = append(set, f)
		}
	}
	if a.Invited != nil && *a.Invited {
		set = append(set, roster.Invited)
	}
	if fl := a.Frontline; fl != nil && (fl.IsFrontline || fl.HasAccess) {
		set = append(set, roster.IsFrontline)
	}
	return set
}

// userBody is the POST body of a new User: userName (the user name, else
// the email, else the external id, as an email-less account has),
// displayName and name.formatted, name.givenName and familyName, the work
// email, the extensions the values need, and schemas listing them. Phones
// are added after, by AddPhone, as on every target.
func userBody(a *target.Account, o opts) (map[string]any, error) {
	o.method, o.path, o.follow = "POST", "/Users", true
	ops, err := opsFor(o, a, createFields(a))
	if err != nil {
		return nil, err
	}
	u := map[string]any{}
	for _, op := range ops {
		if op.Op == "replace" {
			setPath(u, op.Path, op.Value)
		}
	}
	if _, ok := u["userName"]; !ok {
		if a.ExternalID == "" {
			return nil, invalid("POST", "/Users", "a SCIM User needs a userName: give the person an email, a user name or an external id")
		}
		u["userName"] = a.ExternalID
	}
	listSchemas(u)
	return u, nil
}

// listSchemas makes u's schemas list the core User's and each extension
// u uses (a service refuses an extension it is not told of), keeping any
// other it lists.
func listSchemas(u map[string]any) {
	schemas, _ := get(u, "schemas").([]any)
	has := func(urn string) bool {
		for _, s := range schemas {
			if t, ok := s.(string); ok && strings.EqualFold(t, urn) {
				return true
			}
		}
		return false
	}
	if !has(CoreUser) {
		schemas = append([]any{CoreUser}, schemas...)
	}
	for _, ext := range extensions {
		if _, ok := u[ext]; ok && !has(ext) {
			schemas = append(schemas, ext)
		}
	}
	delete(u, "Schemas")
	u["schemas"] = schemas
}

// splitPath splits [urn:]attr[.sub] into the map it lives in (the User's
// or an extension's, made if create is set) and the rest of the path.
func splitPath(u map[string]any, path string, create bool) (map[string]any, string) {
	for _, ext := range extensions {
		if rest, ok := strings.CutPrefix(path, ext+":"); ok {
			e, _ := u[ext].(map[string]any)
			if e == nil && create {
				e = map[string]any{}
				u[ext] = e
			}
			return e, rest
		}
	}
	return u, path
}

// setPath sets [urn:]attr[.sub] in a User's JSON form.
func setPath(u map[string]any, path string, v any) {
	m, path := splitPath(u, path, true)
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

// applyOps makes ops on a User's JSON form, as the service would: for a
// GET, change, PUT where the service has no PATCH. A removal is written
// as null, which RFC 7643 §2.5 makes the same as no value, so that a
// service whose PUT changes only what it names (Zoom §5) clears it too.
// An add of a value the list already holds (a phone number by its digits)
// adds nothing.
func applyOps(u map[string]any, ops []patchOp) {
	for _, op := range ops {
		switch op.Op {
		case "replace":
			setPath(u, op.Path, op.Value)
		case "remove":
			setPath(u, op.Path, nil)
		case "add":
			list, _ := u[op.Path].([]any)
			for _, x := range op.Value.([]any) {
				if !holds(list, x) {
					list = append(list, x)
				}
			}
			u[op.Path] = list
		}
	}
	listSchemas(u)
}

func holds(list []any, x any) bool {
	xm, _ := x.(map[string]any)
	for _, y := range list {
		if ym, ok := y.(map[string]any); ok && digits(str(ym, "value")) == digits(str(xm, "value")) && digits(str(xm, "value")) != "" {
			return true
		}
	}
	return false
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
