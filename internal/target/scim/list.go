package scim

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/wpimport/wpimport/internal/target"
)

// listResponse is a page of a listing (RFC 7644 §3.4.2; RFC 9865 adds
// nextCursor).
type listResponse struct {
	TotalResults *int             `json:"totalResults"`
	StartIndex   any              `json:"startIndex"`
	ItemsPerPage any              `json:"itemsPerPage"`
	NextCursor   string           `json:"nextCursor"`
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

// ListAll calls fn with every User, active or not, a page at a time, each
// once; it fails rather than end on a listing it cannot show complete.
func (c *Client) ListAll(ctx context.Context, fn func([]target.Account) error) error {
	return c.listResources(ctx, "/Users", "account", func(res []map[string]any) error {
		page := make([]target.Account, len(res))
		for i, u := range res {
			page[i] = c.account(u, nil)
		}
		return fn(page)
	})
}

// lister is one listing of a resource endpoint (/Users, /Groups).
type lister struct {
	c          *Client
	path, what string
	fn         func([]map[string]any) error
	// seen are the resources this pass saw (a listing that starts again,
	// by cursor or by .search, starts a new pass); sent those given to fn,
	// in any pass: fn never gets a resource twice.
	seen, sent map[string]bool
}

// again starts a new pass of the listing.
func (l *lister) again() { l.seen = map[string]bool{} }

// listResources pages through a resource endpoint, giving fn each page's
// resources not seen before (pages are not stable: a resource seen twice
// counts once):
//   - by RFC 9865 cursors where the capabilities say (the dialect, or
//     discovery's pagination), or as soon as an answer offers a
//     nextCursor: complete when the cursors run out (and at least
//     totalResults were seen, if given);
//   - else by startIndex, the next one the last plus the resources
//     returned (never itemsPerPage, which some services echo from the
//     count asked), to totalResults. A server that ignores startIndex and
//     count in the query (SCIMMY under Express 5) is asked by POST
//     …/.search (RFC 7644 §3.4.3). A first page whose totalResults is its
//     own size (AWS without a cursor: the page, not the population) is
//     confirmed by asking the next; a later page that repeats earlier
//     ones means startIndex is ignored: cursors are tried, then .search.
//
// Seeing fewer resources than totalResults, a listing without totalResults
// or cursors, or one whose pages cannot be told apart, is an error: nothing
// may be planned from a listing that cannot be shown complete. Where no
// way of paging works, the capabilities say so from then on (Complete
// false: plans look each row up).
func (c *Client) listResources(ctx context.Context, path, what string, fn func([]map[string]any) error) error {
	// Discovery is not asked for a listing: the dialect, and what
	// discovery and earlier answers showed if asked already, decide.
	paging, search := c.dialect.paging, false
	c.discMu.Lock()
	if c.caps != nil {
		paging, search = c.caps.Paging, c.wire.search
	}
	c.discMu.Unlock()
	l := &lister{c: c, path: path, what: what, fn: fn, seen: map[string]bool{}, sent: map[string]bool{}}
	switch paging {
	case target.PageCursor:
		return l.byCursor(ctx, "", false)
	case target.PageNone:
		c.discMu.Lock()
		why := c.caps.Origin("paging")
		c.discMu.Unlock()
		return l.fail("the %s listing cannot be shown complete (%s): plans look each row up instead, and --sync and group removals are refused", path, why)
	}
	return l.byIndex(ctx, search)
}

// take gives fn the resources of a page not given before; fresh counts
// those this pass had not seen.
func (l *lister) take(res []map[string]any) (fresh int, err error) {
	var page []map[string]any
	for _, r := range res {
		id := str(r, "id")
		if id == "" || l.seen[id] {
			continue
		}
		l.seen[id] = true
		fresh++
		if l.sent[id] {
			continue
		}
		l.sent[id] = true
		page = append(page, r)
	}
	if len(page) > 0 {
		err = l.fn(page)
	}
	return fresh, err
}

func (l *lister) fail(format string, args ...any) error {
	return &target.Error{Kind: target.Invalid, Target: Name, Method: "GET", Path: l.path, Message: fmt.Sprintf(format, args...)}
}

// byIndex pages by startIndex and count, in the query or (search) in POST
// …/.search.
func (l *lister) byIndex(ctx context.Context, search bool) error {
	c, size := l.c, l.c.pageSize
	total, exhaust, confirmed := -1, false, false
	for start := 1; ; {
		var lr listResponse
		var err error
		if search {
			body := map[string]any{"schemas": []string{SearchRequest}, "startIndex": start, "count": size}
			_, err = c.do(ctx, request{method: "POST", path: l.path + "/.search", body: body, idempotent: true}, &lr)
		} else {
			q := url.Values{"startIndex": {strconv.Itoa(start)}, "count": {strconv.Itoa(size)}}
			_, err = c.do(ctx, request{method: "GET", path: l.path, query: q, idempotent: true}, &lr)
		}
		if err != nil {
			return err
		}
		if lr.NextCursor != "" { // the service pages by cursor (RFC 9865)
			if _, err := l.take(lr.Resources); err != nil {
				return err
			}
			c.narrow("paging", "an answer of "+l.path+" offered a nextCursor: paging by RFC 9865 cursors",
				func(caps *target.Capabilities, _ *wire) { caps.Paging = target.PageCursor })
			return l.byCursor(ctx, lr.NextCursor, false)
		}
		if start > 1 && len(lr.Resources) > 0 && l.repeats(lr.Resources) {
			if got, ok := lr.StartIndex.(float64); ok && confirmed && int(got) == start && start > total {
				// Asked past the end to confirm, the service says it
				// read the index asked and answers the first page again
				// (SCIMMY's .search): the end, not an ignored index.
				break
			}
			return l.startIgnored(ctx, search)
		}
		if !search && ignoredPaging(lr, start, size) {
			search = true
			if start > 1 {
				continue // this page is not the one asked for: ask again
			}
		}
		if lr.TotalResults == nil {
			return l.fail("the %s listing has no totalResults (%d %ss seen so far): wpimport cannot tell whether it saw every %s, and plans nothing from it",
				l.path, len(l.seen)+len(lr.Resources), l.what, l.what)
		}
		total = *lr.TotalResults
		fresh, err := l.take(lr.Resources)
		if err != nil {
			return err
		}
		n := len(lr.Resources)
		if confirmed && fresh > 0 {
			exhaust = true // more than totalResults said: page on until an empty page
		}
		start += n
		switch {
		case n == 0:
		case exhaust:
			continue
		case start > total && start == 1+n && total == n && !confirmed:
			// The first page says it is everything: ask the next to be sure.
			confirmed = true
			continue
		case start <= total:
			continue
		}
		break
	}
	if !exhaust && len(l.seen) < total {
		return l.fail("the %s listing returned %d %ss but the service counts %d: wpimport plans nothing from a short listing (it would deactivate or re-create the ones missing)",
			l.path, len(l.seen), l.what, total)
	}
	return nil
}

// repeats reports a page whose resources were all seen before.
func (l *lister) repeats(res []map[string]any) bool {
	for _, r := range res {
		if !l.seen[str(r, "id")] {
			return false
		}
	}
	return true
}

// startIgnored lists again a service that answered a later page with the
// first one: by RFC 9865 cursors if it answers them, else by POST
// …/.search; else the listing cannot be made complete, and the
// capabilities say so from then on.
func (l *lister) startIgnored(ctx context.Context, searched bool) error {
	l.again()
	if err := l.byCursor(ctx, "", true); err != errNoCursor {
		if err == nil {
			l.c.narrow("paging", "a second page of "+l.path+" repeated the first (startIndex ignored); the service answers RFC 9865 cursors",
				func(caps *target.Capabilities, _ *wire) { caps.Paging = target.PageCursor })
		}
		return err
	}
	if !searched {
		l.again()
		err := l.byIndex(ctx, true)
		if err == nil {
			l.c.narrow("paging", "a second page of "+l.path+" repeated the first (startIndex ignored); listed by POST "+l.path+"/.search",
				func(_ *target.Capabilities, w *wire) { w.search = true })
		}
		if te := target.As(err); te == nil || te.Kind != target.NotFound && te.Status != 400 && te.Status != 405 && te.Status != 501 {
			return err
		}
	}
	why := "a second page of " + l.path + " repeated the first (startIndex ignored), and the service answers neither RFC 9865 cursors nor POST " + l.path + "/.search"
	l.c.narrow("paging", why, func(caps *target.Capabilities, _ *wire) { caps.Paging, caps.Complete = target.PageNone, false })
	return l.fail("the %s listing cannot be shown complete: %s. wpimport plans nothing from it: plans look each row up instead, and --sync and group removals are refused", l.path, why)
}

// errNoCursor says a cursor probe's answer was not in cursor form.
var errNoCursor = fmt.Errorf("the service does not page by cursor")

// byCursor pages by RFC 9865 cursors from cursor ("" for the first page).
// probing, the first answer must show it is a cursor page (a nextCursor,
// or no startIndex and totalResults), else errNoCursor.
func (l *lister) byCursor(ctx context.Context, cursor string, probing bool) error {
	c, total, asked := l.c, -1, map[string]bool{}
	for {
		var lr listResponse
		q := url.Values{"cursor": {cursor}, "count": {strconv.Itoa(c.pageSize)}}
		if _, err := c.do(ctx, request{method: "GET", path: l.path, query: q, idempotent: true}, &lr); err != nil {
			if probing && isBadRequest(err) {
				return errNoCursor
			}
			return err
		}
		if probing && lr.NextCursor == "" && (lr.TotalResults != nil || lr.StartIndex != nil) {
			return errNoCursor
		}
		probing = false
		if _, err := l.take(lr.Resources); err != nil {
			return err
		}
		if lr.TotalResults != nil {
			total = *lr.TotalResults
		}
		if lr.NextCursor == "" {
			break
		}
		if asked[lr.NextCursor] {
			return l.fail("the %s listing gave the cursor %q twice: its pages cannot be told apart, and wpimport plans nothing from it", l.path, lr.NextCursor)
		}
		asked[lr.NextCursor] = true
		cursor = lr.NextCursor
	}
	if len(l.seen) < total {
		return l.fail("the %s listing returned %d %ss but the service counts %d: wpimport plans nothing from a short listing (it would deactivate or re-create the ones missing)",
			l.path, len(l.seen), l.what, total)
	}
	return nil
}
