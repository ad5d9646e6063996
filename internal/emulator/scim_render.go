package emulator

import (
	"net/http"
	"strings"
)

// How a profile shows a resource: the RFC form (userJSON, groupJSON)
// changed by the profile's rules. Every function here is called with the
// store's mu held.

// optionalCore are the core attributes a profile may leave out
// (profile.coreKept).
var optionalCore = []string{"title", "locale", "phoneNumbers", "addresses"}

// userResource is a as the profile answers it, with meta.version (left
// out on the wire where the profile has no ETags).
func (s *Server) userResource(a *Account) map[string]any {
	mgr := ""
	if m := s.store.byID[a.Manager]; m != nil {
		mgr = m.Name
	}
	u := userJSON(a, mgr, s.base())
	p := s.prof
	for _, urn := range metaExts {
		if !has(p.extensions, urn) {
			dropExt(u, urn)
		}
	}
	if p.coreKept != nil {
		for _, k := range optionalCore {
			if !has(p.coreKept, k) {
				delete(u, k)
			}
		}
	}
	if ent, ok := u[entUserURN].(map[string]any); ok {
		if m, ok := ent["manager"].(map[string]any); ok {
			ent["manager"] = p.manager.render(m)
		}
	}
	if p.user.lowerUserName { // Salesforce §7
		u["userName"] = strings.ToLower(u["userName"].(string))
	}
	if p.ownExternalID { // Zoom §5
		u["externalId"] = a.ID
	}
	if e := s.entitled[a.ID]; e != "" { // Salesforce §7
		u["entitlements"] = []any{map[string]any{"value": e, "display": s.entitlementName(e), "$ref": s.base() + "/Entitlements/" + e}}
	}
	u["meta"].(map[string]any)["version"] = versionOf(u)
	return u
}

// render answers the RFC manager m in the profile's form.
func (r managerRule) render(m map[string]any) map[string]any {
	out := map[string]any{r.answer: m["value"]}
	if has(r.subs, "$ref") {
		out["$ref"] = m["$ref"]
	}
	if r.name && m["displayName"] != nil {
		out["displayName"] = m["displayName"]
	}
	return out
}

// dropExt removes an extension and its schema from a resource.
func dropExt(res map[string]any, urn string) {
	delete(res, urn)
	if list, ok := res["schemas"].([]any); ok {
		var keep []any
		for _, v := range list {
			if v != urn {
				keep = append(keep, v)
			}
		}
		res["schemas"] = keep
	}
}

// userListed is a User as a listing shows it: without meta.version where
// there are no ETags, without what the profile's listings leave out.
func (s *Server) userListed(a *Account) map[string]any {
	u := s.stripVersion(s.userResource(a))
	if omit := s.prof.paging.listOmits; len(omit) > 0 {
		if ent, ok := u[entUserURN].(map[string]any); ok {
			for _, k := range omit {
				delete(ent, k)
			}
			if len(ent) == 0 {
				dropExt(u, entUserURN)
			}
		}
	}
	return u
}

// groupShown is a Group as the profile answers it: AWS answers an empty
// members list (§1).
func (s *Server) groupShown(g map[string]any) map[string]any {
	if s.prof.groups.hideMembers {
		c := make(map[string]any, len(g))
		for k, v := range g {
			c[k] = v
		}
		c["members"] = []any{}
		return c
	}
	return g
}

// stripVersion leaves meta.version out where the profile has no ETags.
func (s *Server) stripVersion(res map[string]any) map[string]any {
	if !s.prof.etags {
		if meta, ok := res["meta"].(map[string]any); ok {
			delete(meta, "version")
		}
	}
	return res
}

// resource answers one resource, with its ETag where the profile has them.
func (s *Server) resource(status int, res map[string]any) response {
	resp := response{status: status, body: res, headers: map[string]string{}}
	meta, _ := res["meta"].(map[string]any)
	if s.prof.etags {
		resp.headers["ETag"], _ = meta["version"].(string)
	} else {
		delete(meta, "version")
	}
	if status == http.StatusCreated {
		resp.headers["Location"], _ = meta["location"].(string)
	}
	return resp
}

// versionMismatch checks If-Match (RFC 7644 §3.14); "*" matches any. A
// profile without ETags ignores the header.
func (s *Server) versionMismatch(ifMatch, version string) *serr {
	if ifMatch == "" || !s.prof.etags || ifMatch == "*" {
		return nil
	}
	for _, v := range strings.Split(ifMatch, ",") {
		if strings.TrimSpace(v) == version {
			return nil
		}
	}
	return scimErr(http.StatusPreconditionFailed, "invalidVers", "The resource changed: its version is %s, not %s", version, ifMatch)
}

func (s *Server) entitlementName(id string) string {
	for _, e := range s.prof.user.entitlements {
		if e.id == id {
			return e.display
		}
	}
	return ""
}

// SCIMView is the tenant as the SCIM API shows it: every User and Group.
func (s *Server) SCIMView() map[string]any {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	users, groups := []any{}, []any{}
	for _, a := range s.store.order {
		if !s.gone[a.ID] {
			users = append(users, s.stripVersion(s.userResource(a)))
		}
	}
	for _, ps := range s.store.setList {
		groups = append(groups, s.groupJSON(ps)) // with members, even where the profile hides them
	}
	return map[string]any{"Users": users, "Groups": groups}
}
