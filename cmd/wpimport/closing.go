package main

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
)

// tally is what one apply left, by status: the plan's rows, its people
// sets and its groups.
type tally struct {
	rows, sets, groups map[string]int
	added, removed     int // group members
}

// Statuses that are not a success, in the order the closing line names
// them; and those of them a rerun does again.
var (
	notDoneRows = []string{execute.StatusPartial, execute.StatusFailed, execute.StatusStale, execute.StatusNotAttempted, "skipped"}
	notDoneObjs = []string{execute.StatusFailed, execute.StatusPartial, execute.StatusStale, execute.StatusNotAttempted}
	retried     = []string{execute.StatusFailed, execute.StatusPartial, execute.StatusNotAttempted}
)

func tallyOf(p *plan.Plan, r *execute.Result) tally {
	t := tally{rows: rowCounts(p, r), sets: map[string]int{}, groups: map[string]int{}}
	for _, o := range r.Sets {
		t.sets[o.Status]++
	}
	for _, o := range r.Groups {
		t.groups[o.Status]++
		t.added += o.Added
		t.removed += o.Removed
	}
	return t
}

// rowCounts counts the plan's rows by their status after apply.
func rowCounts(p *plan.Plan, r *execute.Result) map[string]int {
	counts := map[string]int{}
	for _, row := range p.Rows {
		switch o := r.Outcomes[row.Op]; {
		case row.Status == "invalid" || row.Status == "conflict":
			counts["skipped"]++
		case row.Op == 0:
			counts["unchanged"]++
		case o == nil:
			counts[execute.StatusNotAttempted]++
		default:
			counts[o.Status]++
		}
	}
	return counts
}

// notDone names every count that is not a success: rows by status, then
// people sets and groups ("2 failed, 9 skipped, 1 people set failed").
func (t tally) notDone() string {
	parts := []string{countList(t.rows, notDoneRows...)}
	for _, k := range notDoneObjs {
		if n := t.sets[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", plural(n, "people set", "people sets"), words(k)))
		}
	}
	for _, k := range notDoneObjs {
		if n := t.groups[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", plural(n, "group", "groups"), words(k)))
		}
	}
	return joinNonEmpty(parts, ", ")
}

// notDoneBeyondSkipped is notDone without the rows the plan left out.
func (t tally) notDoneBeyondSkipped() string {
	rows := maps.Clone(t.rows)
	delete(rows, "skipped")
	return tally{rows: rows, sets: t.sets, groups: t.groups}.notDone()
}

// sum adds the counts of keys.
func sum(m map[string]int, keys ...string) int {
	n := 0
	for _, k := range keys {
		n += m[k]
	}
	return n
}

// unfinished counts what did not go through as planned: rows failed,
// partial, stale or not attempted (not the rows the plan itself left out
// as invalid), and people sets and groups not done.
func (t tally) unfinished() int {
	return sum(t.rows, execute.StatusPartial, execute.StatusFailed, execute.StatusStale, execute.StatusNotAttempted) +
		sum(t.sets, notDoneObjs...) + sum(t.groups, notDoneObjs...)
}

// retryable says what a rerun would do again: "2 rows and 1 people set".
func (t tally) retryable() string {
	var parts []string
	if n := sum(t.rows, retried...); n > 0 {
		parts = append(parts, plural(n, "row", "rows"))
	}
	if n := sum(t.sets, retried...); n > 0 {
		parts = append(parts, plural(n, "people set", "people sets"))
	}
	if n := sum(t.groups, retried...); n > 0 {
		parts = append(parts, plural(n, "group", "groups"))
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

// words turns a status into words: not_attempted → not attempted.
func words(status string) string { return strings.ReplaceAll(status, "_", " ") }

// countList renders the non-zero counts of keys, in order.
func countList(counts map[string]int, keys ...string) string {
	var parts []string
	for _, k := range keys {
		if n := counts[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, words(k)))
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
func printResults(e *env, p *plan.Plan, r *execute.Result, c closing, runErr error) (int, tally) {
	t := tallyOf(p, r)
	resumed := 0
	for _, o := range r.Outcomes {
		if o.Resumed {
			resumed++
		}
	}
	if resumed == len(r.Outcomes) && resumed > 0 && r.Calls == 0 {
		fmt.Fprintf(e.stderr, "Nothing left to do: earlier runs of this plan did all %s; the results are written again from its journal.\n", plural(resumed, "op", "ops"))
	}
	done := countList(t.rows, "created", "updated", "reactivated", "deactivated", "deleted", "erased", "unchanged")
	if done == "" {
		done = "nothing changed"
	}
	line := fmt.Sprintf("Done in %s: %s", r.Elapsed.Round(time.Millisecond), done)
	if notDone := t.notDone(); notDone != "" {
		line += "; NOT DONE: " + notDone
	}
	fmt.Fprintf(e.stderr, "%s (%s, %d throttled).\n", line, plural(r.Calls, "API call", "API calls"), r.Throttles)
	if n := t.rows["skipped"]; n > 0 {
		verb, them := "were", "them"
		if n == 1 {
			verb, them = "was", "it"
		}
		fmt.Fprintf(e.stderr, "%s %s skipped because the plan found %s invalid or conflicting: fix %s in the roster and plan again.\n", plural(n, "row", "rows"), verb, them, them)
	}
	if len(r.Sets) > 0 {
		fmt.Fprintf(e.stderr, "People sets: %s.\n", countList(t.sets, "created", "updated", "deleted", "unchanged", "failed", "stale", "skipped", "not_attempted"))
	}
	if len(r.Groups) > 0 {
		fmt.Fprintf(e.stderr, "Groups: %s; %s added, %d removed.\n", countList(t.groups, "created", "updated", "unchanged", "partial", "failed", "stale", "skipped", "not_attempted"),
			plural(t.added, "member", "members"), t.removed)
	}
	fmt.Fprintf(e.stderr, "Results written to %s\n", c.results)
	switch {
	case runErr != nil:
		fmt.Fprintf(e.stderr, "Stopped: %v\nOnce that is fixed, run: %s (the same command: what was done is not repeated)\n", c.failure(runErr), c.again)
		return exitFatal, t
	case r.Interrupted:
		fmt.Fprintf(e.stderr, "Interrupted. Run the same command again to finish: done rows are not repeated.\n")
		return exitInterrupted, t
	case t.retryable() != "":
		fmt.Fprintf(e.stderr, "%s did not go through: see the Failures sheet of %s; retry with: %s\n", capital(t.retryable()), c.results, c.rerun)
		return exitRows, t
	case t.unfinished()+t.rows["skipped"] > 0:
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
