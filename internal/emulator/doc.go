// Package emulator is an in-memory server of Workplace's Graph API and of
// SCIM 2.0, over one tenant, faithful enough to rehearse and test the
// whole wpimport pipeline now that the real service is closed.
//
// Layers, outermost first (server.go):
//
//	stats → token check (code 190) → rate limit (token bucket, code 4, no
//	side effect) → latency → 5xx fault (code 2, no side effect) → route →
//	store → lost response (writes only: commit, then drop the connection)
//
// The store (store.go, accounts.go, peoplesets.go) holds accounts and
// people sets behind one mutex and enforces the service's rules: unique
// email (any case) and external_id across active and deactivated
// accounts, name never empty, email never cleared, manager must exist,
// delete only unclaimed accounts, reactivation clears the manager,
// remove_profile_information only 4 days after deactivation, people set
// enums. Every rule answers a Graph-shaped error.
//
// Graph lists page with opaque cursors (paging.cursors.after and a next
// URL) and a page cap; batch requests run each item through the same
// router and count each as one call. Randomness (faults, drops) comes from
// a seeded source so a test repeats; ThrottleNext, FailNext and DropNext
// make exactly the next calls meet a fault, before those draws. X-App-Usage on every response
// reports how full the rate bucket is, in percent.
//
// SCIM (scim*.go, under /scim/v2) is a second front end over the same
// store: an account is a User, a people set a Group. The same layers run,
// with the profile's own limits in front (scim_throttle.go). A profile
// (profiles.go, its rule types in profile_rules.go) is one service as
// /work/shared/SCIM-DIALECTS.md documents it: rfc (the full RFC 7644
// service), meta, aws, github, slack, atlassian, zoom, salesforce. It is
// data the handlers read, not branches: which endpoints exist and what
// discovery says (scim.go, scim_discovery.go), the filter grammar
// (scim_filter_rules.go), index or RFC 9865 cursor paging (scim_list.go),
// what a User must be (scim_rules.go, scim_input.go), which PATCH is
// refused (scim_patch_rules.go), how resources are answered — manager
// form, lower-cased userName, members hidden, no meta.version
// (scim_render.go), what DELETE means (scim_users.go), and the shape of
// errors (scim_errors.go). Where the document marks a fact a guess or not
// found, the profile does what the RFC says, and its comment says so.
package emulator
