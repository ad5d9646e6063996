package plan

import (
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/validate"
	"github.com/wpimport/wpimport/internal/workplace"
)

func (b *builder) syncDeactivations(named map[string]bool) {
	protect := map[string]bool{}
	for _, p := range b.opts.Protect {
		protect[strings.ToLower(strings.TrimSpace(p))] = true
	}
	for _, a := range b.st.Accounts() {
		if !a.IsActive() || a.ExternalID == "" || named[a.ID] {
			continue
		}
		if protect[a.ID] || protect[strings.ToLower(a.Email)] || protect[strings.ToLower(a.ExternalID)] {
			continue
		}
		if !inScope(a, b.opts.Scope) {
			continue
		}
		key := a.ExternalID
		b.addOp(-1, &Op{Key: key, Name: a.Name, Email: a.Email, Action: Deactivate, AccountID: a.ID, Fields: map[string]string{"active": "false"},
			Changes: map[string][2]string{"active": {"true", "false"}}, Fingerprint: Fingerprint(a),
			Reason: "--sync: in scope and named by no row of the roster"})
	}
}

func inScope(a *workplace.Account, rules []ScopeRule) bool {
	for _, r := range rules {
		if !strings.EqualFold(a.Field(r.Field), r.Value) {
			return false
		}
	}
	return true
}

// finish computes levels, the guard and the row entries.
func (b *builder) finish() {
	p := b.plan
	for _, op := range b.ops {
		if op.Action == Create && op.Manager != nil && op.Manager.AccountID == "" {
			op.Level = b.ops[op.Manager.CreateOp-1].Level + 1
		}
		p.Ops = append(p.Ops, *op)
	}
	active, deact := 0, 0
	for _, a := range b.st.byID {
		if a.IsActive() {
			active++
		}
	}
	for _, op := range b.ops {
		if op.Action == Deactivate {
			deact++
		}
	}
	g := Guard{Spec: b.opts.MaxDeactivate, Limit: LimitOf(b.opts.MaxDeactivate, active), Active: active, Deactivations: deact}
	g.Raised = g.Limit > LimitOf(DefaultMaxDeactivate, active)
	if deact > g.Limit {
		g.Tripped = true
		p.Refused = fmt.Sprintf("the plan deactivates %d accounts, over the limit of %d (--max-deactivate %s of %d active accounts); "+
			"check the roster (a missing department? the wrong file?) or, if this is intended, raise the limit for this run with --max-deactivate %d",
			deact, g.Limit, g.Spec, active, deact)
	}
	for _, f := range b.opts.Uncarried {
		if n := b.dropped[roster.Field(f)]; n > 0 {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%d rows give %s, which %s cannot carry: it is not sent to any account "+
				"(the values stay in the plan and results workbooks; see \"Not carried\" in the README)", n, f, b.target()))
		}
	}
	if b.notCompared > 0 {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%d matched rows give an auth_method. Workplace lets it be set but not read, so it was not compared "+
			"and is sent to new accounts only; to set it on the matched accounts too, plan again with --auth-method all", b.notCompared))
	}
	if b.st.Mode == "lookup" && deact > 0 {
		p.Warnings = append(p.Warnings, "the plan read only the accounts the roster names, so the --max-deactivate percentage is of those accounts")
	}
	p.Guard = g
	for i := range b.res.Rows {
		row := &b.res.Rows[i]
		s := &b.state[i]
		name, _ := validate.BuildName(&b.res.Header, &row.Record)
		e := RowEntry{Row: row.Row, Key: b.res.Key(i), Name: name, Action: s.action, Status: s.status,
			Issues: append(planIssues(row.Issues), s.issues...), Changes: map[string][2]string{}}
		if e.Action == "" {
			e.Action = None
		}
		if acc := b.match[i]; acc != nil {
			e.AccountID = acc.ID
		}
		if id := b.opOf[i]; id > 0 {
			e.Op = id
			e.Changes = b.ops[id-1].Changes
		}
		if s.reason != "" && e.Status == "planned" {
			e.Issues = append(e.Issues, roster.Issue{Row: row.Row, Severity: roster.Warning, Code: "plan.note", Message: s.reason})
		}
		p.Rows = append(p.Rows, e)
	}
	for _, op := range b.ops {
		if op.Row == 0 {
			p.Rows = append(p.Rows, RowEntry{Row: 0, Key: op.Key, Name: op.Name, Action: op.Action, Status: "planned",
				AccountID: op.AccountID, Changes: op.Changes, Op: op.ID,
				Issues: []roster.Issue{{Severity: roster.Warning, Code: "plan.sync", Message: op.Reason}}})
		}
	}
	p.guardMassUpdates()
}

// planIssues drops validate's provisional "manager not in this file"
// warning: at plan time the manager was either found or made an error.
func planIssues(in []roster.Issue) []roster.Issue {
	out := make([]roster.Issue, 0, len(in))
	for _, is := range in {
		if is.Code == "manager.not_found" && is.Severity == roster.Warning {
			continue
		}
		out = append(out, is)
	}
	return out
}
