package scim

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/workplace"
)

// The Client as the rest of wpimport sees a target.

// unsupported is the row's error for what a SCIM service cannot carry.
func unsupported(method, path, what string) error {
	return &workplace.APIError{SCIM: true, Method: method, Path: path, Code: 100,
		Message: what + " cannot be done over SCIM; wpimport did not drop it: fix the roster or use the Graph target"}
}

func notFound(method, path, what string) error {
	return &workplace.APIError{SCIM: true, Method: method, Path: path, HTTPStatus: http.StatusNotFound, Code: 100, Subcode: 33,
		Message: "HTTP 404: no User " + what}
}

// accountOf reads a SCIM User the way wpimport compares accounts. It is
// lenient about shapes servers differ on (a bare-string manager, "true"
// as a string) since reading them loses nothing.
func accountOf(u map[string]any) workplace.Account {
	a := workplace.Account{ID: str(u, "id"), ExternalID: str(u, "externalId"), Title: str(u, "title")}
	name, _ := get(u, "name").(map[string]any)
	a.Name = cmp.Or(str(u, "displayName"), str(name, "formatted"), strings.TrimSpace(str(name, "givenName")+" "+str(name, "familyName")))
	userName := str(u, "userName")
	if e := pick(get(u, "emails"), "work"); e != nil {
		a.Email = str(e, "value")
	}
	if a.Email == "" && strings.Contains(userName, "@") {
		a.Email = userName
	}
	a.WorkLocale = strings.Replace(str(u, "locale"), "-", "_", 1)
	if b, ok := boolOf(get(u, "active")); ok {
		a.Active = &b
	}
	ent, _ := get(u, Enterprise).(map[string]any)
	a.Department, a.Division, a.Organization, a.CostCenter = str(ent, "department"), str(ent, "division"), str(ent, "organization"), str(ent, "costCenter")
	switch m := get(ent, "manager").(type) {
	case map[string]any:
		if id := cmp.Or(str(m, "value"), str(m, "managerId")); id != "" {
			a.Managers = &workplace.Edge{Data: []workplace.EdgeMember{{ID: id, Name: str(m, "displayName")}}}
		}
	case string:
		if m != "" {
			a.Managers = &workplace.Edge{Data: []workplace.EdgeMember{{ID: m}}}
		}
	}
	if meta, ok := get(u, "meta").(map[string]any); ok {
		a.Version = str(meta, "version")
	}
	if am, ok := get(u, AuthMethod).(map[string]any); ok {
		a.AuthMethod = strings.ToLower(str(am, "authMethod"))
	}
	claimed := true // unknown: taken as claimed, so that --delete-unclaimed never deletes on a guess
	if st, ok := get(u, Status).(map[string]any); ok {
		if b, ok := boolOf(get(st, "invited")); ok {
			a.Invited = &b
		}
		if b, ok := boolOf(get(st, "claimed")); ok {
			claimed = b
		}
	}
	a.Claimed = &claimed
	if d, ok := get(u, Dates).(map[string]any); ok {
		if n, ok := get(d, "startDate").(float64); ok {
			a.StartDate = time.Unix(int64(n), 0).UTC().Format(time.DateOnly)
		}
	}
	if list, ok := get(u, "phoneNumbers").([]any); ok {
		var ph []workplace.PhoneNumber
		for _, x := range list {
			if m, ok := x.(map[string]any); ok {
				p, _ := boolOf(get(m, "primary"))
				ph = append(ph, workplace.PhoneNumber{Number: str(m, "value"), Type: str(m, "type"), Primary: p})
				if p {
					a.PrimaryPhone = str(m, "value")
				}
			}
		}
		if len(ph) > 0 {
			a.Phones = &workplace.PhoneEdge{Data: ph}
		}
	}
	return a
}

// get reads an attribute, ignoring case (RFC 7643 §2.1).
func get(m map[string]any, name string) any {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

func str(m map[string]any, name string) string {
	switch v := get(m, name).(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func boolOf(v any) (bool, bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		b, err := strconv.ParseBool(strings.ToLower(t))
		return b, err == nil
	}
	return false, false
}

func pick(v any, typ string) map[string]any {
	list, _ := v.([]any)
	var primary, first map[string]any
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			continue
		}
		if strings.EqualFold(str(m, "type"), typ) {
			return m
		}
		if p, _ := boolOf(get(m, "primary")); p && primary == nil {
			primary = m
		}
		if first == nil {
			first = m
		}
	}
	if primary != nil {
		return primary
	}
	return first
}

// remember keeps the version of a User just read or written.
func (c *Client) remember(u map[string]any, hdr http.Header) {
	id := str(u, "id")
	if id == "" {
		return
	}
	v := hdr.Get("ETag")
	if meta, ok := get(u, "meta").(map[string]any); ok && v == "" {
		v = str(meta, "version")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v != "" {
		c.versions[id] = v
	}
}

func (c *Client) version(id string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.caps == nil || !c.caps.ETag {
		return ""
	}
	if v, ok := c.pinned[id]; ok {
		return v
	}
	return c.versions[id]
}

// PinVersions makes writes to these accounts send the version the plan
// read (id → version) as If-Match, rather than the last one read: a
// change by anyone since the plan then refuses the write (412) and the op
// is stale. Our own successful writes move the pin along.
func (c *Client) PinVersions(v map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, ver := range v {
		if ver != "" {
			c.pinned[id] = ver
		}
	}
}

// listResponse is a page of a listing (RFC 7644 §3.4.2).
type listResponse struct {
	TotalResults *int             `json:"totalResults"`
	StartIndex   any              `json:"startIndex"`
	ItemsPerPage any              `json:"itemsPerPage"`
	Resources    []map[string]any `json:"Resources"`
}

// ignoredPaging reports a page that is not the one asked for: another
// startIndex, or more resources than the count.
func ignoredPaging(lr listResponse, start, count int) bool {
	if got, ok := lr.StartIndex.(float64); ok && int(got) != start {
		return true
	}
	return len(lr.Resources) > count
}

// ShortListingError is a listing that returned fewer accounts than the
// service counts: nothing may be planned from it.
type ShortListingError struct {
	Path        string
	Seen, Total int
}

func (e *ShortListingError) Error() string {
	return fmt.Sprintf("the %s listing returned %d resources but the service counts %d: wpimport plans nothing from a short listing (it would deactivate or re-create the ones missing). Try again; if it repeats, the service's paging is broken", e.Path, e.Seen, e.Total)
}

// listAll pages through /Users: the next startIndex is the last one plus
// the resources returned (never itemsPerPage), to totalResults. A server
// that ignores startIndex and count in the query (SCIMMY's routers under
// Express 5 do: the query strings are never read as numbers) is asked
// the same by POST /Users/.search (RFC 7644 §3.4.3), where they are JSON
// numbers.
func (c *Client) listAll(ctx context.Context, fn func([]workplace.Account) error) error {
	return c.listResources(ctx, "/Users", "account", func(res []map[string]any) error {
		page := make([]workplace.Account, len(res))
		for i, u := range res {
			c.remember(u, nil)
			page[i] = accountOf(u)
		}
		return fn(page)
	})
}

// listResources pages through a resource endpoint (/Users, /Groups) as
// listAll says, handing fn each page's resources not seen before.
func (c *Client) listResources(ctx context.Context, path, what string, fn func([]map[string]any) error) error {
	seen := map[string]bool{}
	total := -1
	search := false
	for start := 1; ; {
		var lr listResponse
		var ans answer
		var err error
		if search {
			body := map[string]any{"schemas": []string{SearchRequest}, "startIndex": start, "count": c.pageSize}
			ans, err = c.do(ctx, request{method: "POST", path: path + "/.search", body: body}, &lr)
		} else {
			q := url.Values{"startIndex": {strconv.Itoa(start)}, "count": {strconv.Itoa(c.pageSize)}}
			ans, err = c.do(ctx, request{method: "GET", path: path, query: q}, &lr)
		}
		if err != nil {
			return err
		}
		if !search && ignoredPaging(lr, start, c.pageSize) {
			search = true
			if start > 1 {
				continue // this page is not the one asked for: ask again
			}
		}
		if lr.TotalResults == nil {
			return &workplace.APIError{SCIM: true, Method: "GET", Path: path, HTTPStatus: ans.status, Code: 100,
				Message: "the listing has no totalResults: wpimport cannot tell whether it saw every " + what}
		}
		total = *lr.TotalResults
		var fresh []map[string]any
		for _, r := range lr.Resources {
			id := str(r, "id")
			if id == "" || seen[id] {
				continue // pages are not stable: a resource seen twice counts once
			}
			seen[id] = true
			fresh = append(fresh, r)
		}
		if len(fresh) > 0 {
			if err := fn(fresh); err != nil {
				return err
			}
		}
		n := len(lr.Resources)
		start += n
		if n == 0 || start > total {
			break
		}
	}
	if len(seen) < total {
		return &ShortListingError{Path: path, Seen: len(seen), Total: total}
	}
	return nil
}

// ListMembers calls fn with the active accounts, a page at a time; the
// same pass keeps the inactive ones for ListDeactivated, so a plan reads
// the service once.
func (c *Client) ListMembers(ctx context.Context, opts workplace.ListOptions, fn func([]workplace.Account) error) error {
	if len(opts.ExternalIDs) > 0 {
		found, err := c.LookupExternalIDs(ctx, opts.ExternalIDs, nil, 0)
		if err != nil {
			return err
		}
		return fn(activeOnly(found, true))
	}
	var inactive []workplace.Account
	err := c.listAll(ctx, func(page []workplace.Account) error {
		inactive = append(inactive, activeOnly(page, false)...)
		if act := activeOnly(page, true); len(act) > 0 {
			return fn(act)
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.inactive, c.listed = inactive, true
	c.mu.Unlock()
	return nil
}

// ListDeactivated calls fn with the inactive accounts.
func (c *Client) ListDeactivated(ctx context.Context, opts workplace.ListOptions, fn func([]workplace.Account) error) error {
	c.mu.Lock()
	listed, inactive := c.listed, c.inactive
	c.mu.Unlock()
	if listed {
		if len(inactive) == 0 {
			return nil
		}
		return fn(inactive)
	}
	return c.listAll(ctx, func(page []workplace.Account) error {
		if in := activeOnly(page, false); len(in) > 0 {
			return fn(in)
		}
		return nil
	})
}

func activeOnly(list []workplace.Account, active bool) []workplace.Account {
	var out []workplace.Account
	for _, a := range list {
		if (a.Active == nil || *a.Active) == active {
			out = append(out, a)
		}
	}
	return out
}

// filterValue writes a filter's value as a JSON string (RFC 7644 §3.4.2.2).
func filterValue(v string) string {
	data, _ := json.Marshal(v)
	return string(data)
}

// find runs a filtered look-up and returns every User it answers.
func (c *Client) find(ctx context.Context, attr, value string) ([]map[string]any, error) {
	var lr listResponse
	q := url.Values{"filter": {attr + " eq " + filterValue(value)}, "count": {"10"}}
	ans, err := c.do(ctx, request{method: "GET", path: "/Users", query: q}, &lr)
	if err != nil {
		return nil, err
	}
	for _, u := range lr.Resources {
		c.remember(u, ans.header)
	}
	return lr.Resources, nil
}

// GetMember reads one account by id, or by userName (an email) where the
// service's match is checked here: ignoring case, and never two.
func (c *Client) GetMember(ctx context.Context, idOrEmail string, _ []string) (*workplace.Account, error) {
	if !strings.Contains(idOrEmail, "@") {
		var u map[string]any
		path := "/Users/" + url.PathEscape(idOrEmail)
		ans, err := c.do(ctx, request{method: "GET", path: path}, &u)
		if err != nil {
			return nil, err
		}
		c.remember(u, ans.header)
		a := accountOf(u)
		return &a, nil
	}
	tries := []string{idOrEmail}
	if l := strings.ToLower(idOrEmail); l != idOrEmail {
		tries = append(tries, l) // a server that matches userName case-sensitively
	}
	for _, v := range tries {
		users, err := c.find(ctx, "userName", v)
		if err != nil {
			return nil, err
		}
		var hits []workplace.Account
		for _, u := range users {
			if a := accountOf(u); strings.EqualFold(str(u, "userName"), idOrEmail) || strings.EqualFold(a.Email, idOrEmail) {
				hits = append(hits, a)
			}
		}
		switch len(hits) {
		case 0:
			continue
		case 1:
			return &hits[0], nil
		default:
			return nil, &workplace.APIError{SCIM: true, Method: "GET", Path: "/Users", Code: 100,
				Message: fmt.Sprintf("%d accounts have the userName %s (ids %s and %s): wpimport will not guess; fix the service", len(hits), idOrEmail, hits[0].ID, hits[1].ID)}
		}
	}
	return nil, notFound("GET", "/Users", "with this userName")
}

// LookupExternalIDs finds accounts by externalId, exactly. A service that
// cannot filter on externalId (Meta's filters only userName) is asked by
// userName, which an email-less account has as its external id.
func (c *Client) LookupExternalIDs(ctx context.Context, ids, _ []string, _ int) ([]workplace.Account, error) {
	var out []workplace.Account
	for _, id := range ids {
		users, err := c.find(ctx, "externalId", id)
		var ae *workplace.APIError
		if err != nil && errors.As(err, &ae) && ae.HTTPStatus == http.StatusBadRequest {
			users, err = c.find(ctx, "userName", id)
		}
		if err != nil {
			return nil, err
		}
		n := 0
		for _, u := range users {
			if a := accountOf(u); a.ExternalID == id {
				out = append(out, a)
				n++
			}
		}
		if n > 1 {
			return nil, &workplace.APIError{SCIM: true, Method: "GET", Path: "/Users", Code: 100,
				Message: fmt.Sprintf("%d accounts have the externalId %s: wpimport will not guess; fix the service", n, id)}
		}
	}
	return out, nil
}

// manyChunk is how many ids or userNames one filtered read asks for.
const manyChunk = 50

// GetMany reads accounts by id or email; missing ones are left out. Where
// the service filters (its discovery says so), they are read 50 a call
// with `id eq "…" or …` and `userName eq "…" or …`, the answers checked
// here; else, and for whatever a page could not settle, one by one.
func (c *Client) GetMany(ctx context.Context, refs, fields []string) (map[string]*workplace.Account, error) {
	out := map[string]*workplace.Account{}
	caps, err := c.Discover(ctx)
	if err != nil {
		return nil, err
	}
	var ids, emails []string
	for _, ref := range refs {
		if strings.Contains(ref, "@") {
			emails = append(emails, ref)
		} else {
			ids = append(ids, ref)
		}
	}
	single := append([]string(nil), refs...)
	if caps.Discovered && caps.Filter && (caps.FilterMax == 0 || caps.FilterMax >= manyChunk) {
		restIDs, err := c.readBy(ctx, "id", ids, false, out)
		if err != nil {
			return nil, err
		}
		restEmails, err := c.readBy(ctx, "userName", emails, true, out)
		if err != nil {
			return nil, err
		}
		single = append(restIDs, restEmails...)
	}
	for _, ref := range single {
		a, err := c.GetMember(ctx, ref, fields)
		if workplace.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[ref] = a
	}
	return out, nil
}

// readBy reads refs manyChunk a call with `attr eq … or …` into out (by
// ref), checking each answer itself: ids exactly, userNames ignoring case
// (as userName or work email). It returns the refs a page did not settle:
// all of a chunk the service refused to filter, those a short page left
// out, and any two accounts answer to (GetMember then says so).
func (c *Client) readBy(ctx context.Context, attr string, refs []string, fold bool, out map[string]*workplace.Account) ([]string, error) {
	var rest []string
	norm := func(s string) string {
		if fold {
			return strings.ToLower(s)
		}
		return s
	}
	for i := 0; i < len(refs); i += manyChunk {
		part := refs[i:min(i+manyChunk, len(refs))]
		terms := make([]string, len(part))
		for j, r := range part {
			terms[j] = attr + " eq " + filterValue(r)
		}
		var lr listResponse
		q := url.Values{"filter": {strings.Join(terms, " or ")}, "count": {strconv.Itoa(len(part))}}
		ans, err := c.do(ctx, request{method: "GET", path: "/Users", query: q}, &lr)
		var ae *workplace.APIError
		if errors.As(err, &ae) && ae.HTTPStatus == http.StatusBadRequest {
			rest = append(rest, part...) // the service cannot filter so after all
			continue
		}
		if err != nil {
			return nil, err
		}
		found := map[string][]*workplace.Account{}
		for _, u := range lr.Resources {
			a := accountOf(u)
			keys := []string{norm(a.ID)}
			if fold {
				keys = []string{norm(str(u, "userName")), norm(a.Email)}
			}
			seen := map[string]bool{}
			for _, k := range keys {
				if k != "" && !seen[k] {
					seen[k] = true
					found[k] = append(found[k], &a)
				}
			}
			c.remember(u, ans.header)
		}
		complete := lr.TotalResults != nil && *lr.TotalResults <= len(lr.Resources) && len(lr.Resources) <= len(part)
		for _, r := range part {
			switch hits := found[norm(r)]; {
			case len(hits) == 1:
				out[r] = hits[0]
			case len(hits) > 1 || !complete:
				rest = append(rest, r)
			case fold && strings.ToLower(r) != r:
				rest = append(rest, r) // a server matching case-sensitively: GetMember asks again in lower case
			}
		}
	}
	return rest, nil
}
