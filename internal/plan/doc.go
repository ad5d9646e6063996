// Package plan decides exactly what a roster would change in a target
// (Workplace's Graph API, a SCIM service), as a list of typed changes.
//
// Build reads the current state through target.Directory and plans by the
// target's Capabilities, never by which target it is. It reads a full
// listing (--sync, --read list, a small population, or a target that
// cannot look accounts up by external id) or looks up only the accounts
// the roster names (batched as the target allows; --read auto weighs a
// listing's pages against the look-ups' cost, Graph's ?ids= counting a
// call per id); a target that cannot list completely is looked up, and
// --sync is refused on it (ErrIncompleteListing). Then, for each valid row:
//
//  1. match: by external_id, then by email (or the other way round); an
//     external_id matching one account and an email another is a conflict,
//     never a guess;
//  2. resolve the manager: a row of the same file (matched or to be created
//     in this run) or an existing account; found nowhere, the row is invalid;
//  3. diff only the fields the roster gives and the target carries (empty
//     cells leave a field alone unless --empty=clear; name and email are
//     never cleared; a field the target cannot read is not compared) and
//     choose create, update, deactivate, reactivate or none;
//  4. apply the target's rules: fields it requires on a create (a name is
//     never split by guessing) and its documented limits on values make
//     the row invalid for it; where a reactivation clears the manager, the
//     reactivation sets it again, with a note saying why;
//  5. with --sync, deactivate in-scope accounts no row names (invalid rows
//     count as naming their account, so a typo never deactivates anyone).
//
// Groups (where the target has them) and people sets (Workplace's) are
// planned after the accounts, naming the accounts a create of this plan
// makes by its change's ID.
//
// Each Change has its kind, action and cause, the account as read (Before)
// and the values wanted (After, for the fields in Fields), the manager by
// reference, and the fingerprint of Before. Creates get a level
// (management depth among the creates) so apply can create managers first
// and put the manager id in each create call. The guards (--max-deactivate,
// the mass-update guards, group removals, people set deletions) are
// checked here; a plan that trips one is saved marked refused. Check
// derives them again from the changes' own values, so an edited plan is
// refused; StaleChanges re-reads the accounts at apply and names what
// changed since.
//
// A Plan is a value: saved as versioned JSON (format 2) with the roster's
// sha256, the target and the rules of its own the plan applied, the
// options, and every change. It never holds a token. Save seals it
// (seal.go): its "mac" is an HMAC-SHA256 of the file's bytes, computed
// with a placeholder of the same length in the MAC's place, under the key
// of the user who made it; CheckSeal puts the placeholder back and
// recomputes, so apply can tell a plan exactly as its maker's wpimport
// wrote it from one edited, or made by someone else.
package plan
