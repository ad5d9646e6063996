package scim

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// The schemas wpimport reads and writes.
const (
	CoreUser   = "urn:ietf:params:scim:schemas:core:2.0:User"
	CoreGroup  = "urn:ietf:params:scim:schemas:core:2.0:Group"
	Enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	// Meta's extensions of a User (API-NOTES.md).
	AuthMethod = "urn:ietf:params:scim:schemas:extension:facebook:authmethod:2.0:User"
	Status     = "urn:ietf:params:scim:schemas:extension:facebook:accountstatusdetails:2.0:User"
	Dates      = "urn:ietf:params:scim:schemas:extension:facebook:starttermdates:2.0:User"
	PatchOp    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	BulkReq    = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	// SearchRequest is the body of POST /Users/.search.
	SearchRequest = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
)

// extensions are the User extensions wpimport writes, in the order a
// body lists them.
var extensions = []string{Enterprise, AuthMethod, Status, Dates}

// accountOf reads a SCIM User into a neutral account. It is lenient about
// shapes services differ on (a bare-string manager, Meta's
// manager.managerId, "true" as a string, a start date as a string), since
// reading them loses nothing. hdr, if given, is the answer's: its ETag is
// the version when meta.version is missing.
func accountOf(u map[string]any, hdr http.Header) target.Account {
	a := target.Account{ID: str(u, "id"), ExternalID: str(u, "externalId"), Title: str(u, "title"), Active: true}
	name, _ := get(u, "name").(map[string]any)
	a.Name.Given, a.Name.Family = str(name, "givenName"), str(name, "familyName")
	a.Name.Formatted = cmp.Or(str(u, "displayName"), str(name, "formatted"), strings.TrimSpace(a.Name.Given+" "+a.Name.Family))
	userName := str(u, "userName")
	if e := pick(get(u, "emails"), "work"); e != nil {
		a.Email = str(e, "value")
	}
	if a.Email == "" && strings.Contains(userName, "@") {
		a.Email = userName
	}
	if !strings.EqualFold(userName, a.Email) {
		a.UserName = userName
	}
	a.Locale = strings.Replace(str(u, "locale"), "-", "_", 1)
	if b, ok := boolOf(get(u, "active")); ok {
		a.Active = b
	}
	ent, _ := get(u, Enterprise).(map[string]any)
	a.Department, a.Division, a.Organization, a.CostCenter = str(ent, "department"), str(ent, "division"), str(ent, "organization"), str(ent, "costCenter")
	switch m := get(ent, "manager").(type) {
	case map[string]any:
		if id := cmp.Or(str(m, "value"), str(m, "managerId")); id != "" {
			a.Manager = &target.Ref{ID: id}
		}
	case string:
		if m != "" {
			a.Manager = &target.Ref{ID: m}
		}
	}
	if meta, ok := get(u, "meta").(map[string]any); ok {
		a.Version = str(meta, "version")
	}
	if a.Version == "" && hdr != nil {
		a.Version = hdr.Get("ETag")
	}
	if am, ok := get(u, AuthMethod).(map[string]any); ok {
		a.AuthMethod = strings.ToLower(str(am, "authMethod"))
	}
	if st, ok := get(u, Status).(map[string]any); ok {
		if b, ok := boolOf(get(st, "invited")); ok {
			a.Invited = &b
		}
		if b, ok := boolOf(get(st, "claimed")); ok {
			a.Claim = target.Unclaimed
			if b {
				a.Claim = target.Claimed
			}
		}
	}
	if d, ok := get(u, Dates).(map[string]any); ok {
		if n, err := strconv.ParseInt(str(d, "startDate"), 10, 64); err == nil {
			a.StartDate = time.Unix(n, 0).UTC().Format(time.DateOnly)
		}
	}
	if list, ok := get(u, "phoneNumbers").([]any); ok {
		for _, x := range list {
			if m, ok := x.(map[string]any); ok && str(m, "value") != "" {
				p, _ := boolOf(get(m, "primary"))
				a.Phones = append(a.Phones, target.Phone{Number: str(m, "value"), Type: str(m, "type"), Primary: p})
			}
		}
	}
	return a
}

// get reads an attribute, ignoring case (RFC 7643 §2.1).
func get(m map[string]any, name string) any {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// str reads a string attribute; a number is read as its text.
func str(m map[string]any, name string) string {
	switch v := get(m, name).(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// boolOf reads a boolean given as one, or as "true"/"false" text.
func boolOf(v any) (bool, bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(t)))
		return b, err == nil
	}
	return false, false
}

// pick is the value of the type wanted, else the primary one, else the
// first.
func pick(v any, typ string) map[string]any {
	list, _ := v.([]any)
	var primary, first map[string]any
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			continue
		}
		if strings.EqualFold(str(m, "type"), typ) {
			return m
		}
		if p, _ := boolOf(get(m, "primary")); p && primary == nil {
			primary = m
		}
		if first == nil {
			first = m
		}
	}
	if primary != nil {
		return primary
	}
	return first
}

// idFromLocation is the last segment of a resource's location.
func idFromLocation(loc string) string {
	loc = strings.TrimRight(loc, "/")
	if i := strings.LastIndexByte(loc, '/'); i >= 0 && i < len(loc)-1 {
		return loc[i+1:]
	}
	return ""
}

// account reads a User as this service writes it: an externalId that is
// the service's own id (Zoom §5) is not the roster's, and a userName the
// service made of the email (GitHub's handle, §3) is the email's, not a
// user name of its own.
func (c *Client) account(u map[string]any, hdr http.Header) target.Account {
	a := accountOf(u, hdr)
	c.discMu.Lock()
	w, caps := c.wire, c.caps
	c.discMu.Unlock()
	if w == nil {
		return a
	}
	if w.ownExternalID {
		a.ExternalID = ""
	}
	if a.UserName != "" && a.Email != "" && caps.Same != nil && caps.Same(roster.UserName, a.Email, a.UserName) {
		a.UserName = ""
	}
	return a
}
