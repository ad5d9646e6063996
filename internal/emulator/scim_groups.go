package emulator

import (
	"net/http"
	"strings"
)

// Groups are people sets seen through SCIM. A group made over SCIM is a
// set with listed members; a dynamic set made over Graph is a group whose
// members follow its conditions, which SCIM cannot change.

// groupJSON renders ps as a SCIM Group. Caller holds the store's mu.
func (s *Server) groupJSON(ps *PeopleSet) map[string]any {
	members := []any{}
	for _, id := range s.store.membersOf(ps) {
		m := map[string]any{"value": id, "type": "User", "$ref": s.base() + "/Users/" + id}
		if a := s.store.byID[id]; a != nil {
			m["display"] = a.Name
		}
		members = append(members, m)
	}
	g := map[string]any{"schemas": []any{coreGroupURN}, "id": ps.ID, "displayName": ps.Name, "members": members}
	g["meta"] = map[string]any{"resourceType": "Group", "location": s.base() + "/Groups/" + ps.ID, "version": versionOf(g)}
	return g
}

// membersOf lists a set's members: its own list, or those its conditions
// choose. Caller holds mu.
func (s *store) membersOf(ps *PeopleSet) []string {
	if len(ps.Conditions) == 0 {
		return ps.Members
	}
	var out []string
	for _, a := range s.order {
		all := true
		for _, c := range ps.Conditions {
			if !s.meets(a, c) {
				all = false
				break
			}
		}
		if all {
			out = append(out, a.ID)
		}
	}
	return out
}

// meets evaluates one people set condition on a.
func (s *store) meets(a *Account, c Condition) bool {
	var have string
	switch c.Field {
	case "DEPARTMENT":
		have = a.Department
	case "DIVISION":
		have = a.Division
	case "ORGANIZATION":
		have = a.Organization
	case "TITLE":
		have = a.Title
	case "LOCATION":
		have = a.Location
	case "START_DATE":
		have = a.StartDate
	case "MANAGER":
		have = a.Manager
	case "MANAGER_RECURSIVE":
		for m, hops := s.byID[a.Manager], 0; m != nil && hops < 64; m, hops = s.byID[m.Manager], hops+1 {
			for _, v := range c.Values {
				if m.ID == v {
					return true
				}
			}
		}
		return false
	case "ACCOUNT_STATUS":
		have = "INACTIVE"
		if a.Active {
			have = "ACTIVE"
		}
	case "MEMBER_TYPE":
		have = "FULL_USER"
		if a.IsFrontline {
			have = "FRONTLINE"
		}
	}
	for _, v := range c.Values {
		switch c.Operator {
		case "CONTAINS":
			if strings.Contains(strings.ToLower(have), strings.ToLower(v)) {
				return true
			}
		case "STARTS_WITH":
			if strings.HasPrefix(strings.ToLower(have), strings.ToLower(v)) {
				return true
			}
		case "GREATER_THAN":
			if have > v {
				return true
			}
		case "LESS_THAN":
			if have != "" && have < v {
				return true
			}
		default: // IS, IS_ANY_OF, ENUM_SET_IS, ENTITY_SET_IS
			if strings.EqualFold(have, v) {
				return true
			}
		}
	}
	return false
}

func (s *Server) listGroups(q map[string][]string) response {
	f, err := s.filterOf(q, s.prof.groupFilter)
	if err != nil {
		return errOf(err)
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	var hits []map[string]any
	for _, ps := range st.setList {
		if g := s.groupJSON(ps); f == nil || f.match(g) {
			hits = append(hits, g)
		}
	}
	return pageOf(s, q, "Groups", f != nil, hits, func(g map[string]any) any { return s.stripVersion(s.groupShown(g)) })
}

// groupInput reads a Group's JSON form into a name and member ids.
// Caller holds the store's mu.
func (s *Server) groupInput(res map[string]any) (string, []string, *serr) {
	schemas, _ := res["schemas"].([]any)
	if !containsFold(schemas, coreGroupURN) {
		return "", nil, badRequest("invalidSyntax", "A Group must list the schema %s in schemas", coreGroupURN)
	}
	for k := range res {
		switch strings.ToLower(k) {
		case "schemas", "id", "externalid", "meta", "displayname", "members":
		default:
			return "", nil, badRequest("invalidValue", "Unknown attribute %q of a Group", k)
		}
	}
	name, err := str(res, "", "displayName")
	if err != nil {
		return "", nil, err
	}
	if name == "" {
		return "", nil, badRequest("invalidValue", "displayName is required")
	}
	list, err := multi(res, "members")
	if err != nil {
		return "", nil, err
	}
	ids := []string{}
	seen := map[string]bool{}
	for _, m := range list {
		id, _ := getFold(m, "value").(string)
		if t, _ := getFold(m, "type").(string); t != "" && t != "User" {
			return "", nil, badRequest("invalidValue", "A member must be a User, not a %s", t)
		}
		if s.store.byID[id] == nil {
			return "", nil, badRequest("invalidValue", "The member %q is not a User of this service", id)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return name, ids, nil
}

func (s *Server) createGroup(body []byte) response {
	var res map[string]any
	if err := decodeJSON(body, &res); err != nil {
		return errOf(err)
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	name, ids, err := s.groupInput(res)
	if err != nil {
		return errOf(err)
	}
	if st.setNamed(name, nil) {
		return errOf(scimErr(http.StatusConflict, "uniqueness", "A group named %q already exists", name))
	}
	if n, limit := len(ids), s.membersMax(); n > limit && s.prof.groups.maxMembers > 0 { // AWS §1 creategroup
		return errOf(badRequest("invalidValue", "The group has %d members; this service takes at most %d a request: add the rest with PATCH", n, limit))
	}
	ps := &PeopleSet{ID: st.newID(), Name: name, Conditions: []Condition{}, Members: ids}
	st.sets[ps.ID] = ps
	st.setList = append(st.setList, ps)
	st.setChanged("create", ps)
	return s.resource(http.StatusCreated, s.groupShown(s.groupJSON(ps)))
}

// membersIn counts the member values a PATCH names.
func membersIn(ops []patchOp) int {
	n := 0
	for _, op := range ops {
		if strings.HasPrefix(strings.ToLower(op.Path), "members") {
			n += max(1, len(asList(op.Value)))
		} else if m, ok := op.Value.(map[string]any); ok {
			n += len(asList(getFold(m, "members")))
		}
	}
	return n
}

func (s *Server) groupByID(method, id string, body []byte, ifMatch, ifNoneMatch string) response {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	ps := st.sets[id]
	if ps == nil {
		return errOf(scimNotFound("Group", id))
	}
	next, resp, done := s.change("Group", method, id, s.groupJSON(ps), body, ifMatch, ifNoneMatch, s.checkGroupPatch)
	if done {
		return resp
	}
	name, ids, err := s.groupInput(next)
	if err != nil {
		return errOf(err)
	}
	if st.setNamed(name, ps) {
		return errOf(scimErr(http.StatusConflict, "uniqueness", "A group named %q already exists", name))
	}
	if s.prof.groups.noRename && name != ps.Name { // Atlassian §4
		return errOf(badRequest("mutability", "Groups cannot be renamed here: create a group named %q, move the members to it, and delete %q", name, ps.Name))
	}
	if len(ps.Conditions) > 0 && !sameIDs(ids, st.membersOf(ps)) {
		return errOf(badRequest("mutability", "The members of %q follow its conditions (a dynamic people set): change its conditions instead", ps.Name))
	}
	ps.Name = name
	if len(ps.Conditions) == 0 {
		ps.Members = ids
	}
	st.setChanged("update", ps)
	return s.resource(http.StatusOK, s.groupShown(s.groupJSON(ps)))
}

func sameIDs(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	set := map[string]bool{}
	for _, x := range a {
		set[x] = true
	}
	for _, x := range b {
		if !set[x] {
			return false
		}
	}
	return true
}

// membersMax is how many member changes a request may make: Config's,
// else the profile's, else 100.
func (s *Server) membersMax() int {
	switch {
	case s.cfg.SCIMMaxMembers > 0:
		return s.cfg.SCIMMaxMembers
	case s.prof.groups.maxMembers > 0:
		return s.prof.groups.maxMembers
	}
	return defaultMembersMax
}
