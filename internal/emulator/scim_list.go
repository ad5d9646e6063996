package emulator

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Listings: a filter the profile understands (scim_filter_rules.go), then
// a page, by index (RFC 7644 §3.4.2.4) or by cursor (RFC 9865).

func first(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (s *Server) filterMax() int {
	if s.cfg.SCIMFilterMax > 0 {
		return s.cfg.SCIMFilterMax
	}
	return defaultFilterMax
}

// pageMax is the largest page: the service's documented maximum, else
// Config.PageCap.
func (s *Server) pageMax() int {
	if m := s.prof.paging.maxPage; m > 0 {
		return m
	}
	return s.cfg.PageCap
}

// count reads count: at most pageMax; not a number is invalidValue.
func (s *Server) count(q map[string][]string) (int, *serr) {
	v := first(q, "count")
	if v == "" {
		return s.pageMax(), nil
	}
	n, e := strconv.Atoi(v)
	if e != nil {
		return 0, badRequest("invalidValue", "count must be an integer, not %q", v)
	}
	if s.prof.paging.cursor && n < 1 { // AWS §1: count 1–100
		return 0, badRequest("invalidValue", "count must be between 1 and %d, not %d", s.pageMax(), n)
	}
	return min(max(0, n), s.pageMax()), nil
}

// pageOf answers the page of hits the query asks for, rendering only what
// it returns; a filter matching more than filter.maxResults is tooMany.
func pageOf[T any](s *Server, q map[string][]string, kind string, filtered bool, hits []T, render func(T) any) response {
	if filtered && len(hits) > s.filterMax() {
		return errOf(badRequest("tooMany", "The filter matches %d %s, more than the %d this service returns: narrow it", len(hits), kind, s.filterMax()))
	}
	count, err := s.count(q)
	if err != nil {
		return errOf(err)
	}
	if s.prof.paging.cursor {
		return cursorPage(s, q, hits, count, render)
	}
	start := 1
	if v := first(q, "startIndex"); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil {
			return errOf(badRequest("invalidValue", "startIndex must be an integer, not %q", v))
		}
		start = max(1, n)
	}
	var page []any
	for i := start - 1; i < len(hits) && len(page) < count; i++ {
		page = append(page, render(hits[i]))
	}
	return listResponse(len(hits), start, page)
}

func listResponse(total, start int, page []any) response {
	if page == nil {
		page = []any{}
	}
	return ok(map[string]any{"schemas": []string{scimListURN}, "totalResults": total, "startIndex": start,
		"itemsPerPage": len(page), "Resources": page})
}

// cursorPage pages as AWS does (§1, RFC 9865). Without a cursor parameter
// the answer is the first page, startIndex ignored, and its totalResults
// is the page's size, not the population's (ssosync#1): a listing that
// looks complete. With ?cursor (empty the first time) the answer has
// itemsPerPage, Resources and, until the last page, nextCursor; no
// totalResults, no startIndex. A page may hold one fewer than count while
// more remain, as AWS says its pages may.
func cursorPage[T any](s *Server, q map[string][]string, hits []T, count int, render func(T) any) response {
	cur, asked := q["cursor"]
	if !asked {
		var page []any
		for i := 0; i < len(hits) && len(page) < count; i++ {
			page = append(page, render(hits[i]))
		}
		return listResponse(len(page), 1, page)
	}
	from := 0
	if len(cur) > 0 && cur[0] != "" {
		n, ok := parseCursor(cur[0])
		if !ok || n > len(hits) {
			return errOf(badRequest("invalidCursor", "The cursor %q is not one this service gave, or it has expired: start again with ?cursor", cur[0]))
		}
		from = n
	}
	to := min(from+count, len(hits))
	if s.prof.paging.shortPages && to < len(hits) && to-from > 1 {
		to--
	}
	page := []any{}
	for i := from; i < to; i++ {
		page = append(page, render(hits[i]))
	}
	body := map[string]any{"schemas": []string{scimListURN}, "itemsPerPage": len(page), "Resources": page}
	if to < len(hits) {
		body["nextCursor"] = makeCursor(to)
	}
	return ok(body)
}

func makeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("emu:" + strconv.Itoa(offset)))
}

func parseCursor(c string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(raw), "emu:") {
		return 0, false
	}
	n, err := strconv.Atoi(string(raw[4:]))
	return n, err == nil && n >= 0
}

func (s *Server) listUsers(q map[string][]string) response {
	f, err := s.filterOf(q, s.prof.userFilter)
	if err != nil {
		return errOf(err)
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	var hits []*Account
	for _, a := range st.order { // no filter: the creation order
		if !s.gone[a.ID] {
			hits = append(hits, a)
		}
	}
	if f != nil {
		hits = s.findUsers(f)
		if s.prof.pending.lookupRefused { // Zoom §5: a pending user is a 400, not a hit
			for _, a := range hits {
				if pending(a) {
					return errOf(badRequest("", "User %s not exist or not belong to this account.", UserNameOf(a)))
				}
			}
		}
	}
	return pageOf(s, q, "Users", f != nil, hits, func(a *Account) any { return s.userListed(a) })
}

// findUsers answers a filter: by the indexes when it is only eq tests of
// id, userName or externalId joined by or, else by testing every User.
// Caller holds mu.
func (s *Server) findUsers(f *filterNode) []*Account {
	st := s.store
	var hits []*Account
	if attr, vals, ok := f.eqSet(); ok {
		var index func(string) *Account
		switch strings.ToLower(attr) {
		case "id":
			index = func(v string) *Account { return st.byID[v] }
		case "username":
			index = func(v string) *Account { return st.byUser[strings.ToLower(v)] }
		case "externalid":
			index = func(v string) *Account { return st.byExt[v] }
		}
		if index != nil {
			seen := map[*Account]bool{}
			for _, v := range vals {
				if a := index(v); a != nil && !seen[a] && !s.gone[a.ID] {
					seen[a] = true
					hits = append(hits, a)
				}
			}
			return hits
		}
	}
	var groups map[string][]any
	if f.names("groups") { // AWS §1: groups.value eq "<group id>"
		groups = map[string][]any{}
		for _, ps := range st.setList {
			for _, id := range st.membersOf(ps) {
				groups[id] = append(groups[id], map[string]any{"value": ps.ID})
			}
		}
	}
	for _, a := range st.order {
		if s.gone[a.ID] {
			continue
		}
		u := s.userResource(a)
		if groups != nil {
			u["groups"] = groups[a.ID]
		}
		if f.match(u) {
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
