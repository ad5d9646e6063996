package plan_test

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/wpimport/wpimport/internal/plan"
)

// render is a stable text form of a plan for golden files: its summary,
// guards and warnings, each change as people read it (Change.Diffs, in the
// order the change writes its fields, with its manager reference, notes
// and what it cannot take back), and each row.
func render(p *plan.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\ntarget: %+v\nread: %s\nguard: %+v\n", p.Summary(), p.Target, p.ReadMode, p.Guard)
	for _, g := range p.ChangeGuards {
		fmt.Fprintf(&b, "change guard: %+v\n", g)
	}
	fmt.Fprintf(&b, "refused: %s\n", p.Refused)
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	b.WriteString("\nchanges:\n")
	for i := range p.Changes {
		renderChange(&b, &p.Changes[i])
	}
	b.WriteString("\nrows:\n")
	for _, r := range p.Rows {
		var codes []string
		for _, is := range r.Issues {
			codes = append(codes, is.Code)
		}
		fmt.Fprintf(&b, "  row %d %s %s %s change=%d %v\n", r.Row, r.Key, r.Action, r.Status, r.Change, codes)
	}
	return hostPort.ReplaceAllString(b.String(), "HOST")
}

// hostPort is the emulator's address, which SCIM's service name holds.
var hostPort = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)

// renderChanges renders the plan's changes alone.
func renderChanges(p *plan.Plan) string {
	var b strings.Builder
	for i := range p.Changes {
		renderChange(&b, &p.Changes[i])
	}
	return b.String()
}

func renderChange(b *strings.Builder, c *plan.Change) {
	mgr := "-"
	if m := c.Manager; m != nil {
		mgr = m.Ref
		if m.CreateOp > 0 {
			mgr += fmt.Sprintf(" (change %d)", m.CreateOp)
		} else {
			mgr += " (" + m.AccountID + ")"
		}
	}
	fmt.Fprintf(b, "  #%d %s %s (%s) row %d %s level=%d manager=%s fields=%v\n", c.ID, c.Kind, c.Action, c.Cause, c.Row, c.Key, c.Level, mgr, c.Fields)
	for _, d := range c.Diffs() {
		fmt.Fprintf(b, "      %s: %q → %q\n", d.Field, d.Old, d.New)
	}
	if c.Kind == plan.KindAccount && c.Action == plan.Create && c.After != nil {
		if n := c.After.Name; n.Given != "" || n.Family != "" {
			fmt.Fprintf(b, "      (name: %+v)\n", n)
		}
	}
	for _, n := range c.Notes {
		fmt.Fprintf(b, "      note: %s\n", n)
	}
	for _, n := range c.Irreversible {
		fmt.Fprintf(b, "      irreversible: %s\n", n)
	}
	if c.Reason != "" {
		fmt.Fprintf(b, "      reason: %s\n", c.Reason)
	}
}
