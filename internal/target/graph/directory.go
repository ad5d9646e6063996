package graph

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// ErasureGrace is how long after deactivation personal data may be erased
// (Workplace's documented 4 days).
const ErasureGrace = 4 * 24 * time.Hour

// lookupChunk is how many ids, emails or external ids one call carries:
// ?ids= and external_ids= take 50 (each id still counts as one call).
const lookupChunk = 50

// pageSize is the page asked for when listing (the server caps it).
const pageSize = 100

// maxEmptyPages is how many empty pages with a next link a listing
// follows in a row before it stops with an error.
const maxEmptyPages = 20

// Capabilities are Workplace's, as documented (API-NOTES.md).
func (c *Client) Capabilities(context.Context) (*target.Capabilities, error) {
	c.capsOnce.Do(func() { c.caps = capabilities() })
	return c.caps, nil
}

func capabilities() *target.Capabilities {
	carries := target.FieldSet(roster.Name, roster.Email, roster.ExternalID, roster.Title, roster.Department,
		roster.Organization, roster.Division, roster.CostCenter, roster.WorkLocale, roster.AuthMethod, roster.Manager,
		roster.Active, roster.Invited, roster.IsFrontline, roster.HasAccess, roster.Phone, roster.WorkPhone,
		roster.MobilePhone, roster.PhoneType, roster.PictureURL, roster.PictureFile, roster.NewEmail)
	reads := target.FieldSet(roster.Name, roster.Email, roster.ExternalID, roster.Title, roster.Department,
		roster.Organization, roster.Division, roster.CostCenter, roster.WorkLocale, roster.StartDate, roster.Manager,
		roster.Active, roster.IsFrontline, roster.HasAccess, roster.Phone, roster.FirstName, roster.LastName)
	c := &target.Capabilities{
		Target: Name, Service: "Workplace's Graph API",
		Carries: carries, Reads: reads,
		LookupBy:    []target.KeyKind{target.ByID, target.ByEmail, target.ByExternalID},
		LookupBatch: lookupChunk,
		// ?ids= counts each id as one call (API-NOTES.md).
		LookupPerKey: []target.KeyKind{target.ByID, target.ByEmail},
		Paging:       target.PageCursor, Complete: true,
		PeopleSets: true,
		Delete:     target.DeleteUnclaimed, Erase: true, EraseGrace: ErasureGrace,
		PictureURL: true, PictureFile: true,
		ReactivationClearsManager: true,
		ReadsClaim:                true,
	}
	for _, k := range []string{"fields", "lookup", "paging", "people sets", "delete", "erase", "pictures", "reactivation"} {
		c.SetOrigin(k, "documented (Graph API)")
	}
	return c
}

// page is one page of a listing.
type page struct {
	Data   []member `json:"data"`
	Paging struct {
		Cursors struct {
			After string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// ListAll lists the active members, then the deactivated ones.
func (c *Client) ListAll(ctx context.Context, fn func([]target.Account) error) error {
	seen := map[string]bool{}
	each := func(active bool) func([]member) error {
		return func(p []member) error {
			out := make([]target.Account, 0, len(p))
			for i := range p {
				if p[i].ID == "" || seen[p[i].ID] {
					continue
				}
				seen[p[i].ID] = true
				out = append(out, p[i].account(active))
			}
			if len(out) == 0 {
				return nil
			}
			return fn(out)
		}
	}
	if err := c.list(ctx, "/community/members", nil, each(true)); err != nil {
		return fmt.Errorf("list active members: %w", err)
	}
	if err := c.listDeactivated(ctx, each(false)); err != nil {
		return fmt.Errorf("list deactivated members: %w", err)
	}
	return nil
}

func (c *Client) listDeactivated(ctx context.Context, fn func([]member) error) error {
	return c.list(ctx, "/community/organization_members", url.Values{"inactive": {"1"}}, fn)
}

// list calls fn with each page, following next.
func (c *Client) list(ctx context.Context, path string, q url.Values, fn func([]member) error) error {
	if q == nil {
		q = url.Values{}
	}
	q.Set("fields", memberFields)
	if q.Get("limit") == "" {
		q.Set("limit", fmt.Sprint(pageSize))
	}
	req := request{method: "GET", path: path, query: q, idempotent: true}
	// A server whose paging repeats itself, or that sends empty pages
	// without end, would keep us listing forever.
	seen, empty := map[string]bool{}, 0
	for pages := 1; ; pages++ {
		var p page
		if err := c.do(ctx, req, &p); err != nil {
			return err
		}
		if err := fn(p.Data); err != nil {
			return err
		}
		// Only the absence of a next link ends a listing: Graph filters a
		// page after choosing it, so a page may be short, or empty, and
		// still have more after it (API-NOTES.md; Graph's "Paginated
		// Results": "use the absence of next").
		if p.Paging.Next == "" {
			return nil
		}
		if empty = empty + 1; len(p.Data) > 0 {
			empty = 0
		}
		if empty > maxEmptyPages {
			return &target.Error{Kind: target.Invalid, Target: Name, Method: "GET", Path: path,
				Message: fmt.Sprintf("the server sent %d empty pages in a row, each with a next link; "+
					"the listing was stopped, and nothing was planned from it", empty)}
		}
		next, err := c.sameHost(path, p.Paging.Next)
		if err != nil {
			return err
		}
		after := p.Paging.Cursors.After
		if seen[next] || (after != "" && seen["after:"+after]) {
			return &target.Error{Kind: target.Invalid, Target: Name, Method: "GET", Path: path,
				Message: fmt.Sprintf("the server's paging repeats itself after %d pages (the same next link or cursor twice); "+
					"the listing was stopped, and nothing was planned from it", pages)}
		}
		seen[next], seen["after:"+after] = true, true
		req = request{method: "GET", path: path, full: next, idempotent: true}
	}
}

// sameHost refuses to follow a next link to another host (it would get
// the token): the listing stops with a classified error, as when paging
// repeats itself.
func (c *Client) sameHost(path, next string) (string, error) {
	u, err := url.Parse(next)
	if err != nil || u.Host != c.base.Host {
		msg := fmt.Sprintf("the next page link %q cannot be read", next)
		if err == nil {
			msg = fmt.Sprintf("the next page link points at %s, not %s; refusing to send the token there", u.Host, c.base.Host)
		}
		return "", &target.Error{Kind: target.Invalid, Target: Name, Method: "GET", Path: path,
			Message: msg + ": the listing was stopped, and nothing was planned from it"}
	}
	if c.base.Scheme == "https" {
		u.Scheme = "https"
	}
	return u.String(), nil
}

// Find looks accounts up: ids and emails by ?ids= (50 a call, each id
// counted), external ids by external_ids= (50 a call). external_ids sees
// only active members, so external ids it does not find are looked for in
// the deactivated listing, once.
func (c *Client) Find(ctx context.Context, keys []target.Key) (map[target.Key]*target.Account, error) {
	out := map[target.Key]*target.Account{}
	var refs, exts []string
	byRef := map[string][]target.Key{}
	seenExt := map[string]bool{}
	for _, k := range keys {
		switch k.Kind {
		case target.ByID, target.ByEmail, target.ByUserName:
			if len(byRef[k.Value]) == 0 {
				refs = append(refs, k.Value)
			}
			byRef[k.Value] = append(byRef[k.Value], k)
		case target.ByExternalID:
			if !seenExt[k.Value] {
				seenExt[k.Value] = true
				exts = append(exts, k.Value)
			}
		}
	}
	for i := 0; i < len(refs); i += lookupChunk {
		part := refs[i:min(i+lookupChunk, len(refs))]
		q := url.Values{"ids": {strings.Join(part, ",")}, "fields": {memberFields}}
		var m map[string]*member
		err := c.do(ctx, request{method: "GET", path: "/", query: q, weight: len(part), idempotent: true}, &m)
		if err != nil && !target.IsNotFound(err) {
			return nil, err
		}
		for ref, mem := range m {
			if mem == nil {
				continue
			}
			a := mem.account(true)
			for _, k := range byRef[ref] {
				if k.Matches(&a) || k.Kind == target.ByUserName && strings.EqualFold(a.Email, k.Value) {
					out[k] = &a
				}
			}
		}
	}
	found := map[string]*target.Account{}
	for i := 0; i < len(exts); i += lookupChunk {
		part := exts[i:min(i+lookupChunk, len(exts))]
		q := url.Values{"external_ids": {strings.Join(part, ",")}, "limit": {fmt.Sprint(len(part))}}
		err := c.list(ctx, "/community/members", q, func(p []member) error {
			for j := range p {
				a := p[j].account(true)
				if err := addUnique(found, &a); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	missing := 0
	for _, e := range exts {
		if found[e] == nil {
			missing++
		}
	}
	if missing > 0 {
		err := c.listDeactivated(ctx, func(p []member) error {
			for j := range p {
				if seenExt[p[j].ExternalID] {
					a := p[j].account(false)
					if err := addUnique(found, &a); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("list deactivated members: %w", err)
		}
	}
	for _, e := range exts {
		if a := found[e]; a != nil {
			out[target.Key{Kind: target.ByExternalID, Value: e}] = a
		}
	}
	return out, nil
}

// addUnique files a under its external id; two accounts for one id are an
// error, never a guess.
func addUnique(found map[string]*target.Account, a *target.Account) error {
	if a.ExternalID == "" {
		return nil
	}
	if o := found[a.ExternalID]; o != nil && o.ID != a.ID {
		return &target.Error{Kind: target.Invalid, Target: Name, Method: "GET", Path: "/community/members",
			Message: fmt.Sprintf("two accounts have the external_id %s (ids %s and %s): wpimport will not guess; fix them in the Admin Panel", a.ExternalID, o.ID, a.ID)}
	}
	found[a.ExternalID] = a
	return nil
}

var _ target.Prober = (*Client)(nil)

// Probe reads one member, writing nothing, and says what the service
// showed: that the listing answers, and its usage header.
func (c *Client) Probe(ctx context.Context) ([]target.Fact, error) {
	q := url.Values{"fields": {"id"}, "limit": {"1"}}
	var p page
	if err := c.do(ctx, request{method: "GET", path: "/community/members", query: q, idempotent: true}, &p); err != nil {
		return nil, err
	}
	usage := "X-App-Usage 0% (or not sent): wpimport paces by --rate and slows on throttling"
	if u := c.Usage(); u > 0 {
		usage = fmt.Sprintf("X-App-Usage: %d%% of the budget used", u)
	}
	return []target.Fact{{Name: "Listing", Value: "/community/members answered (cursor paging)"}, {Name: "Rate", Value: usage}}, nil
}
