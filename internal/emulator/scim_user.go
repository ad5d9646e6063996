package emulator

import (
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

// userJSON is an account as an RFC service shows it, without meta.version
// (userResource adds it after the profile's changes). managerName resolves
// a manager's display name; base is the service's URL prefix for
// meta.location.
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
