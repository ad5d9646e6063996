package scim

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/target"
)

var _ target.Prober = (*Client)(nil)

// Probe says, writing nothing, what wpimport check prints beyond the
// capabilities: the dialect and why, how many Users the service counts,
// how it pages, its rate headers and documented write budget. A service of
// no known dialect is probed as a plan would find it, so that check prints
// what apply will meet: two keys joined by `or` (a 400 makes look-ups one
// key a request), and a second page of one User (the first again: startIndex
// is ignored, and cursors, then .search, are tried).
func (c *Client) Probe(ctx context.Context) ([]target.Fact, error) {
	caps, _, err := c.state(ctx)
	if err != nil {
		return nil, err
	}
	facts := []target.Fact{{Name: "Dialect", Value: c.dialect.name + " (" + c.dialectFrom + ")"}}
	first, ans, err := c.onePage(ctx, caps.Paging, 1, "")
	if err != nil {
		return nil, err
	}
	if !c.dialect.known {
		if err := c.probeOr(ctx, caps); err != nil {
			return nil, err
		}
		if err := c.probePaging(ctx, first); err != nil {
			return nil, err
		}
		cursor := caps.Paging == target.PageCursor
		if caps, _, _ = c.state(ctx); caps.Paging == target.PageCursor && !cursor {
			first.TotalResults = nil // it counted its page, not the population
		}
	}
	total := "not given"
	switch {
	case first.TotalResults != nil:
		total = strconv.Itoa(*first.TotalResults)
	case caps.Paging == target.PageCursor:
		total = "not given (listings go by cursor to the end)"
	}
	facts = append(facts, target.Fact{Name: "Users", Value: total})
	paging := string(caps.Paging) + "; itemsPerPage sent as " + fmtAny(first.ItemsPerPage)
	if !caps.Complete {
		paging += "; cannot be listed completely: --sync and group removals are refused"
	}
	facts = append(facts, target.Fact{Name: "Paging", Value: paging + " [" + caps.Origin("paging") + "]"})
	rate := "no rate headers sent (wpimport paces by --rate and slows on 429)"
	var hs []string
	for k, v := range ans.header {
		l := strings.ToLower(k)
		if l == "retry-after" || strings.HasPrefix(l, "ratelimit") || strings.HasPrefix(l, "x-ratelimit") || strings.HasPrefix(l, "x-rate-limit") {
			hs = append(hs, k+": "+strings.Join(v, ", "))
		}
	}
	if len(hs) > 0 {
		sort.Strings(hs)
		rate = strings.Join(hs, "; ") + fmt.Sprintf(" (%d%% of the budget used)", c.Usage())
	}
	facts = append(facts, target.Fact{Name: "Rate", Value: rate})
	if b := caps.WriteBudget; !b.IsZero() {
		facts = append(facts, target.Fact{Name: "Budget", Value: fmt.Sprintf("%d %s %s (SCIM-DIALECTS.md %s): 10,000 take at least %s",
			b.N, b.Of, per(b.Per), c.dialect.section, b.Time(10000).Round(time.Minute))})
	}
	if d := c.disc; d.Discovered {
		auth := "none named"
		if len(d.AuthSchemes) > 0 {
			auth = strings.Join(d.AuthSchemes, ", ")
		}
		facts = append(facts, target.Fact{Name: "Auth", Value: auth})
	}
	return facts, nil
}

func per(d time.Duration) string {
	switch d {
	case time.Hour:
		return "an hour"
	case time.Minute:
		return "a minute"
	}
	return "every " + d.String()
}

// onePage asks one page of count Users: by cursor, or from startIndex.
func (c *Client) onePage(ctx context.Context, paging target.Paging, start int, cursor string) (listResponse, answer, error) {
	var lr listResponse
	q := url.Values{"startIndex": {strconv.Itoa(start)}, "count": {"1"}}
	if paging == target.PageCursor {
		q = url.Values{"cursor": {cursor}, "count": {"1"}}
	}
	ans, err := c.do(ctx, request{method: "GET", path: "/Users", query: q, idempotent: true}, &lr)
	return lr, ans, err
}

// probeOr asks two keys joined by `or` where look-ups are batched: a 400
// makes them one key a request.
func (c *Client) probeOr(ctx context.Context, caps *target.Capabilities) error {
	if caps.LookupBatch <= 1 {
		return nil
	}
	_, _, err := c.filter(ctx, "userName", []string{"wpimport-probe-1@example.invalid", "wpimport-probe-2@example.invalid"}, 2)
	if isBadRequest(err) {
		c.narrow("lookup", fmt.Sprintf("the service refused 2 keys joined by or (HTTP 400%s): one key a request", prefixed(" ", target.As(err).Code)),
			func(caps *target.Capabilities, _ *wire) { caps.LookupBatch = 1 })
		return nil
	}
	return err
}

// probePaging asks the second page of one User. A nextCursor offered, or
// the first page again (startIndex ignored) and a cursor page answered,
// means cursors (RFC 9865); else a second page by POST /Users/.search
// means .search; else the population cannot be listed completely. The
// capabilities then say so, as a listing would have found.
func (c *Client) probePaging(ctx context.Context, first listResponse) error {
	caps, _, err := c.state(ctx)
	if err != nil || caps.Paging != target.PageIndex || len(first.Resources) == 0 {
		return err
	}
	cursors := func(why string) {
		c.narrow("paging", why, func(caps *target.Capabilities, _ *wire) { caps.Paging = target.PageCursor })
	}
	if first.NextCursor != "" {
		cursors("an answer of /Users offered a nextCursor: paging by RFC 9865 cursors")
		return nil
	}
	// Asked even when totalResults says 1: AWS's first page counts itself.
	second, _, err := c.onePage(ctx, target.PageIndex, 2, "")
	id := str(first.Resources[0], "id")
	if err != nil || len(second.Resources) == 0 || str(second.Resources[0], "id") != id {
		return err
	}
	ignored := "a second page of /Users repeated the first (startIndex ignored)"
	if lr, _, err := c.onePage(ctx, target.PageCursor, 0, ""); err == nil && (lr.NextCursor != "" || lr.TotalResults == nil && lr.StartIndex == nil) {
		cursors(ignored + "; the service answers RFC 9865 cursors")
		return nil
	}
	var lr listResponse
	body := map[string]any{"schemas": []string{SearchRequest}, "startIndex": 2, "count": 1}
	if _, err := c.do(ctx, request{method: "POST", path: "/Users/.search", body: body, idempotent: true}, &lr); err == nil &&
		len(lr.Resources) > 0 && str(lr.Resources[0], "id") != id {
		c.narrow("paging", ignored+"; listed by POST /Users/.search", func(_ *target.Capabilities, w *wire) { w.search = true })
		return nil
	}
	why := ignored + ", and the service answers neither RFC 9865 cursors nor POST /Users/.search"
	c.narrow("paging", why, func(caps *target.Capabilities, _ *wire) { caps.Paging, caps.Complete = target.PageNone, false })
	return nil
}

func fmtAny(v any) string {
	switch t := v.(type) {
	case nil:
		return "(none)"
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case string:
		return strconv.Quote(t)
	}
	return "?"
}
