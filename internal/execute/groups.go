package execute

import (
	"context"
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/target"
)

// runGroup applies one group change (after every account change, so that
// members created in this run have their ids) and records its outcome. A
// group an earlier run created is not created again: the journal gives
// its id, and adding members already there changes nothing.
func (r *runner) runGroup(c *plan.Change) {
	w := r.start(c)
	o := w.o
	gr, ok := target.GroupsOf(r.t, r.caps)
	var err error
	if !ok {
		err = fmt.Errorf("%s has no groups", r.t.URL())
	} else {
		made := "" // the group an earlier run of this plan created
		if done := r.journaled(c.ID); done != nil {
			made = done.ObjectID
		}
		err = r.group(gr, c, w, made)
	}
	switch {
	case err == nil:
	case cutOff(err):
		o.Status, o.Error, o.Message = plan.NotAttempted, nil, r.notAttempted(err, "group")
		r.finish(w.outcome(), false) // not journaled: the next run does it
		return
	default:
		o.Status, o.Error, o.Message = plan.Failed, ErrorInfoOf(err), errorText(err)
	}
	r.finish(w.outcome(), true)
}

// group applies one group change and sets o's status, or returns the
// error that ended it.
func (r *runner) group(gr target.Groups, c *plan.Change, w *counted, made string) error {
	o := w.o
	g := c.Group
	var add, missing []string
	for _, m := range g.Add {
		id := m.AccountID
		if id == "" {
			r.mu.Lock()
			id = r.created[m.CreateOp]
			r.mu.Unlock()
		}
		if id == "" {
			missing = append(missing, m.Ref)
			continue
		}
		add = append(add, id)
	}
	var remove []string
	for _, m := range g.Remove {
		remove = append(remove, m.AccountID)
	}
	switch {
	case c.Action == plan.Delete:
		return r.deleteGroup(gr, c, w)
	case c.Action == plan.Create && made != "":
		o.ObjectID = made
	case c.Action == plan.Create:
		if !r.intent(c) {
			return &cutOffError{r.fatalErr()}
		}
		// Made empty, then filled like any group: the target knows how
		// many member changes one request may carry.
		var ref target.Ref
		end, err := r.once(w.mainCtx, w.ctx, intent{obj: "group", unknown: r.inJournal(c.ID), create: true,
			try: func(ctx context.Context) (err error) {
				ref, err = gr.CreateGroup(ctx, c.Name)
				return err
			},
			find: func(ctx context.Context) (seen, error) {
				found, err := gr.FindGroup(ctx, c.Name)
				if found == nil || err != nil {
					return notThere, err
				}
				ref = target.Ref{ID: found.ID, Version: found.Version}
				return ours, nil
			}})
		if err != nil {
			return err
		}
		o.ObjectID = ref.ID
		if end == taken {
			o.Status, o.Message = plan.Stale, fmt.Sprintf("a group named %q was made after the plan: skipped; make a new plan", c.Name)
			return nil
		}
	}
	err := r.settle(gr.ChangeMembers(w.ctx, target.Ref{ID: o.ObjectID}, add, remove))
	if err != nil && c.Action == plan.Create {
		// The group is ours: partial (journaled with its id), whatever
		// stopped its members, so that the next run fills it.
		o.Status = plan.Partial
		if cutOff(err) {
			o.Message = "the group was created, but the run stopped before its members were changed (" + errorText(r.fatalOr(err)) + "); run apply again to finish"
		} else {
			o.Error, o.Message = ErrorInfoOf(err), "the group was created, but changing its members failed: "+errorText(err)+"; run apply again to finish"
		}
		return nil
	}
	if err != nil {
		return err
	}
	o.Added, o.Removed = len(add), len(remove)
	o.Status = plan.DoneStatus(c.Action)
	if len(missing) > 0 {
		o.Status = plan.Partial
		o.Message = fmt.Sprintf("%d members not added: their accounts were not created (%s); fix those rows and run again", len(missing), strings.Join(missing, ", "))
	}
	return nil
}

// deleteGroup deletes a group once: after a lost answer, a group of that
// name no longer there is deleted.
func (r *runner) deleteGroup(gr target.Groups, c *plan.Change, w *counted) error {
	if !r.intent(c) {
		return &cutOffError{r.fatalErr()}
	}
	ref := target.Ref{ID: c.Group.GroupID}
	_, err := r.once(w.mainCtx, w.ctx, intent{obj: "group", unknown: r.inJournal(c.ID), goneIsDone: true,
		try: func(ctx context.Context) error { return gr.DeleteGroup(ctx, ref) },
		find: func(ctx context.Context) (seen, error) {
			found, err := gr.FindGroup(ctx, c.Name)
			if err != nil || (found != nil && found.ID == ref.ID) {
				return notThere, err
			}
			return ours, nil
		}})
	if err == nil {
		w.o.Status = plan.Deleted
	}
	return err
}
