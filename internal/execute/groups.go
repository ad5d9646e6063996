package execute

import (
	"context"
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
// created in this run have their ids.
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
		if st := r.opts.Resumed[groupJournalBase+op.ID]; st != nil && st.Done != nil {
			if st.Done.Status != StatusFailed && st.Done.Status != StatusPartial {
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
		} else {
			r.runGroup(gc, op, o, made)
		}
		if r.opts.Journal != nil {
			r.opts.Journal.Write(Record{Event: "done", Op: groupJournalBase + op.ID, Status: o.Status, AccountID: o.GroupID, Code: o.Code, Message: o.Message})
		}
	}
	return out
}

func (r *runner) runGroup(gc GroupClient, op *plan.GroupOp, o *GroupOutcome, made string) {
	fail := func(err error) {
		o.Status, o.Code, o.Message = StatusFailed, workplace.ErrorCode(err), errorText(err)
	}
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
		// Made empty, then filled like any group: the client knows how
		// many member changes one request may carry.
		id, err := r.createGroup(gc, op.Name)
		if err != nil {
			fail(err)
			return
		}
		if id == "" {
			o.Status, o.Message = StatusStale, fmt.Sprintf("a group named %q was made after the plan: skipped; make a new plan", op.Name)
			return
		}
		o.GroupID = id
	}
	err := r.do(&Outcome{}, func(ctx context.Context) error { return gc.ChangeMembers(ctx, o.GroupID, add, remove) })
	if err != nil {
		fail(err)
		if op.Action == plan.Create {
			o.Status = StatusPartial
			o.Message = "the group was created, but changing its members failed: " + o.Message + "; run apply again to finish"
		}
		return
	}
	o.Added, o.Removed = len(add), len(remove)
	o.Status = map[plan.Action]string{plan.Create: "created", plan.Update: "updated"}[op.Action]
	if len(missing) > 0 {
		o.Status = StatusPartial
		o.Message = fmt.Sprintf("%d members not added: their accounts were not created (%s); fix those rows and run again", len(missing), strings.Join(missing, ", "))
	}
}

// createGroup makes the group once: an answer lost is resolved by looking
// the name up before trying again. It returns "" when a group of that
// name exists without our doing (made after the plan).
func (r *runner) createGroup(gc GroupClient, name string) (string, error) {
	var t tries
	unknown := false
	for {
		if unknown {
			var id string
			err := r.do(&Outcome{}, func(ctx context.Context) error {
				var err error
				id, err = gc.FindGroup(ctx, name)
				return err
			})
			if err != nil {
				return "", err
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
			return "", err
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
		if !t.again(r.layer.Retry, err) || r.stop.Err() != nil {
			return "", err
		}
		if werr := r.layer.Retry.Sleep(r.stop, r.layer.sleepFor(t.n(), err)); werr != nil {
			return "", err
		}
	}
}
