// Package emulator is an in-memory Workplace Graph API server, faithful
// enough to rehearse and test the whole wpimport pipeline now that the real
// service is closed.
//
// Layers, outermost first (server.go):
//
//	stats → token check (code 190) → rate limit (token bucket, code 4, no
//	side effect) → latency → 5xx fault (code 2, no side effect) → route →
//	store → lost response (writes only: commit, then drop the connection)
//
// The store (store.go) holds accounts and people sets behind one mutex and
// enforces the service's rules: unique email (any case) and external_id
// across active and deactivated accounts, name never empty, email never
// cleared, manager must exist, delete only unclaimed accounts, reactivation
// clears the manager, remove_profile_information only 4 days after
// deactivation, people set enums. Every rule answers a Graph-shaped error.
//
// Lists page with opaque cursors (paging.cursors.after and a next URL) and
// a page cap; batch requests run each item through the same router and count
// each as one call. Randomness (faults, drops) comes from a seeded source so
// a test repeats; ThrottleNext, FailNext and DropNext make exactly the next
// calls meet a fault, before those draws. X-App-Usage on every response
// reports how full the rate bucket is, in percent.
package emulator
