package emulator

// Discovery (RFC 7644 §4): what the service supports, its resource types
// and their schemas. Meta's profile has none of these (404), as Meta's
// service documents only /Users.

const (
	spcURN    = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	rtURN     = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaURN = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

func (s *Server) discovery(kind, id string) response {
	switch kind {
	case "ServiceProviderConfig":
		if id == "" {
			return ok(s.serviceProviderConfig())
		}
	case "ResourceTypes":
		return pickByID(s.resourceTypes(), id, "ResourceType")
	case "Schemas":
		return pickByID(schemas(), id, "Schema")
	}
	return errOf(scimNotFound(kind, id))
}

func pickByID(all []any, id, kind string) response {
	if id == "" {
		return listResponse(len(all), 1, all)
	}
	for _, r := range all {
		m := r.(map[string]any)
		if m["id"] == id || m["name"] == id {
			return ok(m)
		}
	}
	return errOf(scimNotFound(kind, id))
}

func (s *Server) serviceProviderConfig() map[string]any {
	yes := func(extra map[string]any) map[string]any {
		m := map[string]any{"supported": true}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	return map[string]any{
		"schemas":          []string{spcURN},
		"documentationUri": "https://datatracker.ietf.org/doc/html/rfc7644",
		"patch":            yes(nil),
		"bulk":             yes(map[string]any{"maxOperations": s.bulkMaxOps(), "maxPayloadSize": s.payloadMax()}),
		"filter":           yes(map[string]any{"maxResults": s.filterMax()}),
		"changePassword":   map[string]any{"supported": false},
		"sort":             map[string]any{"supported": false},
		"etag":             yes(nil),
		"authenticationSchemes": []any{map[string]any{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
			"description": "Authentication with a bearer token in the Authorization header", "primary": true}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": s.base() + "/ServiceProviderConfig"},
	}
}

func (s *Server) resourceTypes() []any {
	var exts []any
	for _, u := range userExtensions {
		exts = append(exts, map[string]any{"schema": u, "required": false})
	}
	return []any{
		map[string]any{"schemas": []string{rtURN}, "id": "User", "name": "User", "endpoint": "/Users",
			"description": "User Account", "schema": coreUserURN, "schemaExtensions": exts,
			"meta": map[string]any{"resourceType": "ResourceType", "location": s.base() + "/ResourceTypes/User"}},
		map[string]any{"schemas": []string{rtURN}, "id": "Group", "name": "Group", "endpoint": "/Groups",
			"description": "Group (a people set)", "schema": coreGroupURN,
			"meta": map[string]any{"resourceType": "ResourceType", "location": s.base() + "/ResourceTypes/Group"}},
	}
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

func schemas() []any {
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
