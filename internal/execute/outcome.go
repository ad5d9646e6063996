package execute

import (
	"context"
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
	// Steps are the follow-up steps that failed ("manager", "phone:+44…",
	// "picture"): what a rerun redoes.
	Steps []string `json:"steps,omitempty"`
	// After is the account as the write left it: as the service answered
	// it where it did, else the plan's Before with the change laid over it.
	// Undo compares the account as it is then with After.
	After *target.Account `json:"after,omitempty"`
	// Version is the version the service showed after the write, or the
	// fingerprint of After where it has none.
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

// ErrorInfoOf describes err (nil for nil).
func ErrorInfoOf(err error) *ErrorInfo {
	if err == nil {
		return nil
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
	Concurrency int
	Journal     *Journal
	Resumed     map[int]*OpState // what the journal knew at start, by change ID
	RetryFailed bool             // run again the changes the journal says failed
	Only        map[int]bool     // run only these changes (nil: all)
	Hooks       Hooks
	// Abort, when done, cancels calls in flight too (a second Ctrl-C).
	Abort context.Context
}

// Result is a run's outcome.
type Result struct {
	Outcomes    map[int]*Outcome // by change ID
	Interrupted bool
	Fatal       error
	Calls       int
	Throttles   int
	Elapsed     time.Duration
}
