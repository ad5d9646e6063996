package report

import (
	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
)

// Tally is what one apply left, by status: the plan's rows, its people
// sets and its groups. Every printer and workbook counts through it.
type Tally struct {
	Rows, Sets, Groups map[plan.Status]int
	Added, Removed     int // group members
	Resumed            int // outcomes an earlier run recorded
}

// TallyOf counts the statuses of p's rows and objects after r.
func TallyOf(p *plan.Plan, r *execute.Result) Tally {
	t := Tally{Rows: map[plan.Status]int{}, Sets: map[plan.Status]int{}, Groups: map[plan.Status]int{}}
	for _, row := range p.Rows {
		st, _ := statusOf(row, r.Outcomes)
		t.Rows[st]++
	}
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Kind == plan.KindAccount {
			continue
		}
		st, o := objectStatus(c, r.Outcomes)
		if c.Kind == plan.KindGroup {
			t.Groups[st]++
			if o != nil {
				t.Added += o.Added
				t.Removed += o.Removed
			}
		} else {
			t.Sets[st]++
		}
	}
	for _, o := range r.Outcomes {
		if o.Resumed {
			t.Resumed++
		}
	}
	return t
}

// Retryable counts what a rerun does again: rows, sets and groups that
// failed, are partial or were not attempted.
func (t Tally) Retryable() (rows, sets, groups int) {
	for st, n := range t.Rows {
		if st.Retryable() {
			rows += n
		}
	}
	for st, n := range t.Sets {
		if st.Retryable() {
			sets += n
		}
	}
	for st, n := range t.Groups {
		if st.Retryable() {
			groups += n
		}
	}
	return rows, sets, groups
}

// Unfinished counts what did not go through as planned: rows failed,
// partial, stale, not applied or not attempted (not the rows the plan
// itself left out), and people sets and groups not done.
func (t Tally) Unfinished() int {
	n := 0
	for _, m := range []map[plan.Status]int{t.Rows, t.Sets, t.Groups} {
		for st, c := range m {
			if !st.Done() && st != plan.Skipped {
				n += c
			}
		}
	}
	return n
}
