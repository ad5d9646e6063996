package execute

import (
	"context"

	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/target"
)

// Writes that are safe to repeat (an update of absolute values, a picture,
// a group's members) are retried by the pace layer, and only there. The
// others (creating an account, a group or a people set, adding a phone,
// removing an account or a set) go through once: the one rule for making
// such an intent happen exactly once.

// seen is what a look-up shows of an intent's effect.
type seen int

const (
	notThere seen = iota // not done: the intent may be tried (again)
	ours                 // done, as the intent would leave it
	theirs               // something else holds its place (a name, an email): stale
)

// ended is how once ended without an error.
type ended int

const (
	made      ended = iota // the try succeeded
	foundOurs              // a look-up after a lost answer found it done: done once
	taken                  // someone else's object holds its place: the change is stale
)

// intent is one write that is not safe to repeat.
type intent struct {
	obj string // for messages: "account", "phone", "group", "people set"
	// unknown says an earlier attempt (a crashed or stopped run's) may
	// have gone through: find before the first try.
	unknown bool
	// create says a Conflict or Invalid answer may mean the object exists:
	// find whose it is before calling it refused.
	create bool
	// goneIsDone says a NotFound answer after an unanswered attempt means
	// the intent (a removal) went through.
	goneIsDone bool
	try        func(ctx context.Context) error
	find       func(ctx context.Context) (seen, error)
}

// once makes in happen once. An unknown outcome (no answer, a 5xx) is
// resolved by a look-up before any retry: found as the intent would leave
// it, it is done; a create refused as a duplicate is looked up too: found
// after an unanswered attempt of ours it is ours, found on a first clean
// attempt it is someone else's (taken). Retries follow the one policy
// (pace.Retry) and end on the run's stop; an outcome still unknown then is
// an unknownOutcomeError, which leaves the change not_attempted with its
// intent in the journal. tryCtx counts the tries, findCtx the look-ups.
func (r *runner) once(tryCtx, findCtx context.Context, in intent) (ended, error) {
	var t pace.Tries
	unknown := in.unknown
	for {
		if unknown {
			s, err := in.find(findCtx)
			if err != nil {
				return made, unknownOutcome(in.obj, "look-up", r.settle(err))
			}
			switch s {
			case ours:
				return foundOurs, nil
			case theirs:
				return taken, nil
			}
		}
		err := in.try(tryCtx)
		switch {
		case err == nil:
			return made, nil
		case target.IsFatal(err):
			r.setFatal(err)
			return made, orUnknown(in.obj, unknown, err)
		case target.IsCanceled(err):
			return made, orUnknown(in.obj, unknown, err)
		case unknown && in.goneIsDone && target.IsNotFound(err):
			return foundOurs, nil
		case target.IsUnknownOutcome(err):
			unknown = true
			if r.layer.OnRetry != nil {
				r.layer.OnRetry(err)
			}
		case in.create && refusal(err):
			// Perhaps a duplicate: is it there?
			s, ferr := in.find(findCtx)
			switch {
			case ferr != nil:
				return made, orUnknown(in.obj, unknown, r.settle(ferr))
			case s == notThere:
				return made, err // refused for what it is
			case unknown && s == ours:
				return foundOurs, nil
			}
			return taken, nil
		default:
			return made, err
		}
		if !t.Again(r.layer.Retry, err) {
			return made, orUnknown(in.obj, true, err)
		}
		if r.halt.Err() != nil || r.layer.Retry.Sleep(r.halt, r.layer.SleepFor(t.N(), err)) != nil {
			return made, orUnknown(in.obj, true, &cutOffError{err})
		}
	}
}

// refusal reports an answer that refuses a value: a conflict, or an
// invalid request (Graph answers a duplicate email so).
func refusal(err error) bool {
	k, ok := target.KindOf(err)
	return ok && (k == target.Conflict || k == target.Invalid)
}
