package emulator

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// params are the form parameters of a create or update call.
type params map[string]string

var textFields = []string{"title", "department", "division", "organization", "cost_center", "location", "start_date"}

var (
	validAuth = map[string]bool{"password": true, "sso": true}
)

func (s *store) create(p params) (string, *gerr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := strings.TrimSpace(p["name"])
	if name == "" {
		return "", invalidParam(SubNameRequired, "The parameter name is required")
	}
	email, ext := strings.TrimSpace(p["email"]), strings.TrimSpace(p["external_id"])
	if email == "" && ext == "" {
		return "", invalidParam(SubEmailRequired, "An account needs an email, or an external_id when it has no email")
	}
	now := s.now()
	a := &Account{Name: name, Email: email, ExternalID: ext, Active: true, WorkLocale: "en_US", UpdatedAt: now}
	if v, ok := p["active"]; ok && v == "false" {
		a.Active = false
		a.DeactivateAt = now
	}
	if err := s.apply(a, p); err != nil {
		return "", err
	}
	a.Invited = email == "" || p["invited"] == "true"
	if a.Invited {
		a.InvitedAt = now
	}
	a.ID = s.newID()
	if err := s.indexNew(a); err != nil {
		s.nextID--
		return "", err
	}
	return a.ID, nil
}

// apply sets the optional fields of p on a, checking each. Caller holds mu.
func (s *store) apply(a *Account, p params) *gerr {
	for _, f := range textFields {
		if v, ok := p[f]; ok {
			setText(a, f, strings.TrimSpace(v))
		}
	}
	if v, ok := p["work_locale"]; ok {
		if v != "" && !validLocale(v) {
			return invalidParam(SubInvalidValue, "Invalid work_locale %q", v)
		}
		a.WorkLocale = v
	}
	if v, ok := p["auth_method"]; ok {
		l := strings.ToLower(v)
		if v != "" && !validAuth[l] {
			return invalidParam(SubInvalidValue, "Invalid auth_method %q: use password or sso", v)
		}
		a.AuthMethod = l
	}
	if v, ok := p["manager"]; ok {
		if v != "" {
			m := s.find(v)
			if m == nil {
				return invalidParam(SubManager, "The manager %s does not exist", v)
			}
			if m == a {
				return invalidParam(SubManager, "An account cannot be its own manager")
			}
			v = m.ID
		}
		a.Manager = v
	}
	if v, ok := p["frontline"]; ok {
		var fl struct {
			IsFrontline *bool `json:"is_frontline"`
			HasAccess   *bool `json:"has_access"`
		}
		if err := json.Unmarshal([]byte(v), &fl); err != nil {
			return invalidParam(SubInvalidValue, "frontline must be a JSON object like {\"is_frontline\":true}")
		}
		if fl.IsFrontline != nil {
			a.IsFrontline = *fl.IsFrontline
		}
		if fl.HasAccess != nil {
			a.HasAccess = *fl.HasAccess
		}
	}
	if v, ok := p["is_frontline"]; ok {
		a.IsFrontline = v == "true"
	}
	return nil
}

func setText(a *Account, f, v string) {
	switch f {
	case "title":
		a.Title = v
	case "department":
		a.Department = v
	case "division":
		a.Division = v
	case "organization":
		a.Organization = v
	case "cost_center":
		a.CostCenter = v
	case "location":
		a.Location = v
	case "start_date":
		a.StartDate = v
	}
}

func validLocale(v string) bool {
	return len(v) == 5 && v[2] == '_' && strings.ToLower(v[:2]) == v[:2] && strings.ToUpper(v[3:]) == v[3:]
}

func (s *store) update(ref string, p params) *gerr {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.find(ref)
	if a == nil {
		return notFound(ref)
	}
	c := *a // change a copy, commit only if every check passes
	if v, ok := p["name"]; ok {
		if strings.TrimSpace(v) == "" {
			return invalidParam(SubNameRequired, "The name of an account cannot be empty")
		}
		c.Name = strings.TrimSpace(v)
	}
	if v, ok := p["email"]; ok {
		v = strings.TrimSpace(v)
		if v == "" {
			return invalidParam(SubEmailRequired, "The email of an account cannot be cleared")
		}
		if o, dup := s.byEmail[strings.ToLower(v)]; dup && o != a {
			return invalidParam(SubDuplicate, "An account with the email %s already exists", v)
		}
		c.Email = v
	}
	if v, ok := p["external_id"]; ok {
		v = strings.TrimSpace(v)
		if o, dup := s.byExt[v]; dup && o != a && v != "" {
			return invalidParam(SubDuplicate, "An account with the external_id %s already exists", v)
		}
		c.ExternalID = v
	}
	if err := s.apply(&c, p); err != nil {
		return err
	}
	if err := s.checkUserName(a, &c); err != nil {
		return err
	}
	now := s.now()
	if v, ok := p["active"]; ok {
		switch {
		case v == "false" && a.Active:
			c.Active, c.DeactivateAt = false, now
		case v == "true" && !a.Active:
			if a.Erased {
				return invalidParam(SubInvalidValue, "An erased account cannot be reactivated")
			}
			c.Active, c.DeactivateAt = true, time.Time{}
			if _, setsManager := p["manager"]; !setsManager {
				c.Manager = "" // reactivation resets the manager
			}
		}
	}
	if v, ok := p["invited"]; ok && v == "true" && !c.Invited {
		c.Invited, c.InvitedAt = true, now
	}
	c.UpdatedAt = now
	s.reindex(a, &c)
	*a = c
	return nil
}

// checkUserName refuses a change that gives c, the new form of a, the
// userName of another account. Caller holds mu.
func (s *store) checkUserName(a, c *Account) *gerr {
	if o, dup := s.byUser[strings.ToLower(UserNameOf(c))]; dup && o != a {
		return invalidParam(SubDuplicate, "An account with the userName %s already exists", UserNameOf(c))
	}
	return nil
}

// reindex moves a's index entries to c's keys. Caller holds mu.
func (s *store) reindex(a, c *Account) {
	if old, nu := strings.ToLower(UserNameOf(a)), strings.ToLower(UserNameOf(c)); old != nu {
		delete(s.byUser, old)
		if nu != "" {
			s.byUser[nu] = a
		}
	}
	if !strings.EqualFold(a.Email, c.Email) {
		delete(s.byEmail, strings.ToLower(a.Email))
		if c.Email != "" {
			s.byEmail[strings.ToLower(c.Email)] = a
		}
	}
	if a.ExternalID != c.ExternalID {
		delete(s.byExt, a.ExternalID)
		if c.ExternalID != "" {
			s.byExt[c.ExternalID] = a
		}
	}
}

func (s *store) addPhone(ref string, ph Phone) *gerr {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.find(ref)
	if a == nil {
		return notFound(ref)
	}
	if !strings.HasPrefix(ph.Number, "+") || len(strings.Map(digitsOnly, ph.Number)) < 8 {
		return invalidParam(SubInvalidValue, "Invalid phone number %q: use the international format, e.g. +44-7236-123459", ph.Number)
	}
	switch ph.Type {
	case "":
		ph.Type = "work"
	case "work", "mobile", "home", "other":
	default:
		return invalidParam(SubInvalidValue, "Invalid phone type %q", ph.Type)
	}
	if ph.Primary || len(a.Phones) == 0 {
		for i := range a.Phones {
			a.Phones[i].Primary = false
		}
		ph.Primary = true
	}
	for i, old := range a.Phones {
		if strings.Map(digitsOnly, old.Number) == strings.Map(digitsOnly, ph.Number) {
			a.Phones[i] = ph
			a.UpdatedAt = s.now()
			return nil
		}
	}
	a.Phones = append(a.Phones, ph)
	a.UpdatedAt = s.now()
	return nil
}

func digitsOnly(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}

func (s *store) setPicture(ref, source string) *gerr {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.find(ref)
	if a == nil {
		return notFound(ref)
	}
	a.Picture = source
	a.UpdatedAt = s.now()
	return nil
}

func (s *store) delete(ref string) *gerr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deleteLocked(ref)
}

// deleteLocked deletes a people set or an account. Caller holds mu.
func (s *store) deleteLocked(ref string) *gerr {
	if ps, ok := s.sets[ref]; ok {
		delete(s.sets, ref)
		s.setList = removeSet(s.setList, ps)
		s.setChanged("delete", ps)
		return nil
	}
	a := s.find(ref)
	if a == nil {
		return notFound(ref)
	}
	if a.Claimed {
		return invalidParam(SubClaimed, "Account %s has been claimed and cannot be deleted; deactivate it instead", a.ID)
	}
	s.removeAccount(a)
	return nil
}

// removeAccount removes a, whatever its state, from the indexes, the
// managers it is, and the sets it is a member of. Caller holds mu.
func (s *store) removeAccount(a *Account) {
	delete(s.byID, a.ID)
	delete(s.byEmail, strings.ToLower(a.Email))
	delete(s.byExt, a.ExternalID)
	delete(s.byUser, strings.ToLower(UserNameOf(a)))
	for i, o := range s.order {
		if o == a {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	for _, o := range s.order {
		if o.Manager == a.ID {
			o.Manager = ""
		}
	}
	for _, ps := range s.setList {
		if i := slices.Index(ps.Members, a.ID); i >= 0 {
			ps.Members = slices.Delete(ps.Members, i, i+1)
			s.setChanged("update", ps)
		}
	}
}

// ErasureGrace is how long after deactivation personal data can be erased.
const ErasureGrace = 4 * 24 * time.Hour

func (s *store) removeProfileInformation(ref string) *gerr {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.find(ref)
	if a == nil {
		return notFound(ref)
	}
	if a.Active {
		return invalidParam(SubNotDeactivated, "Account %s is active: deactivate it first", a.ID)
	}
	if eligible := a.DeactivateAt.Add(ErasureGrace); s.now().Before(eligible) {
		return invalidParam(SubGracePeriod, "Account %s was deactivated less than 4 days ago; its profile information can be removed from %s",
			a.ID, eligible.UTC().Format(time.RFC3339))
	}
	c := Account{ID: a.ID, Name: "Deleted User", Active: false, Erased: true, DeactivateAt: a.DeactivateAt, UpdatedAt: s.now(), ExternalID: a.ExternalID}
	s.reindex(a, &c)
	*a = c
	return nil
}

// listFilter chooses accounts for a listing.
type listFilter struct {
	active   *bool
	extIDs   map[string]bool
	afterIdx int
	limit    int
}

func (s *store) list(f listFilter) (page []Account, next int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := f.afterIdx
	for ; i < len(s.order) && len(page) < f.limit; i++ {
		a := s.order[i]
		if f.active != nil && a.Active != *f.active {
			continue
		}
		if f.extIDs != nil && !f.extIDs[a.ExternalID] {
			continue
		}
		page = append(page, *a)
	}
	// Look ahead: is there any further match?
	for j := i; j < len(s.order); j++ {
		a := s.order[j]
		if (f.active == nil || a.Active == *f.active) && (f.extIDs == nil || f.extIDs[a.ExternalID]) {
			return page, i
		}
	}
	return page, -1
}
