package scim

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/wpimport/wpimport/internal/target"
)

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

// ListAll calls fn with every User, active or not, a page at a time, each
// once; it fails rather than end on a listing short of totalResults.
func (c *Client) ListAll(ctx context.Context, fn func([]target.Account) error) error {
	return c.listResources(ctx, "/Users", "account", func(res []map[string]any) error {
		page := make([]target.Account, len(res))
		for i, u := range res {
			page[i] = accountOf(u, nil)
		}
		return fn(page)
	})
}

// listResources pages through a resource endpoint (/Users, /Groups): the
// next startIndex is the last one plus the resources returned (never
// itemsPerPage, which some services echo from the count asked), to
// totalResults. A server that ignores startIndex and count in the query
// (SCIMMY's routers under Express 5 never read them as numbers) is asked
// the same by POST …/.search (RFC 7644 §3.4.3), where they are JSON
// numbers. fn gets each page's resources not seen before (pages are not
// stable: a resource seen twice counts once). Seeing fewer resources than
// totalResults, or a listing without totalResults, is an error: nothing
// may be planned from a listing that cannot be shown complete.
func (c *Client) listResources(ctx context.Context, path, what string, fn func([]map[string]any) error) error {
	seen := map[string]bool{}
	total := -1
	search := false
	for start := 1; ; {
		var lr listResponse
		var err error
		if search {
			body := map[string]any{"schemas": []string{SearchRequest}, "startIndex": start, "count": c.pageSize}
			_, err = c.do(ctx, request{method: "POST", path: path + "/.search", body: body, idempotent: true}, &lr)
		} else {
			q := url.Values{"startIndex": {strconv.Itoa(start)}, "count": {strconv.Itoa(c.pageSize)}}
			_, err = c.do(ctx, request{method: "GET", path: path, query: q, idempotent: true}, &lr)
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
			return &target.Error{Kind: target.Invalid, Target: Name, Method: "GET", Path: path,
				Message: fmt.Sprintf("the %s listing has no totalResults (%d %ss seen so far): wpimport cannot tell whether it saw every %s, and plans nothing from it",
					path, len(seen)+len(lr.Resources), what, what)}
		}
		total = *lr.TotalResults
		var fresh []map[string]any
		for _, r := range lr.Resources {
			id := str(r, "id")
			if id == "" || seen[id] {
				continue
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
		return &target.Error{Kind: target.Invalid, Target: Name, Method: "GET", Path: path,
			Message: fmt.Sprintf("the %s listing returned %d %ss but the service counts %d: wpimport plans nothing from a short listing (it would deactivate or re-create the ones missing)",
				path, len(seen), what, total)}
	}
	return nil
}
