package plan

import (
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/validate"
)

func (b *builder) syncDeactivations(named map[string]bool) {
	protect := map[string]bool{}
	for _, p := range b.opts.Protect {
		protect[strings.ToLower(strings.TrimSpace(p))] = true
	}
	for _, a := range b.st.Accounts() {
		if !a.Active || a.ExternalID == "" || named[a.ID] {
			continue
		}
		if protect[a.ID] || protect[strings.ToLower(a.Email)] || protect[strings.ToLower(a.ExternalID)] {
			continue
		}
		if !inScope(a, b.opts.Scope) {
			continue
		}
		b.addChange(-1, &Change{Cause: CauseSync, Key: a.ExternalID, Name: a.Name.Formatted, Action: Deactivate, AccountID: a.ID,
			Before: a, After: &target.Account{Active: false}, Fields: []roster.Field{roster.Active}, Fingerprint: Fingerprint(a),
			Reason: "--sync: in scope and named by no row of the roster"})
	}
}

func inScope(a *target.Account, rules []ScopeRule) bool {
	for _, r := range rules {
		if !strings.EqualFold(a.Get(roster.Field(r.Field)), r.Value) {
			return false
		}
	}
	return true
}

// finish computes levels, the guards, the warnings and the row entries.
func (b *builder) finish() {
	p := b.plan
	for _, c := range b.chs {
		if c.Action == Create && c.Manager != nil && c.Manager.AccountID == "" {
			c.Level = b.chs[c.Manager.CreateOp-1].Level + 1
		}
		p.Changes = append(p.Changes, *c)
	}
	p.GuardRemovals(b.st.Active(), "check the roster (a missing department? the wrong file?)")
	deact := p.Counts(KindAccount)[Deactivate]
	for _, f := range roster.Fields {
		if n := b.dropped[f]; n > 0 {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s %s, which %s cannot carry: it is not sent to any account "+
				"(the values stay in the plan and results workbooks; see \"Not carried\" in the README)", plural(n, "row gives", "rows give"), f, b.caps.Service))
		}
	}
	if b.notCompared > 0 {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s an auth_method. %s lets it be set but not read, so it was not compared "+
			"and is sent to new accounts only; to set it on the matched accounts too, plan again with --auth-method all",
			plural(b.notCompared, "matched row gives", "matched rows give"), b.caps.Service))
	}
	if b.st.Mode == "lookup" && deact > 0 {
		p.Warnings = append(p.Warnings, "the plan read only the accounts the roster names, so the --max-deactivate percentage is of those accounts")
	}
	for i := range b.res.Rows {
		row := &b.res.Rows[i]
		s := &b.state[i]
		name, _ := validate.BuildName(&b.res.Header, &row.Record)
		e := RowEntry{Row: row.Row, Key: b.res.Key(i), Name: name, Action: s.action, Status: s.status,
			Issues: append(planIssues(row.Issues), s.issues...), Change: b.chOf[i]}
		if e.Action == "" {
			e.Action = None
		}
		if acc := b.match[i]; acc != nil {
			e.AccountID = acc.ID
		}
		if s.reason != "" && e.Status == Planned {
			e.Issues = append(e.Issues, roster.Issue{Row: row.Row, Severity: roster.Warning, Code: "plan.note", Message: s.reason})
		}
		p.Rows = append(p.Rows, e)
	}
	for _, c := range b.chs {
		if c.Row == 0 {
			p.Rows = append(p.Rows, RowEntry{Key: c.Key, Name: c.Name, Action: c.Action, Status: Planned, AccountID: c.AccountID, Change: c.ID,
				Issues: []roster.Issue{{Severity: roster.Warning, Code: "plan.sync", Message: c.Reason}}})
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
