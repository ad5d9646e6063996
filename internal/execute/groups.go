package execute

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/workplace"
)

// groupJournalBase offsets group op ids in the journal.
const groupJournalBase = 2_000_000

// GroupClient is what group ops need of a target that has groups (SCIM).
type GroupClient interface {
	CreateGroup(ctx context.Context, name string) (string, error)
	FindGroup(ctx context.Context, name string) (string, error)
	ChangeMembers(ctx context.Context, groupID string, add, remove []string) error
}

// GroupOutcome is what happened to one group op.
type GroupOutcome struct {
	Op      int    `json:"op"`
	Status  string `json:"status"` // created, updated, unchanged, skipped, partial, failed, stale, not_attempted
	GroupID string `json:"group_id,omitempty"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
	Code    int    `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// runGroups applies the group ops after every account op, so that members
// created in this run have their ids. Like people sets: finished ops come
// from the journal, failed, partial and not attempted ones are done again,
// and one the run's stop cuts off is not_attempted and not journaled.
func (r *runner) runGroups(ops []plan.GroupOp) map[int]*GroupOutcome {
	out := map[int]*GroupOutcome{}
	gc, _ := r.c.(GroupClient)
	for i := range ops {
		op := &ops[i]
		o := &GroupOutcome{Op: op.ID, GroupID: op.GroupID}
		out[op.ID] = o
		switch {
		case op.Action == plan.Skip:
			o.Status, o.Message = "skipped", op.Reason
			continue
		case op.Action == plan.None:
			o.Status = "unchanged"
			continue
		}
		made := "" // the group an earlier run of this plan created
		st := r.opts.Resumed[groupJournalBase+op.ID]
		if st != nil && st.Done != nil {
			if !redone(st.Done.Status) {
				o.Status, o.GroupID, o.Message = st.Done.Status, st.Done.AccountID, st.Done.Message
				continue
			}
			made = st.Done.AccountID
		}
		if r.stopped() {
			o.Status, o.Message = StatusNotAttempted, r.notAttemptedWhy()
			continue
		}
		if gc == nil {
			o.Status, o.Message = StatusFailed, "the target has no groups"
		} else if err := r.runGroup(gc, op, o, made, st != nil && st.Intent); err != nil {
			if cutOff(err) {
				o.Status, o.Code, o.Message = StatusNotAttempted, 0, r.notAttempted(err, "group")
				continue // not journaled: the next run does it
			}
			o.Status, o.Code, o.Message = StatusFailed, workplace.ErrorCode(err), errorText(err)
		}
		r.journal(Record{Event: "done", Op: groupJournalBase + op.ID, Status: o.Status, AccountID: o.GroupID, Code: o.Code, Message: o.Message})
	}
	return out
}

// runGroup applies one group op and sets o's status, or returns the error
// that ended it. made is the group an earlier run created; inFlight says
// an earlier run sent a create that may have gone through unanswered.
func (r *runner) runGroup(gc GroupClient, op *plan.GroupOp, o *GroupOutcome, made string, inFlight bool) error {
	var add, missing []string
	for _, m := range op.Add {
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
	for _, m := range op.Remove {
		remove = append(remove, m.AccountID)
	}
	if op.Action == plan.Create && made != "" {
		o.GroupID = made // adding members already there changes nothing
	} else if op.Action == plan.Create {
		if !r.journal(Record{Event: "intent", Op: groupJournalBase + op.ID}) {
			return &cutOffError{r.fatalErr()}
		}
		// Made empty, then filled like any group: the client knows how
		// many member changes one request may carry.
		id, err := r.createGroup(gc, op.Name, inFlight)
		if err != nil {
			return err
		}
		if id == "" {
			o.Status, o.Message = StatusStale, fmt.Sprintf("a group named %q was made after the plan: skipped; make a new plan", op.Name)
			return nil
		}
		o.GroupID = id
	}
	err := r.do(&Outcome{}, func(ctx context.Context) error { return gc.ChangeMembers(ctx, o.GroupID, add, remove) })
	if err != nil && op.Action == plan.Create {
		// The group is ours: partial (journaled with its id), whatever
		// stopped its members, so that the next run fills it.
		o.Status = StatusPartial
		if cutOff(err) {
			o.Message = "the group was created, but the run stopped before its members were changed (" + errorText(r.fatalOr(err)) + "); run apply again to finish"
		} else {
			o.Code, o.Message = workplace.ErrorCode(err), "the group was created, but changing its members failed: "+errorText(err)+"; run apply again to finish"
		}
		return nil
	}
	if err != nil {
		return err
	}
	o.Added, o.Removed = len(add), len(remove)
	o.Status = map[plan.Action]string{plan.Create: "created", plan.Update: "updated"}[op.Action]
	if len(missing) > 0 {
		o.Status = StatusPartial
		o.Message = fmt.Sprintf("%d members not added: their accounts were not created (%s); fix those rows and run again", len(missing), strings.Join(missing, ", "))
	}
	return nil
}

// createGroup makes the group once: an answer lost, in this run or (unknown
// at the start) an earlier one, is resolved by looking the name up before
// trying again. It returns "" when a group of that name exists without our
// doing (made after the plan).
func (r *runner) createGroup(gc GroupClient, name string, unknown bool) (string, error) {
	var t tries
	for {
		if unknown {
			var id string
			err := r.do(&Outcome{}, func(ctx context.Context) error {
				var err error
				id, err = gc.FindGroup(ctx, name)
				return err
			})
			if err != nil {
				return "", unknownOutcome("group", "look-up", err)
			}
			if id != "" {
				return id, nil // ours, made by the attempt whose answer was lost
			}
		}
		id, err := gc.CreateGroup(r.calls, name)
		switch {
		case err == nil:
			return id, nil
		case isFatal(err):
			r.setFatal(err)
			return "", orUnknown("group", unknown, err)
		case errors.Is(err, context.Canceled):
			return "", orUnknown("group", unknown, err)
		case workplace.IsUnknownOutcome(err):
			unknown = true
		case workplace.IsInvalidParameter(err) && !unknown:
			if id, ferr := gc.FindGroup(r.calls, name); ferr == nil && id != "" {
				return "", nil // someone else's: stale
			}
			return "", err
		case !workplace.IsTransient(err):
			return "", err
		}
		if !t.again(r.layer.Retry, err) {
			return "", orUnknown("group", unknown, err)
		}
		if r.halt.Err() != nil || r.layer.Retry.Sleep(r.halt, r.layer.sleepFor(t.n(), err)) != nil {
			return "", orUnknown("group", unknown, &cutOffError{err})
		}
	}
}
