package emulator_test

import (
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
)

// Salesforce, SCIM-DIALECTS.md §7.

func sfUser(userName, family string, extra map[string]any) map[string]any {
	u := user(userName, "Scim "+family, map[string]any{"name": map[string]any{"givenName": "Scim", "familyName": family},
		"emails":       []any{map[string]any{"value": userName, "type": "work", "primary": true}},
		"entitlements": []any{map[string]any{"value": "00e000000000001AAA"}}})
	for k, v := range extra {
		if v == nil {
			delete(u, k)
			continue
		}
		u[k] = v
	}
	return u
}

func TestSCIMSalesforce(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileSalesforce})
	// §7: discovery at /ServiceProviderConfigs (plural): patch yes, bulk
	// no (maxOperations 0), filter maxResults 200, changePassword yes.
	rfcErr(t, scimDo(t, srv, "GET", "/ServiceProviderConfig", nil), 404, "")
	spc := scimDo(t, srv, "GET", "/ServiceProviderConfigs", nil).want(t, 200, "").body
	bulk, filter := spc["bulk"].(map[string]any), spc["filter"].(map[string]any)
	if bulk["supported"] != false || bulk["maxOperations"] != 0.0 || filter["maxResults"] != 200.0 ||
		spc["patch"].(map[string]any)["supported"] != true || spc["changePassword"].(map[string]any)["supported"] != true {
		t.Fatalf("ServiceProviderConfigs: %v", spc)
	}
	// §7: a create needs the User object's required fields and a profile.
	rfcErr(t, scimDo(t, srv, "POST", "/Users", sfUser("scimUser@acme.example", "User", map[string]any{"entitlements": nil})), 400, "invalidValue")
	rfcErr(t, scimDo(t, srv, "POST", "/Users", sfUser("scimUser@acme.example", "User", map[string]any{"entitlements": []any{map[string]any{"value": "nope"}}})), 400, "invalidValue")
	rfcErr(t, scimDo(t, srv, "POST", "/Users", sfUser("scimUser@acme.example", "User", map[string]any{"name": map[string]any{"givenName": "Scim"}})), 400, "invalidValue")
	rfcErr(t, scimDo(t, srv, "POST", "/Users", sfUser("scimUser@acme.example", "User", map[string]any{"emails": nil})), 400, "invalidValue")
	profiles := resources(scimDo(t, srv, "GET", "/Entitlements", nil).want(t, 200, ""))
	if len(profiles) == 0 || profiles[0]["value"] != "00e000000000001AAA" {
		t.Fatalf("/Entitlements: %v", profiles)
	}
	// §7: the answer lower-cases userName, and carries the entitlement.
	r := scimDo(t, srv, "POST", "/Users", sfUser("scimUser@acme.example", "User", nil)).want(t, 201, "")
	id := r.body["id"].(string)
	if r.body["userName"] != "scimuser@acme.example" {
		t.Fatalf("userName answered %v, want it lower-cased", r.body["userName"])
	}
	if e := r.body["entitlements"].([]any)[0].(map[string]any); e["value"] != "00e000000000001AAA" || e["display"] != "Standard User" {
		t.Fatalf("entitlements %v", e)
	}
	if r.header.Get("ETag") != "" || r.body["meta"].(map[string]any)["version"] != nil {
		t.Fatal("Salesforce answered a version ([NF]: none)")
	}
	if got := userNames(scimDo(t, srv, "GET", filterQ("Users", `userName eq "SCIMUSER@acme.example"`), nil).want(t, 200, "")); len(got) != 1 || got[0] != "scimuser@acme.example" {
		t.Fatalf("look-up: %v", got)
	}
	// The profile changes with the entitlement; an unknown one is refused.
	r = scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "entitlements", []any{map[string]any{"value": "00e000000000002AAA"}}))).want(t, 200, "")
	if e := r.body["entitlements"].([]any)[0].(map[string]any); e["display"] != "System Administrator" {
		t.Fatalf("entitlements after PATCH %v", e)
	}
	rfcErr(t, scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "entitlements", []any{map[string]any{"value": "nope"}}))), 400, "invalidValue")
	// §7: users are deactivated, never deleted.
	rfcErr(t, scimDo(t, srv, "DELETE", "/Users/"+id, nil), 501, "")
	scimDo(t, srv, "PATCH", "/Users/"+id, patch(op("replace", "active", false))).want(t, 200, "")
	if r := scimDo(t, srv, "GET", "/Users/"+id, nil).want(t, 200, ""); r.body["active"] != false {
		t.Fatalf("after deactivation: %v", r.body)
	}
	rfcErr(t, scimDo(t, srv, "POST", "/Bulk", map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"}}), 404, "")
}

// §7: at most 200 a page.
func TestSCIMSalesforcePaging(t *testing.T) {
	srv, _ := start(t, emulator.Config{SCIMProfile: emulator.ProfileSalesforce, State: seeded(230)})
	if r := scimDo(t, srv, "GET", "/Users?count=1000", nil).want(t, 200, ""); len(resources(r)) != 200 || r.body["totalResults"] != 230.0 {
		t.Fatalf("count=1000: %d users of %v", len(resources(r)), r.body["totalResults"])
	}
}
