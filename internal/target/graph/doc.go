// Package graph is the target for Workplace's Account Management (Graph)
// API: accounts, phones, frontline status, profile pictures, erasure,
// member listings and dynamic people sets, behind target's neutral
// interfaces (Directory, Provisioner, PeopleSets).
//
// Every answer goes through one function, classify, which turns a Graph
// error (code, subcode, is_transient, HTTP status) or a call without an
// answer into a *target.Error of the right Kind, keeping Graph's own code
// ("190", "100/33") and words for the results. Graph's rules live here,
// not in the core: its listing is split in active members and
// deactivated ones; external_ids finds active members only; reactivation
// clears the manager, so an update that reactivates sets the manager in a
// second call; auth_method can be set, never read; phones can be added,
// never removed.
//
// The client does no retrying and no pacing: every request goes through
// the caller's target.Wrap, described by a target.Call. It records the
// X-App-Usage of each response (Usage) so the pacer can slow down before
// the server throttles. The token is sent only in the Authorization header
// and never appears in an error.
package graph
