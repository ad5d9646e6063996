package target

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error answer: what a caller should do about it.
type Kind int

const (
	// Invalid: the call was refused as it stands (a bad value, a field
	// the service does not take); repeating it changes nothing.
	Invalid Kind = iota
	// Throttled: the service asks to slow down; retry after a pause.
	Throttled
	// Transient: the service failed this time (a 5xx, a temporary error);
	// a read may be repeated, a write's outcome is unknown.
	Transient
	// UnknownOutcome: no usable answer came (a timeout, a reset, a torn
	// body): for a write, whether it took effect cannot be known.
	UnknownOutcome
	// Fatal: every further call would fail the same way (a refused token,
	// a missing permission, an address that never answers): stop the run.
	Fatal
	// NotFound: the object does not exist.
	NotFound
	// Conflict: another object holds a unique value (a duplicate email,
	// userName or name).
	Conflict
	// PreconditionFailed: the object changed since the version sent
	// (If-Match): nothing was overwritten.
	PreconditionFailed
)

var kindNames = [...]string{"invalid", "throttled", "transient", "unknown outcome", "fatal", "not found", "conflict", "precondition failed"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is an answer of a target that is not a success, classified by the
// target itself. Status, Code and Message are the service's own (HTTP
// status, "190", "uniqueness", "invalidFilter"), so that results show what
// the service said; Target names the service for advice.
type Error struct {
	Kind       Kind
	Status     int           // HTTP status; 0 when no answer came
	Code       string        // the service's own code, "" if none
	Message    string        // the service's words (token removed)
	RetryAfter time.Duration // the pause the service asked for, if any
	Method     string        // of the call, for messages
	Path       string        // of the call, without query (no token, no personal data)
	Target     string        // "graph", "scim", … for advice
	Err        error         // the transport error under an UnknownOutcome, if any
}

// Error is the error for messages: the call, the service's status and
// code, and its words: "GET /community/members: HTTP 400, code 190/463:
// Invalid OAuth access token".
func (e *Error) Error() string {
	s := ""
	if e.Method != "" || e.Path != "" {
		s = e.Method + " " + e.Path + ": "
	}
	switch {
	case e.Status != 0 && e.Code != "":
		s += fmt.Sprintf("HTTP %d, code %s: ", e.Status, e.Code)
	case e.Status != 0:
		s += fmt.Sprintf("HTTP %d: ", e.Status)
	case e.Code != "":
		s += "code " + e.Code + ": "
	}
	return s + e.Text()
}

// Text is the error without the method and path: what a results file
// shows.
func (e *Error) Text() string {
	msg := e.Message
	if e.Kind == UnknownOutcome && e.Err != nil && msg == "" {
		msg = "no answer from the server: " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var te *Error
	if errors.As(err, &te) {
		return te
	}
	return nil
}

// KindOf returns the kind of err: Fatal for an *Unreachable, else its
// *Error's kind; ok is false when err carries no kind at all.
func KindOf(err error) (Kind, bool) {
	var ue *Unreachable
	if errors.As(err, &ue) {
		return Fatal, true
	}
	if te := As(err); te != nil {
		return te.Kind, true
	}
	return Invalid, false
}

func is(err error, k Kind) bool {
	got, ok := KindOf(err)
	return ok && got == k
}

// IsThrottled reports a rate-limit answer.
func IsThrottled(err error) bool { return is(err, Throttled) }

// IsFatal reports an error that stops the whole run.
func IsFatal(err error) bool { return is(err, Fatal) }

// IsNotFound reports an object that does not exist.
func IsNotFound(err error) bool { return is(err, NotFound) }

// IsConflict reports a unique value held by another object.
func IsConflict(err error) bool { return is(err, Conflict) }

// IsPreconditionFailed reports a write refused because the object changed
// since the version sent.
func IsPreconditionFailed(err error) bool { return is(err, PreconditionFailed) }

// IsRetryable reports an error worth another try of a call that is safe
// to repeat: throttled, transient, or no answer.
func IsRetryable(err error) bool {
	k, ok := KindOf(err)
	return ok && (k == Throttled || k == Transient || k == UnknownOutcome)
}

// IsUnknownOutcome reports a write whose effect the answer cannot tell:
// no answer, or a transient server error.
func IsUnknownOutcome(err error) bool {
	k, ok := KindOf(err)
	return ok && (k == UnknownOutcome || k == Transient)
}

// RetryAfterOf is the pause err asks for, or 0.
func RetryAfterOf(err error) time.Duration {
	if te := As(err); te != nil {
		return te.RetryAfter
	}
	return 0
}

// IsCanceled reports a call cut off by its context (Ctrl-C, a run's stop).
func IsCanceled(err error) bool {
	return errors.Is(err, context.Canceled)
}

// Unreachable stops a run when the service never answered at all: a wrong
// address or a closed port, told apart from a passing fault.
type Unreachable struct {
	URL string
	For time.Duration
	Err error // the last transport error
}

func (e *Unreachable) Error() string {
	return fmt.Sprintf("%s did not answer for %s (%v)", e.URL, e.For.Round(time.Second), e.Err)
}

func (e *Unreachable) Unwrap() error { return e.Err }

// NotApplied is a write the service accepted but did not keep: the
// account it answered (or read back) still holds another value. The target
// tried the other forms it knows first (a manager as an object, then as a
// value). Results show the status not_applied with both values.
type NotApplied struct {
	Field      string
	Sent, Kept string
	Target     string
}

func (e *NotApplied) Error() string {
	return fmt.Sprintf("the service accepted %s %q but kept %q", e.Field, e.Sent, cmpEmpty(e.Kept))
}

func cmpEmpty(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}

// IsNotApplied reports a write the service accepted but did not keep.
func IsNotApplied(err error) bool {
	var na *NotApplied
	return errors.As(err, &na)
}
