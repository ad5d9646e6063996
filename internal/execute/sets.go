package execute

import (
	"context"
	"fmt"

	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/target"
)

// runSet applies one people set change (after every account change: its
// MANAGER values may be accounts made in this run) and records its
// outcome. The set is re-read first: it must still be as planned.
func (r *runner) runSet(c *plan.Change) {
	w := r.start(c)
	o := w.o
	ps, ok := target.PeopleSetsOf(r.t, r.caps)
	var err error
	if !ok {
		err = fmt.Errorf("%s has no people sets", r.t.URL())
	} else {
		err = r.set(ps, c, w)
	}
	switch {
	case err == nil:
	case cutOff(err):
		o.Status, o.Error, o.Message = plan.NotAttempted, nil, r.notAttempted(err, "people set")
	default:
		o.Status, o.Error, o.Message = plan.Failed, ErrorInfoOf(err), errorText(err)
	}
	// Not attempted is not journaled: the next run does it.
	r.finish(w.outcome(), o.Status != plan.NotAttempted)
}

// conditions are the set change's wanted conditions, each person by
// account id. ok is false (and o says why) when a person named is an
// account not made yet: the set is left for the next run.
func (r *runner) conditions(c *plan.Change, o *Outcome) ([]target.Condition, bool, error) {
	var out []target.Condition
	for _, sc := range c.Set.After {
		tc := target.Condition{Field: sc.Field, Operator: sc.Operator}
		for _, v := range sc.Values {
			if v.CreateOp == 0 {
				tc.Values = append(tc.Values, v.Value)
				continue
			}
			r.mu.Lock()
			id := r.created[v.CreateOp]
			r.mu.Unlock()
			row := 0
			if m := r.p.Change(v.CreateOp); m != nil {
				row = m.Row
			}
			if m := r.outcome(v.CreateOp); id == "" && (m == nil || m.Status == plan.NotAttempted) {
				o.Status, o.Message = plan.NotAttempted, fmt.Sprintf("not attempted: %s (row %d) has no account yet; run apply again", v.Ref, row)
				return nil, false, nil
			}
			if id == "" {
				return nil, false, fmt.Errorf("%s (row %d) has no account: that row was not created; fix it, then run apply again", v.Ref, row)
			}
			tc.Values = append(tc.Values, id)
		}
		out = append(out, tc)
	}
	return out, true, nil
}

// set applies one set change and sets o's status, or returns the error
// that ended it. A change the journal knows may have been written by an
// earlier run whose answer was lost: a set as this change would leave it
// is then taken as its own doing.
func (r *runner) set(ps target.PeopleSets, c *plan.Change, w *counted) error {
	o := w.o
	conds, ok, err := r.conditions(c, o)
	if !ok {
		return err
	}
	name := c.Name
	want := plan.SetFingerprint(conds)
	cur, err := ps.FindPeopleSet(w.ctx, name)
	if err = r.settle(err); err != nil {
		return err
	}
	inFlight := r.inJournal(c.ID)
	asPlanned := cur != nil && cur.Name == name && plan.SetFingerprint(cur.Conditions) == want
	done := plan.DoneStatus(c.Action)
	switch {
	case inFlight && c.Action == plan.Create && asPlanned:
		o.Status, o.ObjectID, o.Message = done, cur.ID, "found by name after an unanswered create: created once"
		return nil
	case inFlight && c.Action == plan.Update && asPlanned && cur.ID == c.Set.SetID:
		o.Status, o.Message = done, "found as planned after an unanswered update"
		return nil
	case inFlight && c.Action == plan.Delete && cur == nil:
		o.Status, o.Message = done, "gone after an unanswered delete"
		return nil
	case c.Action == plan.Create && cur != nil:
		o.Status, o.ObjectID, o.Message = plan.Stale, cur.ID, "a set with this name was made after the plan: skipped; make a new plan"
		return nil
	case c.Action != plan.Create && (cur == nil || cur.ID != c.Set.SetID):
		o.Status, o.Message = plan.Stale, "the set is gone or was replaced since the plan: skipped; make a new plan"
		return nil
	case c.Action != plan.Create && plan.SetFingerprint(cur.Conditions) != c.Set.Fingerprint:
		o.Status, o.Message = plan.Stale, "the set's conditions changed since the plan: skipped; make a new plan"
		return nil
	}
	if !r.intent(c) {
		return &cutOffError{r.fatalErr()}
	}
	find := func(ctx context.Context) (seen, error) {
		cur, err := ps.FindPeopleSet(ctx, name)
		switch {
		case err != nil:
			return notThere, err
		case cur == nil:
			return notThere, nil
		case plan.SetFingerprint(cur.Conditions) == want:
			o.ObjectID = cur.ID
			return ours, nil
		}
		o.ObjectID = cur.ID
		return theirs, nil
	}
	switch c.Action {
	case plan.Create:
		end, err := r.once(w.mainCtx, w.ctx, intent{obj: "people set", create: true, find: find,
			try: func(ctx context.Context) error {
				ref, err := ps.CreatePeopleSet(ctx, name, conds)
				o.ObjectID = ref.ID
				return err
			}})
		switch {
		case err != nil:
			return err
		case end == foundOurs:
			o.Message = "found by name after an unanswered create: created once"
		case end == taken:
			o.Status, o.Message = plan.Stale, "a set with this name was made after the plan: skipped; make a new plan"
			return nil
		}
	case plan.Update:
		if err := r.settle(ps.UpdatePeopleSet(w.mainCtx, target.Ref{ID: c.Set.SetID}, name, conds)); err != nil {
			return err
		}
	case plan.Delete:
		_, err := r.once(w.mainCtx, w.ctx, intent{obj: "people set", goneIsDone: true,
			try: func(ctx context.Context) error { return ps.DeletePeopleSet(ctx, target.Ref{ID: c.Set.SetID}) },
			find: func(ctx context.Context) (seen, error) {
				cur, err := ps.FindPeopleSet(ctx, name)
				if err != nil || (cur != nil && cur.ID == c.Set.SetID) {
					return notThere, err
				}
				return ours, nil
			}})
		if err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown action %q for a people set", c.Action)
	}
	o.Status = done
	return nil
}
