// Package pace is the layer every target call goes through: one rate
// limiter for planning and applying alike (the Pacer, which learns the
// service's own limit from its throttled answers and its usage headers),
// one retry policy (Retry: full-jitter backoff, Retry-After honoured, a
// larger budget for throttling), and a watch that stops a run whose
// service never answered at all.
//
// Decisions key on the kind of error a target classified (target.Kind)
// and on whether the call is safe to repeat (target.Call.Idempotent),
// never on one service's codes or on HTTP methods.
package pace
