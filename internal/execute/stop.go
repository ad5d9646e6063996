package execute

import (
	"context"
	"errors"

	"github.com/wpimport/wpimport/internal/target"
)

// A change the run's stop cut off is not_attempted, never failed, and its
// outcome is not journaled: the plain rerun does it, and its intent, on
// disk, makes that rerun look first for what an unanswered write may have
// made. The stop is Ctrl-C, a second Ctrl-C (Abort), or a fatal error met
// by any worker (a refused token or permission, an unreachable service, a
// journal that cannot be written), which cancels every call in flight.

// errUnknownOutcome leaves a write in flight: whether it took effect is
// not known, and the next run finds out before anything else.
var errUnknownOutcome = errors.New("the write may have gone through but no answer or look-up could tell")

// unknownOutcomeError is errUnknownOutcome for one object ("account",
// "phone", "people set", "group") with what left it unknown: the last
// answer, or the look-up that failed (whose error it wraps, so that a
// look-up cancelled by the run's stop is seen as such).
type unknownOutcomeError struct {
	obj  string
	what string // "last answer", "look-up"
	err  error
}

func unknownOutcome(obj, what string, err error) error { return &unknownOutcomeError{obj, what, err} }

func (e *unknownOutcomeError) Error() string {
	return errUnknownOutcome.Error() + "; run apply again: it looks the " + e.obj + " up first (" + e.what + ": " + errorText(e.err) + ")"
}

func (e *unknownOutcomeError) Unwrap() []error { return []error{errUnknownOutcome, e.err} }

// orUnknown is err, or, after an unanswered write of obj, an unknown
// outcome that wraps it.
func orUnknown(obj string, unknown bool, err error) error {
	if unknown {
		return unknownOutcome(obj, "last answer", err)
	}
	return err
}

// errCutOff marks a call that would have been tried again but the run
// stopped.
var errCutOff = errors.New("the run stopped before the call could be tried again")

type cutOffError struct{ err error } // the last answer

func (e *cutOffError) Error() string {
	return errCutOff.Error() + " (last answer: " + errorText(e.err) + ")"
}

func (e *cutOffError) Unwrap() []error { return []error{errCutOff, e.err} }

// cutOff reports whether err ended a change because the run stopped, or
// left its outcome unknown: either way the change is not_attempted, not
// failed.
func cutOff(err error) bool {
	return errors.Is(err, errUnknownOutcome) || errors.Is(err, errCutOff) || errors.Is(err, context.Canceled) || target.IsFatal(err)
}

// settle is a call's error as the change sees it: a fatal one stops the
// run; one the layer would have retried, or cancelled, but for the run's
// stop is cut off.
func (r *runner) settle(err error) error {
	switch {
	case err == nil:
		return nil
	case target.IsFatal(err):
		r.setFatal(err)
		return err
	case r.halt.Err() != nil && (target.IsRetryable(err) || target.IsCanceled(err)):
		return &cutOffError{err}
	}
	return err
}

// notAttempted is the message of a change that err cut off; obj names what
// the change makes ("account", "people set", "group").
func (r *runner) notAttempted(err error, obj string) string {
	unknown := errors.Is(err, errUnknownOutcome)
	if f := r.fatalErr(); f != nil {
		msg := "not attempted: the run stopped (" + errorText(f) + "); run apply again once that is fixed"
		if unknown {
			msg += ": its write may have gone through, so the rerun looks the " + obj + " up first"
		}
		return msg
	}
	switch {
	case unknown:
		return err.Error()
	case errors.Is(err, context.Canceled):
		return "interrupted in flight; the next run checks this " + obj + " first"
	}
	return "not attempted: the run was interrupted before a retry (" + errorText(err) + "); run the same apply again to resume"
}

// notAttemptedWhy is the message of a change the run never started.
func (r *runner) notAttemptedWhy() string {
	if f := r.fatalErr(); f != nil {
		return "not attempted: the run stopped (" + errorText(f) + "); run apply again once that is fixed"
	}
	return "not attempted: the run was interrupted; run the same apply again to resume"
}

// errorText is an error as results show it: the service's words without
// the method and path, or what stopped the run.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	var ue *target.Unreachable
	if errors.As(err, &ue) {
		return ue.Error()
	}
	if te := target.As(err); te != nil {
		if t := te.Text(); t != "" {
			return t
		}
	}
	return err.Error()
}
