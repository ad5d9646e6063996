package execute

import (
	"context"
	"errors"
	"fmt"

	"github.com/wpimport/wpimport/internal/picture"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// runAccount applies one account change and records its outcome.
func (r *runner) runAccount(c *plan.Change) {
	if done := r.journaled(c.ID); done != nil && done.Status == plan.Partial {
		r.redoSteps(c, done)
		return
	}
	w := r.start(c)
	o := w.o
	mgr, err := r.managerID(c)
	if err != nil {
		if m := r.outcome(c.Manager.CreateOp); m == nil || m.Status == plan.NotAttempted {
			// The manager may yet be created: leave this change for the next run.
			o.Status, o.Message = plan.NotAttempted, "not attempted: its manager's account is not known yet; run apply again"
			r.finish(w.outcome(), false)
			return
		}
		o.Status, o.Message = plan.Failed, err.Error()
		r.finish(w.outcome(), true)
		return
	}
	var pic []byte
	if c.Picture != nil && c.Picture.File != "" {
		// Read again, with every check, before any call of the change: the
		// plan file may have been changed, or the file replaced.
		if pic, err = picture.Read(r.pictureDir, c.Picture.File); err != nil {
			o.Status, o.Message = plan.Failed, "nothing was done: "+err.Error()
			r.finish(w.outcome(), true)
			return
		}
	}
	inFlight := r.inJournal(c.ID)
	if !r.intent(c) {
		return
	}
	got, err := r.write(c, w, mgr, inFlight)
	var na *target.NotApplied
	if errors.As(err, &na) && got != nil {
		// The write went through, but the service kept another value of
		// one field: done as far as it goes, never tried again (a create
		// made the account), the field named for a person to set.
		err = nil
	}
	switch {
	case err == nil:
		if o.Status == "" {
			o.Status = plan.DoneStatus(c.Action)
			o.After, o.Version = afterOf(c, got, o.ObjectID, mgr)
			if na != nil {
				o.After, o.Version = got.Clone(), got.Version
				o.Status, o.Message = plan.NotApplied, notAppliedText(plan.DoneStatus(c.Action), na)
			}
			r.steps(c, w, pic, nil, inFlight)
		}
	case cutOff(err):
		// The run stopped (Ctrl-C, a bad token, an unreachable service),
		// or the write's outcome is unknown: not this change's failure. Not
		// journaled: the plain rerun does it, and the intent above makes
		// it check the account first.
		o.Status, o.Message = plan.NotAttempted, r.notAttempted(err, "account")
		r.finish(w.outcome(), false)
		return
	case target.IsPreconditionFailed(err):
		// If-Match refused: someone changed the account since it was read.
		o.Status, o.Error = plan.Stale, ErrorInfoOf(err)
		o.Message = "the account changed since the plan read it (HTTP 412): skipped, nothing was overwritten; make a new plan"
	default:
		o.Status, o.Error, o.Message = plan.Failed, ErrorInfoOf(err), errorText(err)
	}
	r.finish(w.outcome(), true)
}

// managerID resolves the change's manager to an account id: an existing
// one, or the one a create of this plan made.
func (r *runner) managerID(c *plan.Change) (string, error) {
	if c.Manager == nil {
		return "", nil
	}
	if c.Manager.AccountID != "" {
		return c.Manager.AccountID, nil
	}
	r.mu.Lock()
	id := r.created[c.Manager.CreateOp]
	r.mu.Unlock()
	if id == "" {
		row := 0
		if m := r.p.Change(c.Manager.CreateOp); m != nil {
			row = m.Row
		}
		return "", fmt.Errorf("its manager %s (row %d) has no account: that row was not created; fix it and run again", c.Manager.Ref, row)
	}
	return id, nil
}

// ref names the change's account with the version the plan read, sent as
// If-Match where the target has versions: never for a change an earlier
// run may have made (its own write would have changed the version).
func (r *runner) ref(c *plan.Change) target.Ref {
	ref := target.Ref{ID: c.AccountID}
	if c.Before != nil && !r.inJournal(c.ID) {
		ref.Version = c.Before.Version
	}
	return ref
}

// write makes the change's main write and returns the account as the
// target answered it, if it did.
func (r *runner) write(c *plan.Change, w *counted, mgr string, inFlight bool) (*target.Account, error) {
	o := w.o
	switch c.Action {
	case plan.Create:
		return r.create(c, w, mgr, inFlight)
	case plan.Update, plan.Reactivate:
		if len(c.Fields) == 0 {
			return nil, nil // phones or a picture only
		}
		to := c.After.Clone()
		if c.Sets(roster.Manager) {
			to.Manager = refTo(mgr)
		}
		got, err := r.t.Update(w.mainCtx, r.ref(c), to, c.Fields)
		return got, r.settle(err)
	case plan.Deactivate:
		if len(c.Fields) > 1 {
			// An undo's deactivation of a reactivated account also sets
			// back what the reactivation changed (its manager, fields): one
			// update, active among its fields.
			to := c.After.Clone()
			if c.Sets(roster.Manager) {
				to.Manager = refTo(mgr)
			}
			got, err := r.t.Update(w.mainCtx, r.ref(c), to, c.Fields)
			return got, r.settle(err)
		}
		got, err := r.t.SetActive(w.mainCtx, r.ref(c), false)
		return got, r.settle(err)
	case plan.Delete, plan.Erase:
		how := target.RemoveDelete
		if c.Action == plan.Erase {
			how = target.RemoveErase
		}
		end, err := r.once(w.mainCtx, w.ctx, intent{obj: "account", unknown: inFlight, goneIsDone: true,
			try:  func(ctx context.Context) error { return r.t.Remove(ctx, r.ref(c), how) },
			find: func(ctx context.Context) (seen, error) { return r.removed(ctx, c) }})
		if end == foundOurs {
			o.Message = "found " + string(plan.DoneStatus(c.Action)) + " after an unanswered request: done once"
		}
		return nil, err
	}
	return nil, fmt.Errorf("unknown action %q", c.Action)
}

// removed looks for the account a removal is to: gone (or, where the
// target's delete deactivates, inactive) it is done. An erasure leaves the
// account: it is tried again, which erases nothing more.
func (r *runner) removed(ctx context.Context, c *plan.Change) (seen, error) {
	k := target.Key{Kind: target.ByID, Value: c.AccountID}
	found, err := r.t.Find(ctx, []target.Key{k})
	if err != nil {
		return notThere, err
	}
	a := found[k]
	switch {
	case a == nil:
		return ours, nil
	case c.Action == plan.Delete && r.caps != nil && r.caps.Delete == target.DeleteDeactivates && !a.Active:
		return ours, nil
	}
	return notThere, nil
}

// create makes the account once (see once): the account with its manager,
// found after a lost answer by the plan's look-up keys.
func (r *runner) create(c *plan.Change, w *counted, mgr string, inFlight bool) (*target.Account, error) {
	o := w.o
	a := c.After.Clone()
	a.Manager = refTo(mgr)
	var got *target.Account
	var na error // a *target.NotApplied the create came back with
	end, err := r.once(w.mainCtx, w.ctx, intent{obj: "account", unknown: inFlight, create: true,
		try: func(ctx context.Context) error {
			var err error
			got, err = r.t.Create(ctx, a)
			if target.IsNotApplied(err) && got != nil {
				// Made, but a value not kept: the account exists.
				na, err = err, nil
			}
			return err
		},
		find: func(ctx context.Context) (seen, error) {
			acc, err := r.lookup(ctx, c.Lookup)
			if acc == nil || err != nil {
				return notThere, err
			}
			got = acc
			return ours, nil
		}})
	if err != nil {
		return nil, err
	}
	o.ObjectID = got.ID
	switch end {
	case foundOurs:
		o.Message = "found by look-up after an unanswered create: created once"
	case taken:
		o.Status = plan.Stale
		o.Message = fmt.Sprintf("an account with this %s already exists (%s); it was made after the plan: skipped, make a new plan", keyName(c.Lookup, got), got.ID)
	}
	return got, na
}

// notAppliedText says what a write the service did not wholly keep did.
func notAppliedText(done plan.Status, na *target.NotApplied) string {
	return fmt.Sprintf("%s, but %s: the service accepted %s %q and kept %s; set it by hand, or ask the service's support",
		done, na.Field, na.Field, na.Sent, keptText(na.Kept))
}

func keptText(kept string) string {
	if kept == "" {
		return "no value"
	}
	return fmt.Sprintf("%q", kept)
}

// lookup finds the account a create would have made, by its keys:
// external_id first, then email, then user name.
func (r *runner) lookup(ctx context.Context, l *plan.Lookup) (*target.Account, error) {
	keys := l.Keys()
	if len(keys) == 0 {
		return nil, nil
	}
	found, err := r.t.Find(ctx, keys)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if a := found[k]; a != nil {
			return a, nil
		}
	}
	return nil, nil
}

func keyName(l *plan.Lookup, a *target.Account) string {
	switch {
	case l != nil && l.ExternalID != "" && a.ExternalID == l.ExternalID:
		return "external_id"
	case l != nil && l.Email == "" && l.UserName != "":
		return "user name"
	}
	return "email"
}

// refTo is a manager reference, or nil for none.
func refTo(id string) *target.Ref {
	if id == "" {
		return nil
	}
	return &target.Ref{ID: id}
}

// afterOf is the account as the change's write left it, and its version:
// as the target answered it, where the answer holds the account; else the
// change's Expected account with its id and manager filled in (and the
// version the target gave, if any); nil for a removal.
func afterOf(c *plan.Change, got *target.Account, id, mgr string) (*target.Account, string) {
	var a *target.Account
	switch {
	case c.Action == plan.Delete || c.Action == plan.Erase:
		return nil, plan.Fingerprint(nil)
	case got != nil && (got.Name.Formatted != "" || got.LoginName() != "" || got.ExternalID != ""):
		a = got.Clone()
	default:
		a = c.Expected()
		a.Version = ""
		if got != nil {
			a.Version = got.Version
		}
		if c.Sets(roster.Manager) {
			a.Manager, a.ManagerKey = refTo(mgr), ""
			if c.Manager != nil && mgr != "" {
				a.ManagerKey = c.Manager.Ref
			}
		}
	}
	if a.ID == "" {
		a.ID = id
	}
	if a.Version != "" {
		return a, a.Version
	}
	return a, plan.Fingerprint(a)
}
