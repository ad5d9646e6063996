// Package plan decides exactly what a roster would change in Workplace.
//
// Build reads the current state through a small Directory interface (a
// full paged listing of active and deactivated members when the roster is
// large or --sync needs every account; chunked external_ids and ?ids=
// look-ups otherwise), then for each valid row:
//
//  1. match: by external_id, then by email (or the other way round); an
//     external_id matching one account and an email another is a conflict,
//     never a guess;
//  2. resolve the manager: a row of the same file (matched or to be created
//     in this run) or an existing account; found nowhere, the row is invalid;
//  3. diff only the fields the roster carries (empty cells leave a field
//     alone unless --empty=clear; name and email are never cleared) and
//     choose create, update, deactivate, reactivate or none;
//  4. with --sync, deactivate in-scope accounts no row names (invalid rows
//     count as naming their account, so a typo never deactivates anyone).
//
// Creates get a level (management depth among the creates) so apply can
// create managers first and put the manager id in each create call: one call
// per new account. The --max-deactivate guard is checked here; a plan that
// trips it is saved marked refused, and apply will not run it.
//
// A Plan is a value: saved as versioned JSON with the roster's sha256, the
// API URL, the options, and for every op the fingerprint of its target as it
// was read, so apply can tell which ops went stale. It never holds a token.
// Save seals it (seal.go): its "mac" is an HMAC-SHA256 of the file's bytes,
// computed with a placeholder of the same length in the MAC's place, under
// the key of the user who made it; CheckSeal puts the placeholder back and
// recomputes, so apply can tell a plan exactly as its maker's wpimport
// wrote it from one edited, or made by someone else.
package plan
