package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// check says, without writing anything, whether the target answers,
// accepts the token, and what it supports, with where each capability
// came from.
func cmdCheck(ctx context.Context, e *env, args []string) error {
	var o targetOptions
	fs := newFlagSet(e, "check", "[--api graph|scim] [--api-url URL] [--token-file F]",
		"WPIMPORT_TOKEN=… wpimport check --api scim --api-url https://scim.workplace.com/")
	o.register(fs, e)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected arguments: %v", pos)
	}
	retry := pace.DefaultRetry
	retry.Tries = 2
	tgt, layer, err := o.open(e, 2, retry)
	if err != nil {
		return err
	}
	defer tgt.Close()
	layer.SetUnreachableAfter(5 * time.Second)
	w := e.stdout
	fmt.Fprintf(w, "Target:      %s API at %s\n", o.API, tgt.URL())
	if err := checkTarget(ctx, w, tgt); err != nil {
		fmt.Fprintf(w, "Result:      NOT READY\n")
		return o.apiFailure(err)
	}
	fmt.Fprintf(w, "Result:      ready (nothing was written; API calls: %d)\n", tgt.Calls())
	return exitCode(exitOK)
}

func reachLine(w io.Writer, err error) {
	var ue *target.Unreachable
	te := target.As(err)
	switch {
	case err == nil:
		fmt.Fprintf(w, "Reachable:   yes\nToken:       accepted\n")
	case errors.As(err, &ue) || te != nil && te.Kind == target.UnknownOutcome && te.Status == 0:
		fmt.Fprintf(w, "Reachable:   NO\n")
	case target.IsFatal(err):
		fmt.Fprintf(w, "Reachable:   yes\nToken:       REFUSED\n")
	default:
		fmt.Fprintf(w, "Reachable:   yes\n")
	}
}

// checkTarget asks the target what it can do, and what it sees of the
// service, writing nothing.
func checkTarget(ctx context.Context, w io.Writer, t target.Target) error {
	caps, err := t.Capabilities(ctx)
	if err != nil {
		reachLine(w, err)
		return err
	}
	var facts []target.Fact
	if pr, ok := t.(target.Prober); ok {
		facts, err = pr.Probe(ctx)
	}
	reachLine(w, err)
	if err != nil {
		return err
	}
	// Probes narrow what the target learned: show what apply will meet.
	if now, err := t.Capabilities(ctx); err == nil {
		caps = now
	}
	yn := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	from := func(name string) string {
		if o := caps.Origin(name); o != "" {
			return "  [" + o + "]"
		}
		return ""
	}
	line := func(name, value, origin string) { fmt.Fprintf(w, "%-12s %s%s\n", name+":", value, from(origin)) }
	line("Service", caps.Service, "")
	var lookup []string
	for _, k := range caps.LookupBy {
		lookup = append(lookup, string(k))
	}
	batch := "one key a request"
	if caps.LookupBatch > 1 {
		batch = fmt.Sprintf("up to %d keys a request", caps.LookupBatch)
	}
	line("Look-ups", fmt.Sprintf("by %s; %s", strings.Join(lookup, ", "), batch), "lookup")
	paging := string(caps.Paging)
	if !caps.Complete {
		paging += " (cannot be listed completely: --sync and group removals are refused)"
	}
	line("Listing", paging, "paging")
	line("Versions", yn(caps.Versions)+map[bool]string{false: " (changes since the plan are caught by re-reading before apply)", true: " (updates send If-Match)"}[caps.Versions], "versions")
	bulk := yn(caps.Bulk)
	if caps.Bulk {
		bulk += fmt.Sprintf(" (at most %d operations a request; apply --bulk)", caps.BulkMax)
	}
	line("Bulk", bulk, "bulk")
	groups := yn(caps.Groups)
	if caps.Groups && !caps.GroupMembersRead {
		groups += " (members cannot be read: no removals)"
	}
	line("Groups", groups, "groups")
	line("People sets", yn(caps.PeopleSets), "people sets")
	del := string(caps.Delete)
	if del == "" {
		del = "none"
	}
	line("Delete", del, "delete")
	line("Erase", yn(caps.Erase), "erase")
	line("Reactivate", map[bool]string{true: "clears the manager: plans set it again", false: "keeps the manager"}[caps.ReactivationClearsManager], "reactivation")
	if caps.InvitesOnCreate {
		line("Invitations", "sent at once to every account created", "invitations")
	}
	line("Carried", fieldList(caps.Carries), "fields")
	var unread []string
	for _, f := range append(slices.Clone(roster.Fields), roster.UserName) {
		switch f {
		case roster.PhoneType, roster.NewEmail, roster.Groups, roster.MobilePhone, roster.WorkPhone, roster.ID:
			continue // not values of an account: how others are given
		}
		if caps.Carries[f] && !caps.Reads[f] {
			unread = append(unread, string(f))
		}
	}
	if len(unread) > 0 {
		line("Not read", strings.Join(unread, ", ")+" (set, never compared)", "fields")
	}
	line("Not carried", strings.Join(notCarriedOf(caps), ", "), "fields")
	if len(caps.Required) > 0 {
		var req []string
		for _, f := range caps.Required {
			req = append(req, string(f))
		}
		line("Required", strings.Join(req, ", ")+" (on every new account)", "rules")
	}
	for _, r := range caps.Rules {
		line("Rule", fmt.Sprintf("%s: %s", r.Field, r.Why), "rules")
	}
	if caps.MaxPhones > 0 {
		line("Phones", fmt.Sprintf("at most %d a person (the primary number is sent, the others are named not carried)", caps.MaxPhones), "phones")
	}
	for _, f := range slices.Sorted(maps.Keys(caps.Defaults)) {
		line("Default", fmt.Sprintf("%s reads back as %s when cleared (a cleared cell is not planned again)", f, caps.Defaults[f]), "defaults")
	}
	for _, f := range facts {
		line(f.Name, f.Value, "")
	}
	return nil
}

// notCarriedOf lists the roster fields the target cannot carry, in roster
// order (the fields only plan reads left out).
func notCarriedOf(caps *target.Capabilities) []string {
	var out []string
	for _, f := range roster.Fields {
		if !caps.CanCarry(f) && !slices.Contains([]roster.Field{roster.ID, roster.FirstName, roster.LastName, roster.PhoneType, roster.NewEmail}, f) {
			out = append(out, string(f))
		}
	}
	return out
}

func fieldList(m map[roster.Field]bool) string {
	var out []string
	for _, f := range roster.Fields {
		if m[f] {
			out = append(out, string(f))
		}
	}
	if m[roster.UserName] && !slices.Contains(roster.Fields, roster.UserName) {
		out = append(out, string(roster.UserName))
	}
	return strings.Join(out, ", ")
}
