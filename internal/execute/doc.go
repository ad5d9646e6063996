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
package execute
