package scim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// Find returns, by key, the account each key names:
//   - ids by `id eq` in batches, or one a request by GET /Users/{id}
//     (404: none);
//   - emails and user names by `userName eq` (emails by the dialect's
//     attribute where the userName is not the email: Slack's `emails eq`,
//     §2), matched here ignoring case as the userName or the work email;
//     a server that matches case-sensitively is asked again in lower case;
//   - external ids by `externalId eq`, matched here exactly; a service
//     that refuses that filter (400) is asked by userName, which an
//     email-less account has as its external id;
//   - keys of a kind the service cannot filter on (Capabilities.LookupBy:
//     GitHub filters neither emails nor the userNames it rewrites, §3) from
//     one complete listing, compared as the service compares (Same).
//
// Where Capabilities say so (LookupBatch > 1) up to that many values go
// in one request joined by ` or `; a chunk the service refuses to filter
// (400) is asked again one value at a time, and from then on every
// look-up goes one key a request (a probe: LookupBatch becomes 1). A
// chunk whose answer cannot settle a key (more matches than asked for,
// two accounts for one key) is asked again one value at a time. Two
// accounts for one key are then an error, never a guess.
func (c *Client) Find(ctx context.Context, keys []target.Key) (map[target.Key]*target.Account, error) {
	caps, w, err := c.state(ctx)
	if err != nil {
		return nil, err
	}
	lists := map[*lookupBy][]string{}
	var listed []target.Key
	seen := map[string]bool{}
	add := func(by *lookupBy, v string) {
		if v != "" && !seen[by.attr+"\x00"+v] {
			seen[by.attr+"\x00"+v] = true
			lists[by] = append(lists[by], v)
		}
	}
	byEmail := byLogin
	if w.emailFilter != "userName" {
		byEmail = &lookupBy{attr: w.emailFilter, what: "email", fold: true, answers: byLogin.answers}
	}
	for _, k := range keys {
		switch {
		case !caps.CanLookUp(k.Kind):
			listed = append(listed, k)
		case k.Kind == target.ByID:
			add(byID, k.Value)
		case k.Kind == target.ByEmail:
			add(byEmail, k.Value)
		case k.Kind == target.ByUserName:
			add(byLogin, k.Value)
		case k.Kind == target.ByExternalID:
			add(byExternalID, k.Value)
		}
	}
	found := map[*lookupBy]map[string]*target.Account{}
	for _, by := range []*lookupBy{byID, byLogin, byEmail, byExternalID} {
		if _, done := found[by]; done {
			continue
		}
		if found[by], err = c.findBy(ctx, by, lists[by], caps.LookupBatch); err != nil {
			return nil, err
		}
	}
	out := map[target.Key]*target.Account{}
	for _, k := range keys {
		var a *target.Account
		switch k.Kind {
		case target.ByID:
			a = found[byID][k.Value]
		case target.ByEmail:
			a = found[byEmail][k.Value]
		case target.ByUserName:
			a = found[byLogin][k.Value]
		case target.ByExternalID:
			a = found[byExternalID][k.Value]
		}
		if a != nil {
			out[k] = a
		}
	}
	if len(listed) > 0 {
		if err := c.findListed(ctx, caps, listed, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// findListed finds keys the service cannot filter on in one listing,
// comparing as the service compares; two accounts for one key are an
// error.
func (c *Client) findListed(ctx context.Context, caps *target.Capabilities, keys []target.Key, out map[target.Key]*target.Account) error {
	hits := map[target.Key][]*target.Account{}
	err := c.ListAll(ctx, func(page []target.Account) error {
		for i := range page {
			a := &page[i]
			for _, k := range keys {
				if k.Matches(a) || k.Kind == target.ByUserName && caps.Equal(roster.UserName, k.Value, a.LoginName()) {
					hits[k] = append(hits[k], a)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		switch h := hits[k]; len(h) {
		case 0:
		case 1:
			out[k] = h[0]
		default:
			return &target.Error{Kind: target.Invalid, Target: Name, Method: "GET", Path: "/Users",
				Message: fmt.Sprintf("%d accounts answer to the %s %s (ids %s and %s): wpimport will not guess which one is meant",
					len(h), strings.ReplaceAll(string(k.Kind), "_", " "), k.Value, h[0].ID, h[1].ID)}
		}
	}
	return nil
}

// lookupBy is how one kind of key is looked up.
type lookupBy struct {
	attr string // filtered on
	what string // for messages
	// answers lists the values (folded, if fold) an account answers to.
	answers func(u map[string]any, a *target.Account) []string
	fold    bool
	// fallback is the attribute to filter on when the service refuses
	// attr (400), "" for none.
	fallback string
}

var (
	byID = &lookupBy{attr: "id", what: "id",
		answers: func(_ map[string]any, a *target.Account) []string { return []string{a.ID} }}
	byLogin = &lookupBy{attr: "userName", what: "userName or email", fold: true,
		answers: func(u map[string]any, a *target.Account) []string {
			return []string{strings.ToLower(str(u, "userName")), strings.ToLower(a.Email)}
		}}
	byExternalID = &lookupBy{attr: "externalId", what: "externalId", fallback: "userName",
		answers: func(_ map[string]any, a *target.Account) []string { return []string{a.ExternalID} }}
)

func (by *lookupBy) norm(v string) string {
	if by.fold {
		return strings.ToLower(v)
	}
	return v
}

// matches sorts the Users of an answer by the values they answer to; an
// account answering to one value twice (userName and email) counts once.
func (c *Client) matches(by *lookupBy, res []map[string]any) map[string][]*target.Account {
	out := map[string][]*target.Account{}
	for _, u := range res {
		a := c.account(u, nil) // a listing's ETag is not a User's version
		done := map[string]bool{}
		for _, v := range by.answers(u, &a) {
			if v != "" && !done[v] {
				done[v] = true
				out[v] = append(out[v], &a)
			}
		}
	}
	return out
}

// findBy finds the account of each value, batch values a request where
// batch > 1; values no account answers to are left out.
func (c *Client) findBy(ctx context.Context, by *lookupBy, vals []string, batch int) (map[string]*target.Account, error) {
	out := map[string]*target.Account{}
	type one struct {
		v         string
		lowerOnly bool // asked as given already: ask in lower case only
	}
	var single []one
	var lower []string // not found as given, in batches: asked in lower case
	if batch <= 1 {
		for _, v := range vals {
			single = append(single, one{v: v})
		}
	}
	for i := 0; batch > 1 && i < len(vals); i += batch {
		part := vals[i:min(i+batch, len(vals))]
		res, complete, err := c.filter(ctx, by.attr, part, len(part))
		if err == nil && !complete && len(res) > 1 && len(res) < len(part) {
			// The service answers fewer resources a request than asked
			// (SCIMMY: 20, whatever the count): batches of that size.
			batch = len(res)
			c.narrow("lookup", fmt.Sprintf("the service answered at most %d resources a request: %d keys joined by or", batch, batch),
				func(caps *target.Capabilities, _ *wire) { caps.LookupBatch = min(caps.LookupBatch, batch) })
			i -= batch // ask this part again, in smaller batches
			continue
		}
		if isBadRequest(err) && len(part) > 1 {
			// The service cannot take `or` after all: one key a request,
			// from now on.
			c.narrow("lookup", fmt.Sprintf("the service refused %d keys joined by or (HTTP 400%s): one key a request",
				len(part), prefixed(" ", target.As(err).Code)), func(caps *target.Capabilities, _ *wire) { caps.LookupBatch = 1 })
			batch = 1
			for _, v := range vals[i:] {
				single = append(single, one{v: v})
			}
			break
		}
		if isBadRequest(err) {
			single = append(single, one{v: part[0]})
			continue
		}
		if err != nil {
			return nil, err
		}
		hits := c.matches(by, res)
		for _, v := range part {
			switch h := hits[by.norm(v)]; {
			case len(h) == 1 && complete:
				out[v] = h[0]
			case len(h) > 0 || !complete:
				single = append(single, one{v: v})
			case by.fold && strings.ToLower(v) != v:
				lower = append(lower, v) // a server matching case-sensitively
			}
		}
	}
	if len(lower) > 0 {
		// Asked again in lower case, in batches too.
		vals := make([]string, len(lower))
		for i, v := range lower {
			vals[i] = strings.ToLower(v)
		}
		found, err := c.findBy(ctx, by, slices.Compact(slices.Sorted(slices.Values(vals))), batch)
		if err != nil {
			return nil, err
		}
		for _, v := range lower {
			if a := found[strings.ToLower(v)]; a != nil {
				out[v] = a
			}
		}
	}
	for _, o := range single {
		a, err := c.findOne(ctx, by, o.v, o.lowerOnly)
		if err != nil {
			return nil, err
		}
		if a != nil {
			out[o.v] = a
		}
	}
	return out, nil
}

// findOne finds the one account of a value, or nil: asked as given, then
// in lower case (a server that matches userName case-sensitively), or in
// lower case only.
func (c *Client) findOne(ctx context.Context, by *lookupBy, v string, lowerOnly bool) (*target.Account, error) {
	if by == byID {
		var u map[string]any
		ans, err := c.do(ctx, request{method: "GET", path: userPath(v), idempotent: true}, &u)
		if target.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		a := c.account(u, ans.header)
		return &a, nil
	}
	var tries []string
	if !lowerOnly {
		tries = append(tries, v)
	}
	if by.fold && strings.ToLower(v) != v {
		tries = append(tries, strings.ToLower(v))
	}
	for _, t := range tries {
		res, _, err := c.filter(ctx, by.attr, []string{t}, 10)
		if isBadRequest(err) && by.fallback != "" {
			res, _, err = c.filter(ctx, by.fallback, []string{t}, 10)
		}
		if err != nil {
			return nil, err
		}
		switch h := c.matches(by, res)[by.norm(v)]; len(h) {
		case 0:
			continue
		case 1:
			return h[0], nil
		default:
			return nil, &target.Error{Kind: target.Invalid, Target: Name, Method: "GET", Path: "/Users",
				Message: fmt.Sprintf("%d accounts answer to the %s %s (ids %s and %s): wpimport will not guess which one is meant",
					len(h), by.what, v, h[0].ID, h[1].ID)}
		}
	}
	return nil, nil
}

// filter asks for the Users whose attr equals one of vals (`or`-joined),
// at most count of them. complete says the answer holds every match.
func (c *Client) filter(ctx context.Context, attr string, vals []string, count int) ([]map[string]any, bool, error) {
	terms := make([]string, len(vals))
	for i, v := range vals {
		terms[i] = attr + " eq " + filterValue(v)
	}
	var lr listResponse
	q := url.Values{"filter": {strings.Join(terms, " or ")}, "count": {strconv.Itoa(count)}}
	if _, err := c.do(ctx, request{method: "GET", path: "/Users", query: q, idempotent: true}, &lr); err != nil {
		return nil, false, err
	}
	complete := lr.TotalResults != nil && *lr.TotalResults <= len(lr.Resources) && len(lr.Resources) <= count
	return lr.Resources, complete, nil
}

// filterValue writes a filter's value as a JSON string (RFC 7644 §3.4.2.2).
func filterValue(v string) string {
	data, _ := json.Marshal(v)
	return string(data)
}

func isBadRequest(err error) bool {
	te := target.As(err)
	return te != nil && te.Status == http.StatusBadRequest
}

// userPath is a User's path, its id one escaped segment.
func userPath(id string) string { return "/Users/" + url.PathEscape(id) }

// prefixed is p+s, or "" for an empty s.
func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}
