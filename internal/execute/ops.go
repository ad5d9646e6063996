package execute

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/picture"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/workplace"
)

// runOp executes one op and records its outcome.
func (r *runner) runOp(op *plan.Op) {
	if st := r.opts.Resumed[op.ID]; st != nil && st.Done != nil && st.Done.Status == StatusPartial {
		r.redoSteps(op, st.Done)
		return
	}
	o := &Outcome{Op: op.ID, AccountID: op.AccountID}
	mgr, err := r.managerID(op)
	if err != nil {
		if m := r.outcome(op.Manager.CreateOp); m == nil || m.Status == StatusNotAttempted {
			// The manager may yet be created: leave this op for the next run.
			o.Status, o.Message = StatusNotAttempted, "not attempted: its manager's account is not known yet; run apply again"
			r.finish(o, false)
			return
		}
		o.Status, o.Message = StatusFailed, err.Error()
		r.finish(o, true)
		return
	}
	var pic []byte
	if op.PictureFile != "" {
		// Read again, with every check, before any call of the op: the
		// plan file may have been changed, or the file replaced.
		if pic, err = picture.Read(r.pictureDir, op.PictureFile); err != nil {
			o.Status, o.Message = StatusFailed, "nothing was done: "+err.Error()
			r.finish(o, true)
			return
		}
	}
	st := r.opts.Resumed[op.ID]
	inFlight := st != nil && st.Intent
	if !r.journal(Record{Event: "intent", Op: op.ID}) {
		return
	}
	err = r.main(op, o, mgr, inFlight)
	switch {
	case err == nil:
		if o.Status == "" {
			o.Status = doneStatus[op.Action]
			r.steps(op, o, mgr, pic, nil)
		}
	case cutOff(err):
		// The run stopped (Ctrl-C, a bad token, an unreachable service),
		// or the create's outcome is unknown: not this op's failure. Not
		// journaled: the plain rerun does it, and the intent above makes
		// it check the account first.
		o.Status, o.Message = StatusNotAttempted, r.notAttempted(err, "account")
		r.finish(o, false)
		return
	case workplace.IsVersionConflict(err):
		// If-Match refused: someone changed the account since it was read.
		o.Status, o.Message = StatusStale, "the account changed since the plan read it (HTTP 412): skipped, nothing was overwritten; make a new plan"
	default:
		o.Status = StatusFailed
		o.Code = workplace.ErrorCode(err)
		o.Message = errorText(err)
	}
	r.finish(o, true)
	r.noteCreated(op, o)
}

// noteCreated records the account a create made, for its reports.
func (r *runner) noteCreated(op *plan.Op, o *Outcome) {
	if op.Action == plan.Create && o.AccountID != "" && (o.Status == StatusCreated || o.Status == StatusPartial) {
		r.mu.Lock()
		r.created[op.ID] = o.AccountID
		r.mu.Unlock()
	}
}

// redoSteps runs again only the follow-up steps that failed in an earlier
// run; the main call went through then.
func (r *runner) redoSteps(op *plan.Op, done *Record) {
	o := &Outcome{Op: op.ID, AccountID: done.AccountID, Attempts: done.Attempts}
	only := map[string]bool{}
	for _, s := range done.Steps {
		only[s] = true
	}
	mgr, err := r.managerID(op)
	var pic []byte
	if err == nil && only["picture"] && op.PictureFile != "" {
		pic, err = picture.Read(r.pictureDir, op.PictureFile)
	}
	if err != nil {
		o.Status, o.Steps, o.Partial = StatusPartial, done.Steps, done.Partial+"; not retried: "+err.Error()
		r.finish(o, true)
		r.noteCreated(op, o)
		return
	}
	o.Status = doneStatus[op.Action]
	r.steps(op, o, mgr, pic, only)
	if o.Status != StatusPartial {
		o.Message = "its remaining steps were done on a rerun"
	}
	r.finish(o, true)
	r.noteCreated(op, o)
}

// errorText is the API's message without the method and path prefix.
func errorText(err error) string {
	var ae *workplace.APIError
	if errors.As(err, &ae) {
		if ae.Code != 0 {
			return ae.Message
		}
		return ae.Message
	}
	return err.Error()
}

// managerID resolves the op's manager to an account id.
func (r *runner) managerID(op *plan.Op) (string, error) {
	if op.Manager == nil {
		return "", nil
	}
	if op.Manager.AccountID != "" {
		return op.Manager.AccountID, nil
	}
	r.mu.Lock()
	id := r.created[op.Manager.CreateOp]
	r.mu.Unlock()
	if id == "" {
		return "", fmt.Errorf("its manager %s (row %d) has no account: that row was not created; fix it and run again",
			op.Manager.Ref, r.rowOf[op.Manager.CreateOp])
	}
	return id, nil
}

func fieldsOf(m map[string]string) workplace.Fields {
	f := workplace.Fields{}
	for k, v := range m {
		f[k] = v
	}
	return f
}

// main makes the op's main call(s).
func (r *runner) main(op *plan.Op, o *Outcome, mgr string, inFlight bool) error {
	attempt := func(fn func(ctx context.Context) error) error {
		before := o.Calls
		err := r.do(o, fn)
		o.Attempts += o.Calls - before
		return err
	}
	switch op.Action {
	case plan.Create:
		f := fieldsOf(op.Fields)
		if mgr != "" {
			f["manager"] = mgr
		}
		return r.create(op, o, f, inFlight)
	case plan.Update:
		f := fieldsOf(op.Fields)
		if op.Manager != nil {
			f["manager"] = mgr
		}
		if len(f) == 0 {
			return nil // only extras
		}
		return attempt(func(ctx context.Context) error { return r.c.UpdateAccount(ctx, op.AccountID, f) })
	case plan.Reactivate:
		if err := attempt(func(ctx context.Context) error { return r.c.UpdateAccount(ctx, op.AccountID, fieldsOf(op.Fields)) }); err != nil {
			return err
		}
		return nil // the manager, which reactivation clears, is a step
	case plan.Deactivate:
		return attempt(func(ctx context.Context) error { return r.c.SetActive(ctx, op.AccountID, false) })
	case plan.Delete:
		return attempt(func(ctx context.Context) error { return r.c.DeleteAccount(ctx, op.AccountID) })
	case plan.Erase:
		return attempt(func(ctx context.Context) error { return r.c.RemoveProfileInformation(ctx, op.AccountID) })
	}
	return fmt.Errorf("unknown action %q", op.Action)
}

// create makes the account once. A create whose outcome is unknown (no
// answer, a server error, an interrupted earlier run) or that is refused as
// a duplicate is resolved by a look-up before anything else: found after our
// own unknown attempt, it is ours; found on a first clean attempt, someone
// else made it since the plan, and the op is stale.
func (r *runner) create(op *plan.Op, o *Outcome, f workplace.Fields, unknown bool) error {
	var t tries
	for {
		if unknown {
			acc, err := r.lookup(op.Lookup, o)
			if err != nil {
				return unknownOutcome("account", "look-up", err)
			}
			if acc != nil {
				o.AccountID = acc.ID
				o.Message = "found by look-up after an unanswered create: created once"
				return nil
			}
		}
		o.Calls++
		o.Attempts++
		id, err := r.c.CreateAccount(r.calls, f)
		switch {
		case err == nil:
			o.AccountID = id
			return nil
		case isFatal(err):
			r.setFatal(err)
			return orUnknown("account", unknown, err)
		case errors.Is(err, context.Canceled):
			return orUnknown("account", unknown, err)
		case workplace.IsUnknownOutcome(err):
			unknown = true
		case workplace.IsInvalidParameter(err):
			// Perhaps a duplicate: is the account there?
			acc, lerr := r.lookup(op.Lookup, o)
			if lerr != nil {
				return orUnknown("account", unknown, lerr)
			}
			if acc == nil {
				return err
			}
			o.AccountID = acc.ID
			if unknown {
				o.Message = "found by look-up after an unanswered create: created once"
				return nil
			}
			o.Status = StatusStale
			o.Message = fmt.Sprintf("an account with this %s already exists (%s); it was made after the plan: skipped, make a new plan", keyName(op.Lookup, acc), acc.ID)
			return nil
		case !workplace.IsTransient(err):
			return err
		}
		if !t.again(r.layer.Retry, err) {
			return orUnknown("account", unknown, err)
		}
		if r.halt.Err() != nil || r.layer.Retry.Sleep(r.halt, r.layer.sleepFor(t.n(), err)) != nil {
			return orUnknown("account", unknown, &cutOffError{err})
		}
	}
}

// orUnknown is err, or after an unanswered create of obj an unknown
// outcome that wraps it.
func orUnknown(obj string, unknown bool, err error) error {
	if unknown {
		return unknownOutcome(obj, "last answer", err)
	}
	return err
}

func keyName(l *plan.Lookup, a *workplace.Account) string {
	if l != nil && l.ExternalID != "" && a.ExternalID == l.ExternalID {
		return "external_id"
	}
	return "email"
}

// lookup finds the account a create would have made, by external_id, then
// email.
func (r *runner) lookup(l *plan.Lookup, o *Outcome) (*workplace.Account, error) {
	if l == nil {
		return nil, nil
	}
	if l.ExternalID != "" {
		var found []workplace.Account
		err := r.do(o, func(ctx context.Context) error {
			var err error
			found, err = r.c.LookupExternalIDs(ctx, []string{l.ExternalID}, workplace.MemberFields, 1)
			return err
		})
		if err != nil {
			return nil, err
		}
		for i := range found {
			if found[i].ExternalID == l.ExternalID {
				return &found[i], nil
			}
		}
	}
	if l.Email != "" {
		var acc *workplace.Account
		err := r.do(o, func(ctx context.Context) error {
			var err error
			acc, err = r.c.GetMember(ctx, l.Email, workplace.MemberFields)
			return err
		})
		if workplace.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(acc.Email, l.Email) {
			return acc, nil
		}
	}
	return nil, nil
}

// steps makes the follow-up calls after the main one: the manager again
// after a reactivation (Workplace clears it), phones, the picture. only,
// if not nil, names the steps to make (a rerun of a partial op). A failed
// step makes the op partial and is listed in o.Steps.
func (r *runner) steps(op *plan.Op, o *Outcome, mgr string, pic []byte, only map[string]bool) {
	id := o.AccountID
	if id == "" {
		return
	}
	var failed []string
	step := func(name, what string, fn func(ctx context.Context) error) {
		if only != nil && !only[name] {
			return
		}
		if err := r.do(o, fn); err != nil {
			o.Steps = append(o.Steps, name)
			if cutOff(err) {
				failed = append(failed, what+" was cut off by the run's stop ("+errorText(r.fatalOr(err))+")")
				return
			}
			failed = append(failed, what+" failed: "+errorText(err))
		}
	}
	if op.Action == plan.Reactivate && mgr != "" {
		step("manager", "setting the manager again after the reactivation", func(ctx context.Context) error {
			return r.c.UpdateAccount(ctx, id, workplace.Fields{"manager": mgr})
		})
	}
	for _, ph := range op.Phones {
		step("phone:"+ph.Number, "adding the phone "+ph.Number, func(ctx context.Context) error {
			return r.c.AddPhone(ctx, id, ph.Number, ph.Type, ph.Primary)
		})
	}
	if op.PictureURL != "" || op.PictureFile != "" {
		step("picture", "setting the picture", func(ctx context.Context) error {
			if op.PictureURL != "" {
				return r.c.SetPictureURL(ctx, id, op.PictureURL)
			}
			return r.c.UploadPicture(ctx, id, op.PictureFile, pic)
		})
	}
	if len(failed) > 0 {
		o.Status = StatusPartial
		o.Partial = fmt.Sprintf("%s, but %s; run apply again to redo just that", doneStatus[op.Action], strings.Join(failed, "; "))
	}
}
