package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The SCIM 2.0 front end (RFC 7643, RFC 7644), under /scim/v2, over the
// same store as the Graph API. It runs each request through the same
// layers as Graph calls (token, rate limit, latency, faults, lost answers)
// with SCIM's error shapes, then one of the handlers below.

// SCIMPrefix is where the SCIM API is served.
const SCIMPrefix = "/scim/v2"

// SCIM profiles: the full RFC service, or Meta's as documented.
const (
	ProfileRFC  = "rfc"
	ProfileMeta = "meta"
)

// SCIM limits the service advertises in /ServiceProviderConfig.
const (
	defaultFilterMax  = 200
	defaultBulkOps    = 1000
	defaultPayload    = 1 << 20
	defaultMembersMax = 100
)

func (s *Server) meta() bool { return s.cfg.SCIMProfile == ProfileMeta }

func (s *Server) serveSCIM(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, SCIMPrefix), "/")
	route := "SCIM " + r.Method + " " + scimRouteOf(path)
	if !s.authorized(r) {
		s.stats.count(route, outcomeRejected)
		w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
		if s.meta() { // Meta's service answers in Graph's shape [sample]
			s.writeErr(w, badToken())
			return
		}
		s.writeSCIM(w, response{status: http.StatusUnauthorized, body: scimErr(http.StatusUnauthorized, "", "Authorization failed: give a valid bearer token").body()})
		return
	}
	if s.meta() && r.Header.Get("User-Agent") == "" {
		s.stats.count(route, outcomeRejected)
		s.writeSCIM(w, errOf(scimErr(http.StatusForbidden, "", "A User-Agent header naming the client is required on every request")))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, int64(s.payloadMax()))
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.writeSCIM(w, errOf(scimErr(http.StatusRequestEntityTooLarge, "", "The request is larger than maxPayloadSize, %d bytes", s.payloadMax())))
		return
	}
	if err != nil {
		return
	}
	resp := s.scimCall(r.Context(), route, r.Method, path, r.URL.Query(), body, r.Header)
	if resp.drop {
		dropConn(w)
		return
	}
	s.writeSCIM(w, resp)
}

// scimRouteOf names a route for the stats: ids become {id}.
func scimRouteOf(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) > 1 && (parts[0] == "Users" || parts[0] == "Groups") {
		parts[1] = "{id}"
	}
	return "/" + strings.Join(parts, "/")
}

// scimCall is call's SCIM twin: the same layers with SCIM's answers
// (429 and Retry-After, a SCIM 500), lost answers on every write.
func (s *Server) scimCall(ctx context.Context, route, method, path string, q map[string][]string, body []byte, h http.Header) response {
	return s.layers(ctx, route, layered{
		write: method != http.MethodGet,
		throttled: func() response {
			resp := errOf(scimErr(http.StatusTooManyRequests, "", "Too many requests: slow down and retry after the Retry-After seconds"))
			resp.headers = map[string]string{"Retry-After": strconv.Itoa(max(1, int(s.cfg.RetryAfter.Seconds()+0.5)))}
			return resp
		},
		fault: func() response {
			return errOf(scimErr(http.StatusInternalServerError, "", "An unexpected error has occurred. Please retry your request later."))
		},
		handle: func() response { return s.scimRoute(method, path, q, body, h.Get("If-Match"), h.Get("If-None-Match")) },
	})
}

func errOf(e *serr) response { return response{status: e.status, body: e.body()} }

func (s *Server) writeSCIM(w http.ResponseWriter, resp response) {
	for k, v := range resp.headers {
		w.Header().Set(k, v)
	}
	if resp.status == http.StatusNoContent || resp.status == http.StatusNotModified {
		w.WriteHeader(resp.status)
		return
	}
	w.Header().Set("Content-Type", "application/scim+json; charset=UTF-8")
	w.WriteHeader(resp.status)
	json.NewEncoder(w).Encode(resp.body)
}

// dropConn closes the connection without an answer: the lost response.
func dropConn(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func (s *Server) payloadMax() int {
	if s.cfg.SCIMMaxPayload > 0 {
		return s.cfg.SCIMMaxPayload
	}
	return defaultPayload
}

// scimRoute dispatches one SCIM request (or one Bulk operation).
func (s *Server) scimRoute(method, path string, q map[string][]string, body []byte, ifMatch, ifNoneMatch string) response {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	kind, id := parts[0], ""
	if len(parts) == 2 {
		id = parts[1]
	}
	if len(parts) > 2 || (s.meta() && kind != "Users") {
		return errOf(scimErr(http.StatusNotFound, "", "No endpoint %s %s%s", method, SCIMPrefix, path))
	}
	switch {
	case kind == "Users" && id == "" && method == http.MethodGet:
		return s.listUsers(q)
	case kind == "Users" && id == "" && method == http.MethodPost:
		return s.createUser(body)
	case id == ".search" && method == http.MethodPost && (kind == "Users" || kind == "Groups"):
		q, err := searchQuery(body)
		if err != nil {
			return errOf(err)
		}
		if kind == "Groups" {
			return s.listGroups(q)
		}
		return s.listUsers(q)
	case kind == "Users" && id != "":
		return s.userByID(method, id, body, ifMatch, ifNoneMatch)
	case kind == "Groups" && id == "" && method == http.MethodGet:
		return s.listGroups(q)
	case kind == "Groups" && id == "" && method == http.MethodPost:
		return s.createGroup(body)
	case kind == "Groups" && id != "":
		return s.groupByID(method, id, body, ifMatch, ifNoneMatch)
	case kind == "Bulk" && id == "" && method == http.MethodPost:
		return s.bulk(body)
	case method == http.MethodGet && (kind == "ServiceProviderConfig" || kind == "Schemas" || kind == "ResourceTypes"):
		return s.discovery(kind, id)
	}
	return errOf(scimErr(http.StatusNotFound, "", "No endpoint %s %s%s", method, SCIMPrefix, path))
}

func (s *Server) base() string { return SCIMPrefix }

// etags reports whether this profile versions resources (Meta's does not
// say it does: the conservative case for a client).
func (s *Server) etags() bool { return !s.meta() }

// resource answers one resource with its ETag.
func (s *Server) resource(status int, res map[string]any) response {
	resp := response{status: status, body: res, headers: map[string]string{}}
	meta, _ := res["meta"].(map[string]any)
	if s.etags() {
		resp.headers["ETag"], _ = meta["version"].(string)
	} else {
		delete(meta, "version")
	}
	if status == http.StatusCreated {
		resp.headers["Location"], _ = meta["location"].(string)
	}
	return resp
}

// versionMismatch checks If-Match (RFC 7644 §3.14); "*" matches any.
func (s *Server) versionMismatch(ifMatch, version string) *serr {
	if ifMatch == "" || !s.etags() || ifMatch == "*" {
		return nil
	}
	for _, v := range strings.Split(ifMatch, ",") {
		if strings.TrimSpace(v) == version {
			return nil
		}
	}
	return scimErr(http.StatusPreconditionFailed, "invalidVers", "The resource changed: its version is %s, not %s", version, ifMatch)
}

func decodeJSON(body []byte, into any) *serr {
	if len(body) == 0 {
		return badRequest("invalidSyntax", "The request has no JSON body")
	}
	if err := json.Unmarshal(body, into); err != nil {
		return badRequest("invalidSyntax", "The body is not valid JSON: %v", err)
	}
	return nil
}

// userResource renders a under the lock.
func (s *Server) userResource(a *Account) map[string]any {
	mgr := ""
	if m := s.store.byID[a.Manager]; m != nil {
		mgr = m.Name
	}
	return userJSON(a, mgr, s.base())
}

func (s *Server) createUser(body []byte) response {
	var res map[string]any
	if err := decodeJSON(body, &res); err != nil {
		return errOf(err)
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	a := &Account{Active: true, UpdatedAt: now, CreatedAt: now}
	if err := (userInput{res: res, meta: s.meta(), store: st}).applyUser(a); err != nil {
		return errOf(err)
	}
	if s.meta() && !a.Invited { // Meta invites new accounts at once
		a.Invited, a.InvitedAt = true, now
	}
	if !a.Active {
		a.DeactivateAt = now
	}
	a.ID = st.newID()
	if err := st.indexNew(a); err != nil {
		st.nextID--
		return errOf(fromStore(err))
	}
	return s.resource(http.StatusCreated, s.userResource(a))
}

func (s *Server) userByID(method, id string, body []byte, ifMatch, ifNoneMatch string) response {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	a := st.byID[id]
	if a == nil {
		return errOf(scimNotFound("User", id))
	}
	next, resp, done := s.change("User", method, id, s.userResource(a), body, ifMatch, ifNoneMatch, nil)
	if done {
		return resp
	}
	c := *a
	c.Phones = append([]Phone(nil), a.Phones...)
	if err := (userInput{res: next, meta: s.meta(), store: st, self: a}).applyUser(&c); err != nil {
		return errOf(err)
	}
	if err := st.commitUser(a, &c); err != nil {
		return errOf(fromStore(err))
	}
	return s.resource(http.StatusOK, s.userResource(a))
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
		if ifNoneMatch != "" && s.etags() && (ifNoneMatch == "*" || strings.Contains(ifNoneMatch, version)) {
			return nil, response{status: http.StatusNotModified, headers: map[string]string{"ETag": version}}, true
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
	if !strings.EqualFold(a.Email, c.Email) {
		delete(s.byEmail, strings.ToLower(a.Email))
		if c.Email != "" {
			s.byEmail[strings.ToLower(c.Email)] = a
		}
	}
	c.UpdatedAt = now
	s.reindex(a, c)
	*a = *c
	return nil
}

// listing reads startIndex and count (RFC 7644 §3.4.2.4): 1-based, count
// capped at the page cap.
func (s *Server) listing(q map[string][]string) (start, count int, err *serr) {
	start, count = 1, s.cfg.PageCap
	if v := first(q, "startIndex"); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil {
			return 0, 0, badRequest("invalidValue", "startIndex must be an integer, not %q", v)
		}
		start = max(1, n)
	}
	if v := first(q, "count"); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil {
			return 0, 0, badRequest("invalidValue", "count must be an integer, not %q", v)
		}
		count = min(max(0, n), s.cfg.PageCap)
	}
	return start, count, nil
}

func first(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func listResponse(total, start int, page []any) response {
	if page == nil {
		page = []any{}
	}
	return ok(map[string]any{"schemas": []string{scimListURN}, "totalResults": total, "startIndex": start,
		"itemsPerPage": len(page), "Resources": page})
}

func (s *Server) filterMax() int {
	if s.cfg.SCIMFilterMax > 0 {
		return s.cfg.SCIMFilterMax
	}
	return defaultFilterMax
}

// query reads a listing's startIndex, count and filter (nil: none).
func (s *Server) query(q map[string][]string) (start, count int, f *filterNode, err *serr) {
	if start, count, err = s.listing(q); err != nil {
		return 0, 0, nil, err
	}
	if text := first(q, "filter"); text != "" {
		f, err = parseFilter(text)
	}
	return start, count, f, err
}

// pageOf answers the page of hits from start (1-based), rendering only
// what it returns; a filter matching more than filter.maxResults is tooMany.
func pageOf[T any](s *Server, kind string, filtered bool, hits []T, start, count int, render func(T) any) response {
	if filtered && len(hits) > s.filterMax() {
		return errOf(badRequest("tooMany", "The filter matches %d %s, more than the %d this service returns: narrow it", len(hits), kind, s.filterMax()))
	}
	var page []any
	for i := start - 1; i < len(hits) && len(page) < count; i++ {
		page = append(page, render(hits[i]))
	}
	return listResponse(len(hits), start, page)
}

func (s *Server) listUsers(q map[string][]string) response {
	start, count, f, err := s.query(q)
	if err != nil {
		return errOf(err)
	}
	if f != nil && s.meta() {
		if ref, _, ok := f.simpleEq(); !ok || ref.urn != "" || !strings.EqualFold(ref.name, "userName") {
			return errOf(badRequest("invalidFilter", "This service filters only on userName eq \"…\""))
		}
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	hits := st.order // no filter: the creation order
	if f != nil {
		hits = st.findUsers(f, s.userResource)
	}
	return pageOf(s, "Users", f != nil, hits, start, count, func(a *Account) any { return s.stripVersion(s.userResource(a)) })
}

// findUsers answers a filter: by the indexes when it is only eq tests of
// id, userName or externalId joined by or, else by testing every User.
// Caller holds mu.
func (s *store) findUsers(f *filterNode, render func(*Account) map[string]any) []*Account {
	var hits []*Account
	if attr, vals, ok := f.eqSet(); ok {
		var index func(string) *Account
		switch strings.ToLower(attr) {
		case "id":
			index = func(v string) *Account { return s.byID[v] }
		case "username":
			index = func(v string) *Account { return s.byUser[strings.ToLower(v)] }
		case "externalid":
			index = func(v string) *Account { return s.byExt[v] }
		}
		if index != nil {
			seen := map[*Account]bool{}
			for _, v := range vals {
				if a := index(v); a != nil && !seen[a] {
					seen[a] = true
					hits = append(hits, a)
				}
			}
			return hits
		}
	}
	for _, a := range s.order {
		if f.match(render(a)) {
			hits = append(hits, a)
		}
	}
	return hits
}

// searchQuery reads a POST .search body (RFC 7644 §3.4.3) as the query
// of a GET: startIndex and count are JSON numbers there.
func searchQuery(body []byte) (map[string][]string, *serr) {
	var req struct {
		Schemas    []string `json:"schemas"`
		Filter     string   `json:"filter"`
		StartIndex *int     `json:"startIndex"`
		Count      *int     `json:"count"`
	}
	if err := decodeJSON(body, &req); err != nil {
		return nil, err
	}
	if len(req.Schemas) != 1 || req.Schemas[0] != scimSearchURN {
		return nil, badRequest("invalidSyntax", "A search must list the schema %s", scimSearchURN)
	}
	q := map[string][]string{}
	if req.Filter != "" {
		q["filter"] = []string{req.Filter}
	}
	if req.StartIndex != nil {
		q["startIndex"] = []string{strconv.Itoa(*req.StartIndex)}
	}
	if req.Count != nil {
		q["count"] = []string{strconv.Itoa(*req.Count)}
	}
	return q, nil
}

// stripVersion leaves meta.version out where the profile has no ETags.
func (s *Server) stripVersion(res map[string]any) map[string]any {
	if !s.etags() {
		delete(res["meta"].(map[string]any), "version")
	}
	return res
}
