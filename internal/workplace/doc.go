// Package workplace is the client of the Workplace Account Management
// (Graph) API: typed calls for accounts, phones, frontline status, profile
// pictures, erasure, member listings and people sets.
//
// Every response goes through one function, checkResponse, which turns it
// into a value or an *APIError (code, subcode, type, message, transience,
// trace id, HTTP status, Retry-After); callers decide with the predicates
// IsThrottle, IsTransient, IsFatal, IsNotFound and IsInvalidParameter, never
// on HTTP statuses. A call whose response never arrived is a
// *TransportError: for a write its outcome is unknown.
//
// The client does no retrying and no pacing: those are layers in package
// execute. It records the X-App-Usage of each response so those layers can
// slow down before the server throttles. The token is sent only in the
// Authorization header and never appears in an error or a URL it returns.
package workplace
