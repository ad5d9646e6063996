package plan

// Action is what a change does.
type Action string

const (
	Create     Action = "create"
	Update     Action = "update"
	Deactivate Action = "deactivate"
	Reactivate Action = "reactivate"
	Delete     Action = "delete"
	Erase      Action = "erase"
	None       Action = "none"
	Skip       Action = "skip"
)

// ActionOrder is the order every printer and workbook lists actions in.
var ActionOrder = []Action{Create, Update, Reactivate, Deactivate, Delete, Erase, None, Skip}

// Status is what became of a row, an account, a group or a people set: at
// plan time (planned, conflict, invalid) or after apply.
type Status string

const (
	// Plan.
	Planned  Status = "planned"
	Conflict Status = "conflict"
	Invalid  Status = "invalid"
	// Validate.
	Valid Status = "valid"
	// Apply: done.
	Created     Status = "created"
	Updated     Status = "updated"
	Reactivated Status = "reactivated"
	Deactivated Status = "deactivated"
	Deleted     Status = "deleted"
	Erased      Status = "erased"
	Unchanged   Status = "unchanged"
	// Apply: not done, or not all of it.
	Partial      Status = "partial"       // the main change went through, a following step failed
	Failed       Status = "failed"        // refused by the service
	NotApplied   Status = "not_applied"   // accepted by the service, but it did not keep the value
	Stale        Status = "stale"         // changed since the plan: skipped
	Skipped      Status = "skipped"       // invalid or in conflict at plan time, or a group skipped
	NotAttempted Status = "not_attempted" // cut off by a stop or Ctrl-C: a plain rerun does it
)

// PlanOrder is the order the plan's statuses are listed in.
var PlanOrder = []Status{Planned, Conflict, Invalid}

// StatusOrder is the order every printer and workbook lists apply
// statuses in: what went through, then what did not.
var StatusOrder = []Status{Created, Updated, Reactivated, Deactivated, Deleted, Erased, Unchanged,
	Partial, Failed, NotApplied, Stale, Skipped, NotAttempted}

// Done reports a status of a change that went through as planned.
func (s Status) Done() bool {
	switch s {
	case Created, Updated, Reactivated, Deactivated, Deleted, Erased, Unchanged:
		return true
	}
	return false
}

// Retryable reports a status a plain rerun, or --only-failed, does again.
func (s Status) Retryable() bool {
	return s == Failed || s == Partial || s == NotAttempted
}

// DoneStatus is the status of a change of action a that went through.
func DoneStatus(a Action) Status {
	switch a {
	case Create:
		return Created
	case Update:
		return Updated
	case Reactivate:
		return Reactivated
	case Deactivate:
		return Deactivated
	case Delete:
		return Deleted
	case Erase:
		return Erased
	}
	return Unchanged
}

// Words is the status as people read it: not_attempted → not attempted.
func (s Status) Words() string {
	b := []byte(s)
	for i, c := range b {
		if c == '_' {
			b[i] = ' '
		}
	}
	return string(b)
}
