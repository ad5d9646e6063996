package report

import (
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/validate"
)

// FromPlan makes the sign-off document of a plan. res gives the original
// cells; it may be nil.
func FromPlan(p *plan.Plan, res *validate.Result) *Document { return FromPlanCells(p, rowCells(res)) }

// FromPlanCells is FromPlan with the original cells of each row given by
// cells (an offboarding list's own columns).
func FromPlanCells(p *plan.Plan, cells func(row int) []string) *Document {
	counts := map[string]int{}
	actions := map[string]int{}
	issues := map[string]int{}
	for _, r := range p.Rows {
		counts[string(r.Status)]++
		actions[string(r.Action)]++
		for _, is := range r.Issues {
			issues[is.Code]++
		}
	}
	title := "wpimport plan"
	if p.Refused != "" {
		title = "wpimport plan: REFUSED"
	}
	doc := &Document{
		Kind:    "plan",
		Source:  p.Roster.Path,
		Headers: p.Roster.Header,
		Summary: Summary{
			Title:      title,
			Rows:       len(p.Rows),
			ByStatus:   CountsOf(counts, statusNames(plan.PlanOrder)),
			ByAction:   CountsOf(actions, actionNames(plan.ActionOrder)),
			ByIssue:    issues,
			FileIssues: p.FileIssues,
			Facts:      planFacts(p),
		},
	}
	doc.Entries = func(yield func(*Entry) bool) {
		var e Entry
		for _, r := range p.Rows {
			e = Entry{Row: r.Row, Key: r.Key, Name: r.Name, Action: string(r.Action), Status: string(r.Status), AccountID: r.AccountID,
				Changes: changesOf(p.Change(r.Change)), Issues: r.Issues, Cells: cells(r.Row)}
			if !yield(&e) {
				return
			}
		}
	}
	doc.Tables = planTables(p)
	return doc
}

// SignOff puts the plan file and its digest first among doc's facts: the
// digest is what a sign-off approves (apply --approved DIGEST).
func SignOff(doc *Document, planPath, digest string) {
	doc.Summary.Facts = append(Facts{
		{"Plan file", planPath},
		{"Plan digest", digest + "\nApprove exactly this plan with: wpimport apply " + planPath + " --approved " + digest},
	}, doc.Summary.Facts...)
}

// rowCells returns a function giving the original cells of a roster row
// (nil for row 0 or without a roster); cells are copied only as each entry
// is written.
func rowCells(res *validate.Result) func(row int) []string {
	if res == nil {
		return func(int) []string { return nil }
	}
	index := make(map[int]int32, len(res.Rows))
	for i := range res.Rows {
		index[res.Rows[i].Row] = int32(i)
	}
	return func(row int) []string {
		if i, ok := index[row]; ok {
			return res.Rows[i].Cells()
		}
		return nil
	}
}

// changesOf renders a change's diffs as the results schema's changes
// (field → [old, new]).
func changesOf(c *plan.Change) map[string]Change {
	if c == nil {
		return nil
	}
	d := c.Diffs()
	if len(d) == 0 {
		return nil
	}
	out := make(map[string]Change, len(d))
	for _, x := range d {
		out[x.Field] = Change{x.Old, x.New}
	}
	return out
}

// statusNames and actionNames are the orders the plan package fixes, as
// text.
func statusNames(order []plan.Status) []string {
	out := make([]string, len(order))
	for i, s := range order {
		out[i] = string(s)
	}
	return out
}

func actionNames(order []plan.Action) []string {
	out := make([]string, len(order))
	for i, a := range order {
		out[i] = string(a)
	}
	return out
}

// targetName names the service a plan is for.
func targetName(p *plan.Plan) string {
	if p.Target.Service != "" {
		return p.Target.Service
	}
	return p.API
}

func planFacts(p *plan.Plan) Facts {
	o := p.Options
	f := Facts{
		{"summary", p.Summary()},
		{"roster", p.Roster.Path},
		{"roster sha256", p.Roster.SHA256},
		{"target", targetName(p)},
		{"API URL", p.APIURL},
		{"made at", p.CreatedAt.Format("2006-01-02 15:04:05 MST")},
		{"tool version", p.ToolVersion},
		{"state read by", fmt.Sprintf("%s (%d API calls)", p.ReadMode, p.ReadCalls)},
		{"match order", strings.Join(o.Match, ", then ")},
		{"empty cells", o.Empty},
		{"sync", fmt.Sprint(o.Sync)},
		{"deactivation guard", fmt.Sprintf("%d planned, limit %d (--max-deactivate %s of %d active accounts)", p.Guard.Deactivations, p.Guard.Limit, p.Guard.Spec, p.Guard.Active)},
	}
	if p.Guard.Raised {
		f = append(f, [2]string{"guard raised", "yes: the limit was raised above the default 5% for this run"})
	}
	if p.Kind != "offboard" {
		f = append(f, massUpdateFacts(p)...)
	}
	if len(p.Counts(plan.KindGroup)) > 0 {
		removals := 0
		for i := range p.Changes {
			if g := p.Changes[i].Group; g != nil {
				removals += len(g.Remove)
			}
		}
		f = append(f, [2]string{"group removal guard", fmt.Sprintf("%d planned, limit %d (--max-group-removals %s of %d members; --sync-groups %v)",
			removals, plan.LimitOf(o.MaxGroupRemovals, p.GroupMembersRead), o.MaxGroupRemovals, p.GroupMembersRead, o.SyncGroups)})
	}
	if len(o.Uncarried) > 0 {
		f = append(f, [2]string{"not carried by the target", strings.Join(o.Uncarried, ", ")})
	}
	if p.Target.InvitesOnCreate && p.Counts(plan.KindAccount)[plan.Create] > 0 {
		f = append(f, [2]string{"invitations", fmt.Sprintf("%s sends each new account an invitation email at once: applying this plan invites %d people, which cannot be taken back",
			targetName(p), p.Counts(plan.KindAccount)[plan.Create])})
	}
	if p.Target.ReactivationClearsManager && p.Counts(plan.KindAccount)[plan.Reactivate] > 0 {
		f = append(f, [2]string{"reactivations", targetName(p) + " clears the manager when it reactivates an account: the plan sets it again in the same step"})
	}
	if len(o.Scope) > 0 {
		var s []string
		for _, r := range o.Scope {
			s = append(s, r.Field+"="+r.Value)
		}
		f = append(f, [2]string{"sync scope", strings.Join(s, " and ")})
	}
	if len(o.Protect) > 0 {
		f = append(f, [2]string{"protected accounts", fmt.Sprint(len(o.Protect))})
	}
	if p.Refused != "" {
		f = append(f, [2]string{"REFUSED", p.Refused})
	}
	for _, w := range p.Warnings {
		f = append(f, [2]string{"warning", w})
	}
	return f
}

// massUpdateFacts are the figures of the mass-update guards: renames, login
// email changes, and how many matched accounts have each field overwritten
// or cleared.
func massUpdateFacts(p *plan.Plan) Facts {
	var f Facts
	var over []string
	var field *plan.ChangeGuard
	for _, g := range p.ChangeGuards {
		state := ""
		switch {
		case g.Tripped:
			state = "; OVER THE LIMIT"
		case g.Raised:
			state = "; raised above the default for this run"
		}
		figures := fmt.Sprintf("limit %d (%s %s of %d matched accounts)%s", g.Limit, g.Option, g.Spec, g.Matched, state)
		switch g.Option {
		case "--max-renames":
			f = append(f, [2]string{"rename guard", fmt.Sprintf("%d renames, %s", g.Changes, figures)})
		case "--max-email-changes":
			f = append(f, [2]string{"login email guard", fmt.Sprintf("%d login emails changed, %s", g.Changes, figures)})
		default:
			field = &g
			if g.Tripped {
				over = append(over, g.Field)
			}
		}
	}
	counts := p.FieldChanges()
	var changed []string
	for _, name := range plan.GuardedFields {
		if counts[name] > 0 {
			changed = append(changed, fmt.Sprintf("%s %d", name, counts[name]))
		}
	}
	line := "no field of a matched account is overwritten or cleared"
	if len(changed) > 0 {
		line = "overwritten or cleared: " + strings.Join(changed, ", ")
	}
	if field != nil {
		line += fmt.Sprintf("; per field other than name and email, limit %d (--max-field-changes %s of %d matched accounts",
			field.Limit, field.Spec, field.Matched)
		if _, pct, _ := plan.ParseLimit(field.Spec); pct {
			line += ", at least 5 to refuse"
		}
		line += ")"
		if field.Raised {
			line += "; raised above the default for this run"
		}
	} else {
		line += fmt.Sprintf(" (--max-field-changes %s)", p.Options.MaxFieldChanges)
	}
	if len(over) > 0 {
		line += "; OVER THE LIMIT: " + strings.Join(over, ", ")
	}
	return append(f, [2]string{"field change guard", line})
}

// planTables are the plan's sheets beside its rows: who loses access (a
// list a manager reads name by name), and the people sets and groups. What
// each row changes is on the Plan sheet itself, one line per row in roster
// order.
func planTables(p *plan.Plan) []Table {
	var tables []Table
	deacts := Table{Name: "Deactivations", Headers: []string{"row", "name", "email", "key", "account_id", "action", "why"},
		Widths: []float64{6, 24, 30, 14, 18, 11, 60}}
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Kind != plan.KindAccount {
			continue
		}
		switch c.Action {
		case plan.Deactivate, plan.Delete, plan.Erase:
			row, email := "", ""
			if c.Row > 0 {
				row = fmt.Sprint(c.Row)
			}
			if c.Before != nil {
				email = c.Before.Email
			}
			deacts.Rows = append(deacts.Rows, []string{row, c.Name, email, c.Key, c.AccountID, string(c.Action), c.Reason})
		}
	}
	if len(deacts.Rows) > 0 {
		tables = append(tables, deacts)
	}
	if len(p.Counts(plan.KindPeopleSet)) > 0 {
		tables = append(tables, peopleSetTable(p))
	}
	if len(p.Counts(plan.KindGroup)) > 0 {
		tables = append(tables, groupTable(p))
	}
	return tables
}

func groupTable(p *plan.Plan) Table {
	t := Table{Name: "Groups", Headers: []string{"group", "action", "members now", "to add", "to remove", "added (who)", "removed (who)", "rows", "note"},
		Widths: []float64{26, 10, 10, 8, 9, 50, 50, 14, 50}}
	for i := range p.Changes {
		c := &p.Changes[i]
		if g := c.Group; g != nil {
			t.Rows = append(t.Rows, []string{c.Name, string(c.Action), fmt.Sprint(g.Members), fmt.Sprint(len(g.Add)), fmt.Sprint(len(g.Remove)),
				memberList(g.Add), memberList(g.Remove), joinInts(c.Rows), c.Reason})
		}
	}
	return t
}

// memberList names members for people, at most 50 of them.
func memberList(ms []plan.MemberRef) string {
	var parts []string
	for i, m := range ms {
		if i == 50 {
			parts = append(parts, fmt.Sprintf("… and %d more", len(ms)-50))
			break
		}
		s := m.Ref
		if m.Row > 0 {
			s += fmt.Sprintf(" (row %d)", m.Row)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "\n")
}

func peopleSetTable(p *plan.Plan) Table {
	t := Table{Name: "People sets", Headers: []string{"people set", "rows", "action", "status", "conditions now", "conditions planned", "issues"},
		Widths: []float64{26, 10, 10, 10, 50, 50, 60}}
	for i := range p.Changes {
		c := &p.Changes[i]
		if s := c.Set; s != nil {
			t.Rows = append(t.Rows, []string{c.Name, joinInts(c.Rows), string(c.Action), string(c.Status()),
				plan.RenderConditions(s.Before), plan.RenderConditions(s.Wanted()), setNote(c)})
		}
	}
	return t
}

func setNote(c *plan.Change) string {
	note := FormatIssues(c.Issues)
	if c.Reason != "" {
		if note != "" {
			note += "\n"
		}
		note += c.Reason
	}
	return note
}

func joinInts(v []int) string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ", ")
}
