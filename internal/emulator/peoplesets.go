package emulator

import (
	"sort"
	"strings"
)

// The people set enums the API documents.

var (
	setFields = map[string]bool{"ACCOUNT_STATUS": true, "DEPARTMENT": true, "DIVISION": true, "LOCATION": true, "MANAGER": true,
		"MANAGER_RECURSIVE": true, "MEMBER_TYPE": true, "ORGANIZATION": true, "START_DATE": true, "TITLE": true}
	setOperators = map[string]bool{"CONTAINS": true, "ENTITY_SET_IS": true, "ENUM_SET_IS": true, "GREATER_THAN": true,
		"LESS_THAN": true, "IS": true, "IS_ANY_OF": true, "STARTS_WITH": true}
)

func (s *store) checkSet(name string, conds []Condition) *gerr {
	if strings.TrimSpace(name) == "" {
		return invalidParam(SubPeopleSet, "A people set needs a name")
	}
	if len(conds) == 0 {
		return invalidParam(SubPeopleSet, "A people set needs at least one condition")
	}
	for _, c := range conds {
		if !setFields[c.Field] {
			return invalidParam(SubPeopleSet, "Invalid condition field %q", c.Field)
		}
		if !setOperators[c.Operator] {
			return invalidParam(SubPeopleSet, "Invalid condition operator %q", c.Operator)
		}
		if len(c.Values) == 0 {
			return invalidParam(SubPeopleSet, "The condition on %s has no values", c.Field)
		}
		if c.Field == "MANAGER" || c.Field == "MANAGER_RECURSIVE" {
			for _, v := range c.Values {
				if s.find(v) == nil {
					return invalidParam(SubPeopleSet, "The manager %s in a %s condition does not exist", v, c.Field)
				}
			}
		}
	}
	return nil
}

func (s *store) createSet(name string, conds []Condition) (string, *gerr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkSet(name, conds); err != nil {
		return "", err
	}
	if s.setNamed(name, nil) {
		return "", invalidParam(SubDuplicate, "A people set named %q already exists", name)
	}
	ps := &PeopleSet{ID: s.newID(), Name: name, Conditions: conds}
	s.sets[ps.ID] = ps
	s.setList = append(s.setList, ps)
	s.setChanged("create", ps)
	return ps.ID, nil
}

func (s *store) updateSet(id, name string, conds []Condition) *gerr {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps, ok := s.sets[id]
	if !ok {
		return notFound(id)
	}
	if name == "" {
		name = ps.Name
	}
	if conds == nil {
		conds = ps.Conditions
	}
	// A group made over SCIM, renamed, keeps its listed members and needs
	// no conditions.
	if scimGroup := len(conds) == 0 && strings.TrimSpace(name) != "" && len(ps.Conditions) == 0; !scimGroup {
		if err := s.checkSet(name, conds); err != nil {
			return err
		}
	}
	if len(conds) > 0 {
		ps.Members = nil // conditions now choose the members
	}
	if s.setNamed(name, ps) {
		return invalidParam(SubDuplicate, "A people set named %q already exists", name)
	}
	ps.Name, ps.Conditions = name, conds
	s.setChanged("update", ps)
	return nil
}

// setNamed reports whether a people set other than except has the name.
// The caller holds s.mu.
func (s *store) setNamed(name string, except *PeopleSet) bool {
	for _, o := range s.setList {
		if o.Name == name && o != except {
			return true
		}
	}
	return false
}

func (s *store) getSet(id string) (PeopleSet, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps, ok := s.sets[id]
	if !ok {
		return PeopleSet{}, false
	}
	return *ps, true
}

func (s *store) listSets(name string) []PeopleSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []PeopleSet
	for _, ps := range s.setList {
		if name == "" || ps.Name == name {
			out = append(out, *ps)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func removeSet(list []*PeopleSet, ps *PeopleSet) []*PeopleSet {
	for i, o := range list {
		if o == ps {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}
