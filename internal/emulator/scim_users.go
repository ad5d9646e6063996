package emulator

import (
	"net/http"
	"strings"
	"time"
)

// Users: create, read, replace, patch and delete, each under the
// profile's rules (scim_rules.go, scim_patch_rules.go).

func (s *Server) input(res map[string]any, self *Account) userInput {
	return userInput{res: res, prof: s.prof, store: s.store, self: self, domains: s.cfg.SCIMVerifiedDomains,
		emailRequired: s.prof.user.emailRequired && s.cfg.SCIMNoEmailless}
}

func (s *Server) createUser(body []byte) response {
	var res map[string]any
	if err := decodeJSON(body, &res); err != nil {
		return errOf(err)
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.checkUser(res, true); err != nil {
		return errOf(err)
	}
	now := st.now()
	a := &Account{Active: true, UpdatedAt: now, CreatedAt: now}
	if err := s.input(res, nil).applyUser(a); err != nil {
		return errOf(err)
	}
	if s.prof.invites && !a.Invited { // Meta invites new accounts at once (§12)
		a.Invited, a.InvitedAt = true, now
	}
	if !a.Active {
		a.DeactivateAt = now
	}
	a.ID = st.newID()
	if err := st.indexNew(a); err != nil {
		st.nextID--
		return errOf(s.duplicate(err, a))
	}
	if e := entitlementOf(res); e != "" && len(s.prof.user.entitlements) > 0 {
		s.entitled[a.ID] = e
	}
	return s.resource(http.StatusCreated, s.userResource(a))
}

// duplicate is the store's refusal of a, in the profile's words where it
// has its own (AWS §1, Slack §2). Caller holds mu.
func (s *Server) duplicate(err *gerr, a *Account) *serr {
	e := fromStore(err)
	if err.Subcode != SubDuplicate || s.prof.duplicate == "" {
		return e
	}
	id := ""
	for _, o := range []*Account{s.store.byEmail[strings.ToLower(a.Email)], s.store.byExt[a.ExternalID], s.store.byUser[strings.ToLower(UserNameOf(a))]} {
		if o != nil {
			id = o.ID
			break
		}
	}
	e.detail = strings.NewReplacer("{email}", a.Email, "{id}", id).Replace(s.prof.duplicate)
	return e
}

func (s *Server) userByID(method, id string, body []byte, ifMatch, ifNoneMatch string) response {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	a := st.byID[id]
	if a == nil || s.gone[id] {
		return errOf(scimNotFound("User", id))
	}
	cur := s.userResource(a)
	if method == http.MethodDelete {
		return s.deleteUser(a, cur, ifMatch)
	}
	setsManager := false
	next, resp, done := s.change("User", method, id, cur, body, ifMatch, ifNoneMatch, func(ops []patchOp) *serr {
		for _, op := range ops {
			setsManager = setsManager || namesManager(op)
		}
		return s.checkPatch(ops)
	})
	if done {
		return resp
	}
	if method == http.MethodPut {
		if s.prof.pending.putIgnored && pending(a) { // Zoom §5: success, nothing applied
			return s.resource(http.StatusOK, s.userResource(a))
		}
		if err := s.checkUser(next, false); err != nil {
			return errOf(err)
		}
		setsManager = lookup(next, entUserURN, "manager") != nil
		if s.prof.partialPut { // Zoom §5: only what the PUT names changes
			next = merged(s.userResource(a), next)
		}
	} else if err := s.checkSingleValued(next); err != nil {
		return errOf(err)
	}
	c := *a
	c.Phones = append([]Phone(nil), a.Phones...)
	if err := s.input(next, a).applyUser(&c); err != nil {
		return errOf(err)
	}
	if s.prof.clearsManager && c.Active && !a.Active && !setsManager {
		c.Manager = "" // Meta §12: reactivation clears the manager
	}
	if err := st.commitUser(a, &c); err != nil {
		return errOf(fromStore(err))
	}
	if e := entitlementOf(next); e != "" && len(s.prof.user.entitlements) > 0 {
		s.entitled[a.ID] = e // Salesforce §7: the user's profile
	}
	return s.resource(http.StatusOK, s.userResource(a))
}

// namesManager reports whether a PATCH operation sets or removes the manager.
func namesManager(op patchOp) bool {
	if op.Path != "" {
		return strings.Contains(strings.ToLower(op.Path), "manager")
	}
	v, _ := op.Value.(map[string]any)
	return lookup(v, entUserURN, "manager") != nil
}

// pending is an account invited and not yet claimed.
func pending(a *Account) bool { return a.Invited && !a.Claimed }

// merged is cur with the attributes of put set over it; an extension's
// attributes are merged one by one.
func merged(cur, put map[string]any) map[string]any {
	for k, v := range put {
		if ext, ok := v.(map[string]any); ok && strings.HasPrefix(strings.ToLower(k), "urn:") {
			if old, ok := getFold(cur, k).(map[string]any); ok {
				for ek, ev := range ext {
					old[keyFold(old, ek)] = ev
				}
				continue
			}
		}
		cur[keyFold(cur, k)] = v
	}
	return cur
}

// deleteUser is DELETE /Users/{id} as the profile means it (§15.1).
// Caller holds mu.
func (s *Server) deleteUser(a *Account, cur map[string]any, ifMatch string) response {
	if err := s.versionMismatch(ifMatch, cur["meta"].(map[string]any)["version"].(string)); err != nil {
		return errOf(err)
	}
	st := s.store
	switch s.prof.deletion {
	case deleteRefused: // Salesforce §7; the status is RFC 7644 §3.12's for an unsupported operation
		return errOf(scimErr(http.StatusNotImplemented, "", "Users are never deleted here: deactivate the user with active false"))
	case deleteHard:
		st.removeAccount(a)
	case deleteDeactivate, deleteUnlink:
		if a.Active {
			c := *a
			c.Active = false
			if err := st.commitUser(a, &c); err != nil {
				return errOf(fromStore(err))
			}
		}
		if s.prof.deletion == deleteUnlink {
			s.gone[a.ID] = true
		}
	default:
		if err := st.deleteLocked(a.ID); err != nil {
			return errOf(fromStore(err))
		}
	}
	delete(s.entitled, a.ID)
	return response{status: http.StatusNoContent}
}

// change serves what every resource shares: GET (and If-None-Match),
// DELETE, and, for PUT and PATCH, the resource's new JSON form after the
// If-Match check; check, if set, vets a PATCH's operations first. done
// says resp is the whole answer. Caller holds the store's mu.
func (s *Server) change(kind, method, id string, cur map[string]any, body []byte, ifMatch, ifNoneMatch string,
	check func([]patchOp) *serr) (next map[string]any, resp response, done bool) {
	version := cur["meta"].(map[string]any)["version"].(string)
	switch method {
	case http.MethodGet:
		if ifNoneMatch != "" && s.prof.etags && (ifNoneMatch == "*" || strings.Contains(ifNoneMatch, version)) {
			return nil, response{status: http.StatusNotModified, headers: map[string]string{"ETag": version}}, true
		}
		if kind == "Group" {
			cur = s.groupShown(cur)
		}
		return nil, s.resource(http.StatusOK, cur), true
	case http.MethodDelete:
		if err := s.versionMismatch(ifMatch, version); err != nil {
			return nil, errOf(err), true
		}
		if err := s.store.deleteLocked(id); err != nil {
			return nil, errOf(fromStore(err)), true
		}
		return nil, response{status: http.StatusNoContent}, true
	case http.MethodPut, http.MethodPatch:
	default:
		return nil, errOf(scimErr(http.StatusMethodNotAllowed, "", "%s is not allowed on a %s", method, kind)), true
	}
	if err := s.versionMismatch(ifMatch, version); err != nil {
		return nil, errOf(err), true
	}
	if method == http.MethodPut { // a PUT replaces: nothing of cur carries over
		if err := decodeJSON(body, &next); err != nil {
			return nil, errOf(err), true
		}
		return next, response{}, false
	}
	var req struct {
		Schemas    []string  `json:"schemas"`
		Operations []patchOp `json:"Operations"`
	}
	if err := decodeJSON(body, &req); err != nil {
		return nil, errOf(err), true
	}
	if len(req.Schemas) != 1 || req.Schemas[0] != scimPatchURN {
		return nil, errOf(badRequest("invalidSyntax", "A PATCH must list the schema %s", scimPatchURN)), true
	}
	if kind == "User" && len(s.cfg.SCIMIgnoredPatchPaths) > 0 {
		var kept []patchOp
		for _, op := range req.Operations {
			if !has(s.cfg.SCIMIgnoredPatchPaths, op.Path) {
				kept = append(kept, op)
			}
		}
		if len(kept) == 0 && len(req.Operations) > 0 { // accepted, and nothing done
			return nil, s.resource(http.StatusOK, cur), true
		}
		req.Operations = kept
	}
	if check != nil {
		if err := check(req.Operations); err != nil {
			return nil, errOf(err), true
		}
	}
	if err := applyPatch(cur, req.Operations); err != nil {
		return nil, errOf(err), true
	}
	return cur, response{}, false
}

// commitUser stores c, the new form of a, after the store's rules:
// unique email, external_id and userName, an erased account stays
// inactive. Caller holds mu.
func (s *store) commitUser(a, c *Account) *gerr {
	if c.Email != "" {
		if o, dup := s.byEmail[strings.ToLower(c.Email)]; dup && o != a {
			return invalidParam(SubDuplicate, "An account with the email %s already exists", c.Email)
		}
	}
	if c.Email == "" && a.Email != "" {
		return invalidParam(SubEmailRequired, "The email of an account cannot be cleared")
	}
	if c.ExternalID != "" {
		if o, dup := s.byExt[c.ExternalID]; dup && o != a {
			return invalidParam(SubDuplicate, "An account with the external_id %s already exists", c.ExternalID)
		}
	}
	if err := s.checkUserName(a, c); err != nil {
		return err
	}
	now := s.now()
	switch {
	case !c.Active && a.Active:
		c.DeactivateAt = now
	case c.Active && !a.Active:
		if a.Erased {
			return invalidParam(SubInvalidValue, "An erased account cannot be reactivated")
		}
		c.DeactivateAt = time.Time{}
	}
	c.UpdatedAt = now
	s.reindex(a, c)
	*a = *c
	return nil
}
