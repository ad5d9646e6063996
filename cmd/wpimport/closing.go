package main

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/report"
)

// Statuses that are not a success, in the order the closing line names
// them.
var (
	notDoneRows = []plan.Status{plan.Partial, plan.Failed, plan.NotApplied, plan.Stale, plan.NotAttempted, plan.Skipped}
	notDoneObjs = []plan.Status{plan.Failed, plan.Partial, plan.Stale, plan.NotAttempted}
	doneRows    = []plan.Status{plan.Created, plan.Updated, plan.Reactivated, plan.Deactivated, plan.Deleted, plan.Erased, plan.Unchanged}
)

// notDone names every count that is not a success: rows by status, then
// people sets and groups ("2 failed, 9 skipped, 1 people set failed").
func notDone(t report.Tally) string {
	parts := []string{countList(t.Rows, notDoneRows...)}
	for _, k := range notDoneObjs {
		if n := t.Sets[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", plural(n, "people set", "people sets"), k.Words()))
		}
	}
	for _, k := range notDoneObjs {
		if n := t.Groups[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", plural(n, "group", "groups"), k.Words()))
		}
	}
	return joinNonEmpty(parts, ", ")
}

// notDoneBeyondSkipped is notDone without the rows the plan left out.
func notDoneBeyondSkipped(t report.Tally) string {
	rows := maps.Clone(t.Rows)
	delete(rows, plan.Skipped)
	t.Rows = rows
	return notDone(t)
}

// retryable says what a rerun would do again: "2 rows and 1 people set".
func retryable(t report.Tally) string {
	rows, sets, groups := t.Retryable()
	var parts []string
	if rows > 0 {
		parts = append(parts, plural(rows, "row", "rows"))
	}
	if sets > 0 {
		parts = append(parts, plural(sets, "people set", "people sets"))
	}
	if groups > 0 {
		parts = append(parts, plural(groups, "group", "groups"))
	}
	return andList(parts)
}

// plural is "1 row" or "2 rows".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// countList renders the non-zero counts of keys, in order.
func countList(counts map[plan.Status]int, keys ...plan.Status) string {
	var parts []string
	for _, k := range keys {
		if n := counts[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k.Words()))
		}
	}
	return strings.Join(parts, ", ")
}

func joinNonEmpty(parts []string, sep string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// andList is "a", "a and b", "a, b and c".
func andList(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// closing is how an apply's last lines name what to run next and how a
// stop is explained.
type closing struct {
	results string
	rerun   string // retries what failed (--only-failed), or the --yes command
	again   string // the same command: resumes after a stop
	failure func(error) error
}

// printResults says what happened, naming every count that is not a
// success, rows, people sets and groups alike, and returns the exit code.
func printResults(e *env, p *plan.Plan, r *execute.Result, c closing, runErr error) (int, report.Tally) {
	t := report.TallyOf(p, r)
	if t.Resumed == len(r.Outcomes) && t.Resumed > 0 && r.Calls == 0 {
		fmt.Fprintf(e.stderr, "Nothing left to do: earlier runs of this plan did all %s; the results are written again from its journal.\n", plural(t.Resumed, "change", "changes"))
	}
	done := countList(t.Rows, doneRows...)
	if done == "" {
		done = "nothing changed"
	}
	line := fmt.Sprintf("Done in %s: %s", r.Elapsed.Round(time.Millisecond), done)
	if nd := notDone(t); nd != "" {
		line += "; NOT DONE: " + nd
	}
	fmt.Fprintf(e.stderr, "%s (%s, %d throttled).\n", line, plural(r.Calls, "API call", "API calls"), r.Throttles)
	if n := t.Rows[plan.Skipped]; n > 0 {
		verb, them := "were", "them"
		if n == 1 {
			verb, them = "was", "it"
		}
		fmt.Fprintf(e.stderr, "%s %s skipped because the plan found %s invalid or conflicting: fix %s in the roster and plan again.\n", plural(n, "row", "rows"), verb, them, them)
	}
	objs := []plan.Status{plan.Created, plan.Updated, plan.Deleted, plan.Unchanged, plan.Partial, plan.Failed, plan.Stale, plan.Skipped, plan.NotAttempted}
	if len(t.Sets) > 0 {
		fmt.Fprintf(e.stderr, "People sets: %s.\n", countList(t.Sets, objs...))
	}
	if len(t.Groups) > 0 {
		fmt.Fprintf(e.stderr, "Groups: %s; %s added, %d removed.\n", countList(t.Groups, objs...), plural(t.Added, "member", "members"), t.Removed)
	}
	fmt.Fprintf(e.stderr, "Results written to %s\n", c.results)
	switch {
	case runErr != nil:
		fmt.Fprintf(e.stderr, "Stopped: %v\nOnce that is fixed, run: %s (the same command: what was done is not repeated)\n", c.failure(runErr), c.again)
		return exitFatal, t
	case r.Interrupted:
		fmt.Fprintf(e.stderr, "Interrupted. Run the same command again to finish: done rows are not repeated.\n")
		return exitInterrupted, t
	case retryable(t) != "":
		fmt.Fprintf(e.stderr, "%s did not go through: see the Failures sheet of %s; retry with: %s\n", capital(retryable(t)), c.results, c.rerun)
		return exitRows, t
	case t.Unfinished()+t.Rows[plan.Skipped] > 0:
		return exitRows, t
	}
	return exitOK, t
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
