// Package scim provisions accounts on a SCIM 2.0 service (RFC 7643,
// RFC 7644): Meta's managed work accounts at https://scim.workplace.com/,
// or any other. Its Client presents the service as the rest of wpimport
// sees Workplace (workplace.Account, workplace.Fields), so that the same
// plan and apply run against either target: it implements the interfaces
// of package plan (Directory) and package execute (Client).
//
// What it does for safety:
//   - discovery (/ServiceProviderConfig, /ResourceTypes) decides PATCH or
//     GET-merge-PUT, ETags, filters and extensions; a service without
//     discovery (Meta's) gets safe defaults;
//   - listings page by startIndex + resources returned, never trusting
//     itemsPerPage, stop at totalResults, and fail when the resources
//     seen are fewer than totalResults (no deactivation is ever planned
//     from a short listing);
//   - look-ups filter with values escaped as JSON strings, and check the
//     answer themselves (userName ignoring case, externalId exactly); two
//     accounts for one key are an error, never a guess;
//   - an update sends If-Match with the version last read, where the
//     service has versions: 412 fails the row instead of overwriting a
//     change made since;
//   - errors of every shape (RFC 7644 §3.12 with status a string or a
//     number, Graph-style, plain text) become workplace.APIError with the
//     Graph code of the same meaning, so retry rules are shared.
package scim
