// Package scim is the target for SCIM 2.0 services (RFC 7643, RFC 7644):
// Meta's managed work accounts at https://scim.workplace.com/, or any
// other. Its Client implements target.Target and target.Groups, and
// registers itself as "scim".
//
// How it works:
//   - Discovery (/ServiceProviderConfig, or …Configs; /ResourceTypes),
//     asked once, decides PATCH or GET-change-PUT, ETags, filters, Bulk,
//     groups and the User extensions, read tolerantly (booleans as 0/1 or
//     text). A service without discovery (404, as Meta's) gets safe
//     defaults. Capabilities maps that to neutral terms: which roster
//     fields the service carries and reads, look-up batch size, versions.
//   - Users decode leniently into target.Account (decode.go); writes
//     encode one PATCH operation per attribute with a plain path (ops.go).
//   - ListAll pages by startIndex plus the resources returned, never
//     itemsPerPage, falls back to POST /Users/.search where the query's
//     paging is ignored, counts each User once, and fails when it saw
//     fewer Users than totalResults (or got none): nothing is planned from
//     a short listing.
//   - Find filters with values escaped as JSON strings, `or`-joined where
//     the service can take a batch, and checks every answer itself
//     (userName ignoring case, externalId exactly); two accounts for one
//     key are an error, never a guess.
//   - Writes send the caller's version (Ref.Version) as If-Match where the
//     service has versions: a 412 fails the write instead of overwriting a
//     change made since. With Config.Bulk, creates and updates go in /Bulk
//     requests (bulk.go).
//
// Every request goes through the caller's target.Wrap, described by a
// target.Call saying whether it is safe to repeat (reads and absolute
// replaces are; creates, adds, deletes and Bulk requests are not). The
// client does no retrying of its own; a repeat of a versioned write whose
// answer was lost goes without If-Match, as the lost attempt may have
// taken effect. Every answer that is not a success goes through one
// function, classify (errors.go), which reads error bodies of every shape
// met (RFC, AWS, Slack, Zoom, Meta's Graph-style, plain text) and gives a
// *target.Error whose kind follows the HTTP status, with the service's own
// code (scimType, or "190") and words. The token is sent only in the
// Authorization header, never to another host (no redirect is followed),
// and never appears in an error.
package scim
