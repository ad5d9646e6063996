package execute

import (
	"context"
	"errors"
	"time"

	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/target"
)

// Outcome is what happened to one change of a plan: an account's, a
// group's or a people set's.
type Outcome struct {
	Change int         `json:"change"` // plan.Change.ID
	Kind   plan.Kind   `json:"kind"`
	Status plan.Status `json:"status"`
	// ObjectID is the account's, group's or set's id (a create's, once made).
	ObjectID string `json:"object_id,omitempty"`
	Attempts int    `json:"attempts,omitempty"` // HTTP calls of the main write, its retries included
	Calls    int    `json:"calls,omitempty"`    // HTTP calls in all (look-ups and steps too)
	// Error is the service's answer that failed or stopped the change.
	Error *ErrorInfo `json:"error,omitempty"`
	// Message says, for people, why the change ended as it did (stale,
	// partial, not attempted, found after a lost answer).
	Message string `json:"message,omitempty"`
	// Steps are the follow-up steps that failed ("phone:+44…", "picture"):
	// what a rerun of a partial change redoes.
	Steps []string `json:"steps,omitempty"`
	// After is the account as the write left it: as the service answered
	// it where it did, else the plan's Before with the change laid over it
	// (the manager by its id, a create's id filled in); nil for a delete
	// or an erasure. Undo compares the account as it is then with After.
	After *target.Account `json:"after,omitempty"`
	// Version is the version the service showed after the write, or the
	// fingerprint of After where it has none (plan.Fingerprint: "absent"
	// after a delete).
	Version string `json:"version,omitempty"`
	// Added and Removed count a group's member changes.
	Added   int `json:"added,omitempty"`
	Removed int `json:"removed,omitempty"`
	// Resumed says the outcome was taken from the journal of an earlier run.
	Resumed bool `json:"-"`
}

// ErrorInfo is a service's error as results show it: its kind, and the
// service's own status, code and words.
type ErrorInfo struct {
	Kind    string `json:"kind"`
	Status  int    `json:"status,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
	Target  string `json:"target,omitempty"`
}

// ErrorInfoOf describes err (nil for nil): the service's kind, status,
// code and words where a target classified it, never another service's
// code.
func ErrorInfoOf(err error) *ErrorInfo {
	if err == nil {
		return nil
	}
	var ue *target.Unreachable
	if errors.As(err, &ue) {
		return &ErrorInfo{Kind: target.Fatal.String(), Message: ue.Error()}
	}
	if te := target.As(err); te != nil {
		return &ErrorInfo{Kind: te.Kind.String(), Status: te.Status, Code: te.Code, Message: te.Text(), Target: te.Target}
	}
	k, _ := target.KindOf(err)
	return &ErrorInfo{Kind: k.String(), Message: err.Error()}
}

// Hooks receive progress. Calls come from several goroutines.
type Hooks interface {
	Start(total int)
	Phase(name string) // PhaseChecking, PhaseApplying, PhaseGroups, PhasePeopleSets
	OpDone(o *Outcome)
	Note(msg string) // why the run waits: "retrying: …"
	Finish()
}

// Options tune a run.
type Options struct {
	Concurrency int      // account changes in flight at once (8)
	Journal     *Journal // nil: nothing is recorded
	// Resumed is what the journal knew at start, by change ID: finished
	// changes are not repeated, partial ones redo their failed steps, and
	// those that were in flight are looked up before any write.
	Resumed map[int]*OpState
	// RetryFailed runs again the account changes the journal says failed
	// (groups and people sets that failed are always run again).
	RetryFailed bool
	// Only, if not nil, is the set of change IDs to run, of every kind;
	// the others are left out of the result unless the journal finished
	// them.
	Only  map[int]bool
	Hooks Hooks // nil: none
	// Abort, when done, cancels calls in flight too (a second Ctrl-C).
	Abort context.Context
}

// Result is a run's outcome.
type Result struct {
	// Outcomes are by change ID, for every change the run was given (the
	// changes outside Options.Only only where the journal finished them).
	Outcomes    map[int]*Outcome
	Interrupted bool  // Ctrl-C stopped it
	Fatal       error // what stopped it (a refused token, an unreachable service, the journal)
	Calls       int   // API calls made by this run
	Throttles   int   // of those, answered throttled
	Elapsed     time.Duration
}

// Statuses counts the outcomes of changes of kind k by status.
func (r *Result) Statuses(k plan.Kind) map[plan.Status]int {
	m := map[plan.Status]int{}
	for _, o := range r.Outcomes {
		if o.Kind == k {
			m[o.Status]++
		}
	}
	return m
}
