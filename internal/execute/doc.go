// Package execute runs a plan against Workplace and reports an outcome for
// every op.
//
// Layers, from the wire up (STYLE.md 7):
//
//	workplace.Client → paced (pacer.go: one x/time/rate limiter for every
//	call, look-ups included; AIMD on throttling, Retry-After honoured, slower
//	as X-App-Usage nears 100) → retried (retry.go: transient errors, full
//	jitter, capped at 60 s and 8 tries) → ops (ops.go) → the pool (run.go)
//
// Order: creates level by level (managers first, the manager id in each
// create call), then updates and reactivations (with their manager re-set),
// then deactivations, then deletions and erasures. Within a phase an errgroup
// of --concurrency workers takes ops from a producer that stops at the first
// sign of cancellation. A failed op is an outcome; only a fatal error (bad
// token, missing permission) cancels the run.
//
// No account is ever created twice: a create whose outcome is unknown (no
// answer, a 5xx) or that reports a duplicate is resolved by looking the
// account up before any retry. The journal (journal.go) records each op's
// intent before its first call and its outcome after, fsynced in groups; a
// second run with the same journal skips finished ops and treats ops that
// were in flight as unknown outcomes. Ctrl-C stops new work, lets calls in
// flight finish and leaves the rest not_attempted.
//
// A stop never fails an op (stop.go): whatever Ctrl-C or a fatal error
// (met by any worker: it cancels every call in flight) cuts off, a create
// whose outcome is still unknown included, is not_attempted and not
// journaled as done, so that a plain rerun does it, checking first. People
// sets (sets.go) and groups (groups.go) run after the accounts, each
// created once the same way (found by name after a lost answer); a rerun
// does again those that failed, are partial or were not attempted.
package execute
