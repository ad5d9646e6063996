package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/scim"
	"github.com/wpimport/wpimport/internal/workplace"
)

// check says, without writing anything, whether the target answers,
// accepts the token, and what it supports.
func cmdCheck(ctx context.Context, e *env, args []string) (int, error) {
	var o targetOptions
	fs := newFlagSet(e, "check", "[--api graph|scim] [--api-url URL] [--token-file F]",
		"WPIMPORT_TOKEN=… wpimport check --api scim --api-url https://scim.workplace.com/")
	o.register(fs, e)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if len(pos) > 0 {
		return exitUsage, usageErr("unexpected arguments: %v", pos)
	}
	retry := execute.DefaultRetry
	retry.Tries = 2
	layer := execute.NewLayer(2, retry)
	layer.SetUnreachableAfter(5 * time.Second)
	client, err := o.client(e, layer)
	if err != nil {
		return exitUsage, err
	}
	w := e.stdout
	fmt.Fprintf(w, "Target:      %s API at %s\n", o.API, client.BaseURL())
	switch c := client.(type) {
	case *scim.Client:
		err = checkSCIM(ctx, w, c)
	case *workplace.Client:
		err = checkGraph(ctx, w, c)
	}
	if err != nil {
		fmt.Fprintf(w, "Result:      NOT READY\n")
		return exitFatal, o.apiFailure(err)
	}
	fmt.Fprintf(w, "Result:      ready (nothing was written; API calls: %d)\n", client.Calls())
	return exitOK, nil
}

func reachLine(w io.Writer, err error) {
	var te *workplace.TransportError
	var ue *execute.UnreachableError
	switch {
	case err == nil:
		fmt.Fprintf(w, "Reachable:   yes\nToken:       accepted\n")
	case errors.As(err, &te) || errors.As(err, &ue):
		fmt.Fprintf(w, "Reachable:   NO\n")
	case workplace.IsFatal(err):
		fmt.Fprintf(w, "Reachable:   yes\nToken:       REFUSED\n")
	default:
		fmt.Fprintf(w, "Reachable:   yes\n")
	}
}

func checkSCIM(ctx context.Context, w io.Writer, c *scim.Client) error {
	caps, err := c.Discover(ctx)
	if err != nil {
		reachLine(w, err)
		return err
	}
	probe, err := c.Probe(ctx)
	reachLine(w, err)
	if err != nil {
		return err
	}
	if caps.Discovered {
		fmt.Fprintf(w, "Discovery:   /ServiceProviderConfig answered\n")
	} else {
		fmt.Fprintf(w, "Discovery:   none (404): safe defaults, as for Meta's service\n")
	}
	yn := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	fmt.Fprintf(w, "PATCH:       %s%s\n", yn(caps.Patch), map[bool]string{false: " (updates are GET, change, PUT)", true: ""}[caps.Patch])
	fmt.Fprintf(w, "ETags:       %s%s\n", yn(caps.ETag), map[bool]string{false: " (changes since the plan are caught by re-reading before apply)", true: " (updates send If-Match)"}[caps.ETag])
	bulk := yn(caps.Bulk)
	if caps.Bulk {
		bulk += fmt.Sprintf(" (at most %d operations, %d bytes a request)", caps.BulkMaxOps, caps.BulkMaxPayload)
	}
	fmt.Fprintf(w, "Bulk:        %s\n", bulk)
	filter := yn(caps.Filter)
	if caps.FilterMax > 0 {
		filter += fmt.Sprintf(" (at most %d results)", caps.FilterMax)
	}
	fmt.Fprintf(w, "Filters:     %s\nSorting:     %s\nGroups:      %s\n", filter, yn(caps.Sort), yn(caps.Groups))
	fmt.Fprintf(w, "Extensions:  %s\n", orNone(caps.Extensions))
	if caps.Discovered {
		fmt.Fprintf(w, "Auth:        %s\n", orNone(caps.AuthSchemes))
	}
	fmt.Fprintf(w, "Not carried: %s\n", strings.Join(caps.Uncarried(), ", "))
	total := "not given (wpimport will not plan deactivations from such a listing)"
	if probe.Total >= 0 {
		total = fmt.Sprint(probe.Total)
	}
	fmt.Fprintf(w, "Users:       %s\n", total)
	paging := "honours startIndex and count"
	switch {
	case probe.Total < 2:
		paging = "cannot be told with fewer than 2 users (wpimport detects a page it did not ask for as it lists)"
	case !probe.PageHonoured:
		paging = "IGNORES startIndex or count in the query (wpimport pages by POST /Users/.search instead)"
	}
	fmt.Fprintf(w, "Paging:      %s; itemsPerPage sent as %s\n", paging, probe.ItemsPerPage)
	fmt.Fprintf(w, "Rate:        %s\n", headerList(probe.RateHeaders))
	return nil
}

func checkGraph(ctx context.Context, w io.Writer, c *workplace.Client) error {
	errStop := errors.New("stop")
	pages := 0
	err := c.ListMembers(ctx, workplace.ListOptions{Fields: []string{"id"}, Limit: 1}, func([]workplace.Account) error {
		pages++
		return errStop
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	reachLine(w, err)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Listing:     /community/members answered (cursor paging)\n")
	fmt.Fprintf(w, "Not carried: %s\n", strings.Join(workplace.Uncarried(), ", "))
	usage := "X-App-Usage 0% (or not sent): wpimport paces by --rate and slows on throttling"
	if u := c.Usage(); u > 0 {
		usage = fmt.Sprintf("X-App-Usage: %d%% of the budget used", u)
	}
	fmt.Fprintf(w, "Rate:        %s\n", usage)
	return nil
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

func headerList(h map[string]string) string {
	if len(h) == 0 {
		return "no rate headers sent (wpimport paces by --rate and slows on 429)"
	}
	var out []string
	for k, v := range h {
		out = append(out, k+": "+v)
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}
