package scim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wpimport/wpimport/internal/target"
)

// Find returns, by key, the account each key names:
//   - ids by `id eq` in batches, or one a request by GET /Users/{id}
//     (404: none);
//   - emails and user names by `userName eq`, matched here ignoring case
//     as the userName or the work email; a server that matches
//     case-sensitively is asked again in lower case;
//   - external ids by `externalId eq`, matched here exactly; a service
//     that refuses that filter (400: Meta's filters only userName) is
//     asked by userName, which an email-less account has as its
//     external id.
//
// Where Capabilities say so (LookupBatch > 1) up to that many values go
// in one request joined by ` or `; a chunk the service refuses to filter
// (400), or whose answer cannot settle a key (more matches than asked
// for, two accounts for one key), is asked again one value at a time.
// Two accounts for one key are then an error, never a guess.
func (c *Client) Find(ctx context.Context, keys []target.Key) (map[target.Key]*target.Account, error) {
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	var ids, logins, exts []string
	seen := map[string]bool{}
	add := func(list *[]string, kind, v string) {
		if v != "" && !seen[kind+"\x00"+v] {
			seen[kind+"\x00"+v] = true
			*list = append(*list, v)
		}
	}
	for _, k := range keys {
		switch k.Kind {
		case target.ByID:
			add(&ids, "id", k.Value)
		case target.ByEmail, target.ByUserName:
			add(&logins, "login", k.Value)
		case target.ByExternalID:
			add(&exts, "ext", k.Value)
		}
	}
	found := map[string]map[string]*target.Account{}
	for _, lk := range []struct {
		by   *lookupBy
		vals []string
	}{{byID, ids}, {byLogin, logins}, {byExternalID, exts}} {
		if found[lk.by.attr], err = c.findBy(ctx, lk.by, lk.vals, caps.LookupBatch); err != nil {
			return nil, err
		}
	}
	out := map[target.Key]*target.Account{}
	for _, k := range keys {
		var a *target.Account
		switch k.Kind {
		case target.ByID:
			a = found[byID.attr][k.Value]
		case target.ByEmail, target.ByUserName:
			a = found[byLogin.attr][k.Value]
		case target.ByExternalID:
			a = found[byExternalID.attr][k.Value]
		}
		if a != nil {
			out[k] = a
		}
	}
	return out, nil
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
func (by *lookupBy) matches(res []map[string]any) map[string][]*target.Account {
	out := map[string][]*target.Account{}
	for _, u := range res {
		a := accountOf(u, nil) // a listing's ETag is not a User's version
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
	if batch <= 1 {
		for _, v := range vals {
			single = append(single, one{v: v})
		}
	}
	for i := 0; batch > 1 && i < len(vals); i += batch {
		part := vals[i:min(i+batch, len(vals))]
		res, complete, err := c.filter(ctx, by.attr, part, len(part))
		if isBadRequest(err) {
			for _, v := range part { // the service cannot filter so after all
				single = append(single, one{v: v})
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		hits := by.matches(res)
		for _, v := range part {
			switch h := hits[by.norm(v)]; {
			case len(h) == 1 && complete:
				out[v] = h[0]
			case len(h) > 0 || !complete:
				single = append(single, one{v: v})
			case by.fold && strings.ToLower(v) != v:
				single = append(single, one{v: v, lowerOnly: true}) // a server matching case-sensitively
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
		a := accountOf(u, ans.header)
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
		switch h := by.matches(res)[by.norm(v)]; len(h) {
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
