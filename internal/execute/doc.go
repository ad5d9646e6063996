// Package execute applies a plan's changes (plan.Changes: accounts, groups
// and people sets in one list, one ID sequence) through a target
// (target.Target), and reports an Outcome for every change.
//
// Layers, from the wire up (STYLE.md 7):
//
//	target (graph, scim: wire calls, classified errors) → pace.Layer (one
//	rate limit for every call, look-ups included; retries of the calls
//	that are safe to repeat, and of throttled ones; a watch for a service
//	that never answers) → the create-once rule (once.go) → a handler per
//	kind (accounts.go, steps.go, groups.go, sets.go) → the loop (run.go)
//
// Order: account creates level by level (managers first, the manager's id
// in each create), then updates and reactivations (the target sets the
// manager again where reactivation clears it), then deactivations, then
// deletions and erasures; then groups, then people sets, whose members and
// MANAGER values may be accounts made in this run. Within an account phase
// an errgroup of Options.Concurrency workers takes changes from a producer
// that stops at the first sign of a stop; groups and sets go one at a
// time. A change with nothing to do (none, skip) gets its outcome with no
// call. Before any write, the accounts the changes are to are re-read
// (plan.StaleChanges): those changed since the plan are stale.
//
// Retries are keyed on whether an intent is safe to repeat, never on an
// HTTP method. The pace layer repeats idempotent calls; the executor adds
// no loop of its own around them. An intent that is not idempotent (create
// an account, a group or a people set; add a phone; remove an account or
// a set) goes through once: an unknown outcome (no answer, a 5xx), or a
// create refused as a duplicate, is resolved by finding it before any
// retry (Directory.Find by the plan's look-up keys, the account's phones,
// FindGroup, FindPeopleSet), then tried again under pace.Retry. So no
// account, group, set or phone is ever made twice. An update sends the
// version the plan read (If-Match where the target has versions): a
// refusal (412) makes the change stale, with nothing overwritten.
//
// The journal (journal.go) records each change's intent, by kind and ID,
// before its first write and its whole Outcome after, fsynced in groups;
// ReadJournal reads it without opening it for writing. A second run with
// the same journal takes the finished changes from it, redoes the failed
// steps of partial ones and the failed groups and sets (failed accounts
// with RetryFailed), and looks up first whatever was in flight. Ctrl-C
// stops new work, lets calls in flight finish and leaves the rest
// not_attempted; Options.Abort cancels the calls in flight too.
//
// A stop never fails a change (stop.go): whatever Ctrl-C or a fatal error
// (met by any worker: it cancels every call in flight) cuts off, a write
// whose outcome is still unknown included, is not_attempted and not
// journaled as done, so that a plain rerun does it, checking first.
//
// Progress goes to Hooks; Bar and Lines render it (progress.go).
package execute
