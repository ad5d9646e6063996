package emulator

// Discovery (RFC 7644 §4): what the service supports, its resource types
// and their schemas, where the profile serves them (scim.go's serves):
// at /ServiceProviderConfig, at Salesforce's /ServiceProviderConfigs, or
// nowhere (Meta, GitHub, Zoom). What it says comes from the profile's
// other rules, except where a service says less than it does (Slack's
// filter support, §2).

const (
	spcURN    = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	rtURN     = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaURN = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

func (s *Server) discovery(kind, id string) response {
	switch kind {
	case "ServiceProviderConfig", "ServiceProviderConfigs":
		return ok(s.serviceProviderConfig())
	case "ResourceTypes":
		return s.pickByID(s.resourceTypes(), id, "ResourceType")
	case "Schemas":
		return s.pickByID(s.schemas(), id, "Schema")
	case "Entitlements":
		return s.pickByID(s.entitlements(), id, "Entitlement")
	}
	return errOf(scimNotFound(kind, id))
}

// pickByID answers all, or the one named id (by id or name; Slack's
// /Schemas/Users by the plural name too).
func (s *Server) pickByID(all []any, id, kind string) response {
	if id == "" {
		return listResponse(len(all), 1, all)
	}
	for _, r := range all {
		m := r.(map[string]any)
		if m["id"] == id || m["name"] == id || (s.prof.discovery.byResource && m["name"] != nil && m["name"].(string)+"s" == id) {
			return ok(m)
		}
	}
	return errOf(scimNotFound(kind, id))
}

// entitlements are Salesforce's profiles (§7: /Entitlements lists at most 200).
func (s *Server) entitlements() []any {
	var out []any
	for _, e := range s.prof.user.entitlements {
		out = append(out, map[string]any{"schemas": []string{"urn:salesforce:schemas:Entitlement"}, "id": e.id, "value": e.id,
			"displayName": e.display, "type": "Profile",
			"meta": map[string]any{"resourceType": "Entitlement", "location": s.base() + "/Entitlements/" + e.id}})
	}
	return out
}

func (s *Server) serviceProviderConfig() map[string]any {
	yes := func(extra map[string]any) map[string]any {
		m := map[string]any{"supported": true}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	p := s.prof
	bulk := map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": s.payloadMax()} // Salesforce §7: maxOperations 0
	if p.bulk {
		bulk = yes(map[string]any{"maxOperations": s.bulkMaxOps(), "maxPayloadSize": s.payloadMax()})
	}
	filter := yes(map[string]any{"maxResults": s.filterMax()})
	filter["supported"] = !p.discovery.filterHidden // Slack §2 says false, and filters
	return map[string]any{
		"schemas":          []string{spcURN},
		"documentationUri": "https://datatracker.ietf.org/doc/html/rfc7644",
		"patch":            yes(nil),
		"bulk":             bulk,
		"filter":           filter,
		"changePassword":   map[string]any{"supported": p.discovery.changePassword},
		"sort":             map[string]any{"supported": false},
		"etag":             map[string]any{"supported": p.etags},
		"authenticationSchemes": []any{map[string]any{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
			"description": "Authentication with a bearer token in the Authorization header", "primary": true}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": s.base() + "/" + p.discovery.spc},
	}
}

func (s *Server) resourceTypes() []any {
	var exts []any
	for _, u := range s.prof.extensions {
		exts = append(exts, map[string]any{"schema": u, "required": false})
	}
	types := []any{
		map[string]any{"schemas": []string{rtURN}, "id": "User", "name": "User", "endpoint": "/Users",
			"description": "User Account", "schema": coreUserURN, "schemaExtensions": exts,
			"meta": map[string]any{"resourceType": "ResourceType", "location": s.base() + "/ResourceTypes/User"}},
		map[string]any{"schemas": []string{rtURN}, "id": "Group", "name": "Group", "endpoint": "/Groups",
			"description": "Group (a people set)", "schema": coreGroupURN,
			"meta": map[string]any{"resourceType": "ResourceType", "location": s.base() + "/ResourceTypes/Group"}},
	}
	if s.prof.groups.none {
		return types[:1]
	}
	return types
}

// attr describes one attribute (RFC 7643 §7).
func attr(name, typ string, opts ...string) map[string]any {
	a := map[string]any{"name": name, "type": typ, "multiValued": false, "required": false, "caseExact": false,
		"mutability": "readWrite", "returned": "default", "uniqueness": "none"}
	for _, o := range opts {
		switch o {
		case "multi":
			a["multiValued"] = true
		case "required":
			a["required"] = true
		case "caseExact":
			a["caseExact"] = true
		case "readOnly", "immutable", "writeOnly":
			a["mutability"] = o
		case "server", "global":
			a["uniqueness"] = o
		}
	}
	return a
}

func complexAttr(name string, sub []any, opts ...string) map[string]any {
	a := attr(name, "complex", opts...)
	a["subAttributes"] = sub
	return a
}

func typed() []any {
	return []any{attr("value", "string"), attr("type", "string"), attr("primary", "boolean"), attr("display", "string")}
}

func schema(id, name string, attrs ...any) any {
	return map[string]any{"schemas": []string{schemaURN}, "id": id, "name": name, "attributes": attrs,
		"meta": map[string]any{"resourceType": "Schema", "location": SCIMPrefix + "/Schemas/" + id}}
}

// schemas are the core schemas and the profile's extensions.
func (s *Server) schemas() []any {
	var out []any
	for _, sc := range allSchemas() {
		id := sc.(map[string]any)["id"].(string)
		if id == coreUserURN || (id == coreGroupURN && !s.prof.groups.none) || has(s.prof.extensions, id) {
			out = append(out, sc)
		}
	}
	return out
}

func allSchemas() []any {
	return []any{
		schema(coreUserURN, "User",
			attr("id", "string", "readOnly", "caseExact", "server"),
			attr("externalId", "string", "caseExact"),
			attr("userName", "string", "required", "server"),
			complexAttr("name", []any{attr("formatted", "string"), attr("givenName", "string"), attr("familyName", "string")}),
			attr("displayName", "string"), attr("title", "string"), attr("locale", "string"),
			attr("active", "boolean"),
			complexAttr("emails", typed(), "multi"),
			complexAttr("phoneNumbers", typed(), "multi"),
			complexAttr("addresses", []any{attr("formatted", "string"), attr("type", "string"), attr("primary", "boolean")}, "multi"),
			complexAttr("groups", typed(), "multi", "readOnly")),
		schema(entUserURN, "EnterpriseUser",
			attr("employeeNumber", "string"), attr("costCenter", "string"), attr("organization", "string"),
			attr("division", "string"), attr("department", "string"),
			complexAttr("manager", []any{attr("value", "string", "caseExact"), attr("$ref", "reference"),
				attr("displayName", "string", "readOnly")})),
		schema(fbAuthURN, "AuthMethod", attr("authMethod", "string")),
		schema(fbStatusURN, "AccountStatusDetails", attr("invited", "boolean"), attr("inviteDate", "integer", "readOnly"),
			attr("claimed", "boolean", "readOnly"), attr("claimDate", "integer", "readOnly"), attr("accessCode", "string", "readOnly")),
		schema(fbDatesURN, "StartTermDates", attr("startDate", "integer"), attr("termDate", "integer")),
		schema(coreGroupURN, "Group", attr("displayName", "string", "required"),
			complexAttr("members", []any{attr("value", "string", "immutable", "caseExact"), attr("$ref", "reference", "immutable"),
				attr("type", "string", "immutable")}, "multi")),
	}
}
