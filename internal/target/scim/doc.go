// Package scim is the target for SCIM 2.0 services (RFC 7643, RFC 7644):
// Meta's managed work accounts at https://scim.workplace.com/, or any
// other. Its Client implements target.Target, target.Groups,
// target.Prober and target.UsageReporter, and registers itself as "scim".
//
// How it works:
//   - A dialect (dialect.go) is what /work/shared/SCIM-DIALECTS.md
//     documents of one service: aws, github, slack, atlassian, zoom,
//     salesforce, meta; rfc for any other. It is chosen by
//     target.Config.Dialect (--scim-dialect), else by the URL's host,
//     and says the fields the service carries, requires and limits
//     (Capabilities.Required, Rules), how it looks up and pages, its
//     manager forms, its one-phone rule, what its DELETE does, its rules
//     on reactivation and invitations, its write budget, and how it
//     rewrites values (Capabilities.Same).
//   - Discovery (/ServiceProviderConfig, or …Configs; /ResourceTypes),
//     asked once and read tolerantly (booleans as 0/1 or text), narrows
//     the dialect, never widens it (caps.go); a service without it is as
//     its dialect says. Answers narrow it further as they come (probes,
//     Client.narrow): a 400 to an `or` filter makes look-ups one key a
//     request; a nextCursor, or a second page repeating the first, makes
//     listings go by RFC 9865 cursors, else .search, else Complete false;
//     a 404 on /Bulk turns Bulk off; without /ResourceTypes a one-item GET
//     /Groups says whether groups exist. Capabilities are replaced by a
//     narrower copy, never changed under a caller. Every capability has
//     its origin (Capabilities.Origins) for wpimport check; Probe tells
//     the rest and probes a service of no known dialect as a plan would.
//   - Users decode leniently into target.Account (decode.go), with the
//     dialect's reading (Zoom's externalId is its own; GitHub's handle of
//     the email is no user name); writes encode one PATCH operation per
//     attribute with a plain path (ops.go), the manager in the dialect's
//     form, no value-filter paths, and never operations on both userName
//     and active in one request (writes.go). A service without PATCH (or
//     whose PATCH takes only active, Zoom) gets GET, the change, and a PUT
//     with cleared values as null.
//   - Every write is checked (verify.go) against the User the service
//     answered, or read back after a 204: a manager not kept is sent once
//     in the other documented form; a value still not kept is a
//     *target.NotApplied, returned with the account. Values the service
//     rewrites as documented pass through Capabilities.Equal.
//   - ListAll (list.go) pages by cursor where known, else by startIndex
//     plus the resources returned, never itemsPerPage; confirms a first
//     page whose totalResults is its own size; counts each User once; and
//     fails when it cannot show the listing complete (fewer Users than
//     totalResults, none given, pages that repeat): nothing is planned
//     from a short listing.
//   - Find filters with values escaped as JSON strings, `or`-joined where
//     the service can take a batch, on the dialect's attribute (Slack:
//     emails for emails), and checks every answer itself; keys of a kind
//     the service cannot filter on come from a listing. Two accounts for
//     one key are an error, never a guess.
//   - Writes send the caller's version (Ref.Version) as If-Match where the
//     service has versions: a 412 fails the write instead of overwriting a
//     change made since. With Config.Bulk, creates and updates go in /Bulk
//     requests (bulk.go); those a Bulk answer settles without the User are
//     not read back.
//   - The rate headers of every answer (RateLimit-*, X-RateLimit-*) are
//     read as the share of the budget used (Usage, usage.go), so that the
//     pacer slows before the service throttles.
//
// Every request goes through the caller's target.Wrap, described by a
// target.Call saying whether it is safe to repeat (reads and absolute
// replaces are; creates, adds, deletes and Bulk requests are not). The
// client does no retrying of its own; a repeat of a versioned write whose
// answer was lost goes without If-Match, as the lost attempt may have
// taken effect. Every answer that is not a success goes through one
// function, classify (errors.go), which reads error bodies of every shape
// met (RFC, AWS, Slack, Zoom, Meta's Graph-style, plain text) and gives a
// *target.Error whose kind follows the HTTP status (a 501 is a refusal,
// not a passing fault), with the service's own code (scimType, or "190")
// and words. The token is sent only in the Authorization header, never to
// another host (no redirect is followed), and never appears in an error.
package scim
