// Package target is the seam between wpimport's core and the services it
// provisions. Plan, execute, the apply session, report and undo speak only
// these types; each service (Workplace's Graph API in target/graph, any
// SCIM 2.0 service in target/scim) turns them into its own wire calls.
//
// What a target gives:
//   - Account: an account as read, in neutral terms (a structured name,
//     email, the enterprise fields, the manager as a Ref, active, claim
//     status where known, the version the service gave);
//   - Capabilities: which fields it carries and reads, how it looks
//     accounts up and pages its listing, whether it has versions, Bulk,
//     groups, people sets, erasure, what its DELETE does, and its own
//     rules (Graph clears the manager on reactivation; RFC services do
//     not). Plan and execute read capabilities; nothing above the seam
//     type-switches on a concrete target;
//   - Directory (reads: list every account or fail, find by keys) and
//     Provisioner (writes, one intent at a time), plus the optional Groups
//     and PeopleSets that Capabilities announce;
//   - *Error: every answer that is not a success, classified by the target
//     itself into a Kind (throttled, transient, fatal, not found, conflict,
//     invalid, precondition failed, unknown outcome), with the service's
//     own status, code and words. Retry, pacing, stopping and the advice
//     in results key on the Kind, never on one service's codes.
//
// Targets register an Opener under their name (Register); commands open
// one by name with Open. Every HTTP call a target makes goes through the
// Config's Wrap, described by a Call that says whether it is safe to
// repeat: pacing and retrying are layers the caller supplies.
package target
