package plan

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// OffboardEntry is one line of an offboarding list.
type OffboardEntry struct {
	Row int
	Key string // an account id, email or external id
}

// OffboardInput is an offboarding list.
type OffboardInput struct {
	Path, Sheet, SHA256, ToolVersion string
	Header                           []string
	Entries                          []OffboardEntry
	FileIssues                       []roster.Issue
	Now                              time.Time // for the erasure grace period; zero means now
}

// Offboard plans the deactivation (or deletion, or erasure) of the listed
// accounts. It reads every account: the guard is a share of them.
func Offboard(ctx context.Context, in OffboardInput, dir target.Directory, opts Options) (*Plan, error) {
	if err := opts.Normalize(); err != nil {
		return nil, err
	}
	caps, err := dir.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case opts.Erase && !caps.Erase:
		return nil, optionErr("--erase is Workplace's remove_profile_information, and %s has no form of it: deactivate (the default) or --delete-unclaimed", caps.Service)
	case opts.DeleteUnclaimed && caps.Delete == target.DeleteNone:
		return nil, optionErr("%s offers no way to delete an account: deactivate them (the default)", caps.Service)
	}
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	start := calls(dir)
	st, err := ListAll(ctx, dir)
	if err != nil {
		return nil, err
	}
	p := &Plan{FormatVersion: FormatVersion, ToolVersion: in.ToolVersion, CreatedAt: now.UTC(), Kind: "offboard",
		Roster:  RosterInfo{Path: in.Path, Sheet: in.Sheet, SHA256: in.SHA256, Rows: len(in.Entries), Header: in.Header},
		Options: opts, ReadMode: st.Mode, FileIssues: in.FileIssues}
	p.setTarget(dir, caps)
	seen := map[string]int{}
	for _, e := range in.Entries {
		entry := RowEntry{Row: e.Row, Key: e.Key, Action: None, Status: Planned}
		note := func(sev roster.Severity, code, format string, args ...any) {
			entry.Issues = append(entry.Issues, roster.Issue{Row: e.Row, Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)})
		}
		a := st.Find(e.Key)
		switch {
		case e.Key == "":
			entry.Action, entry.Status = Skip, Invalid
			note(roster.Error, "offboard.no_key", "the row has no id, email or external_id; fill one in")
			p.Rows = append(p.Rows, entry)
			continue
		case a == nil:
			entry.Action, entry.Status = Skip, Invalid
			note(roster.Error, "offboard.not_found", "no account has the id, email or external_id %q; check the list", e.Key)
			p.Rows = append(p.Rows, entry)
			continue
		case seen[a.ID] > 0:
			entry.AccountID, entry.Name = a.ID, a.Name.Formatted
			note(roster.Warning, "offboard.duplicate", "the same account is on row %d; it is handled there", seen[a.ID])
			p.Rows = append(p.Rows, entry)
			continue
		}
		seen[a.ID] = e.Row
		entry.AccountID, entry.Name = a.ID, a.Name.Formatted
		c := &Change{ID: len(p.Changes) + 1, Kind: KindAccount, Cause: CauseOffboard, Row: e.Row, Key: e.Key, Name: a.Name.Formatted,
			AccountID: a.ID, Before: a, Fingerprint: Fingerprint(a)}
		deactivatedAt, _ := time.Parse(time.RFC3339, a.DeactivatedAt)
		switch {
		case opts.DeleteUnclaimed && !a.IsClaimed():
			c.Action, c.Reason = Delete, "never claimed: "+deletionWords(caps)+" (--delete-unclaimed)"
			if caps.Delete != target.DeleteDeactivates {
				c.Irreversible = append(c.Irreversible, "the account is deleted: "+caps.Service+" cannot restore it")
			}
		case opts.Erase && !a.Active && !deactivatedAt.IsZero() && !now.Before(deactivatedAt.Add(caps.EraseGrace)):
			c.Action, c.Reason = Erase, "deactivated on "+deactivatedAt.UTC().Format("2006-01-02")+": personal data erased, IRREVERSIBLY"
			c.Irreversible = append(c.Irreversible, "personal data erased (remove_profile_information)")
		case a.Active:
			c.Action, c.Reason = Deactivate, "on the offboarding list"
			c.After, c.Fields = &target.Account{Active: false}, []roster.Field{roster.Active}
		}
		if opts.DeleteUnclaimed && a.IsClaimed() && c.Action == Deactivate {
			note(roster.Warning, "offboard.claimed", "the account was claimed (or %s cannot tell), so it is not deleted; it is deactivated instead", caps.Service)
		}
		if opts.Erase && c.Action != Erase && c.Action != Delete {
			from := now.Add(caps.EraseGrace)
			if !a.Active && !deactivatedAt.IsZero() {
				from = deactivatedAt.Add(caps.EraseGrace)
			}
			note(roster.Warning, "offboard.erase_later", "personal data can be erased only %s after deactivation: from %s; run offboard --erase again then",
				graceWords(caps.EraseGrace), from.UTC().Format("2006-01-02 15:04 MST"))
		}
		if c.Action == "" {
			entry.Action = None
			note(roster.Warning, "plan.note", "already deactivated: nothing to do")
			p.Rows = append(p.Rows, entry)
			continue
		}
		p.Changes = append(p.Changes, *c)
		entry.Action, entry.Change = c.Action, c.ID
		p.Rows = append(p.Rows, entry)
	}
	p.GuardRemovals(st.Active(), "check the list")
	p.guardMassUpdates() // nothing to count, but Check expects them
	if n := p.Counts(KindAccount)[Erase]; n > 0 {
		p.Warnings = append(p.Warnings, fmt.Sprintf("IRREVERSIBLE: applying this plan erases the personal data of %s (remove_profile_information). "+
			"It cannot be undone: check the Changes sheet name by name before you apply it.", plural(n, "account", "accounts")))
	}
	p.ReadCalls = int(calls(dir) - start)
	return p, nil
}

// OptionError is an option or input the target cannot honour: a usage
// error, said before anything is read.
type OptionError struct{ Msg string }

func (e *OptionError) Error() string { return e.Msg }

func optionErr(format string, args ...any) error {
	return &OptionError{Msg: fmt.Sprintf(format, args...)}
}

// deletionWords says what a DELETE does on the target.
func deletionWords(caps *target.Capabilities) string {
	switch caps.Delete {
	case target.DeleteDeactivates:
		return "deleted, which " + caps.Service + " does by deactivating it"
	case target.DeleteDestroys:
		return "deleted for good: " + caps.Service + " cannot bring it back"
	}
	return "deleted"
}

func graceWords(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return plural(int(d/(24*time.Hour)), "day", "days")
	}
	return d.String()
}

// GuardRemovals computes the --max-deactivate guard from the plan's
// deactivations and deletions against active accounts, and refuses the
// plan over it; hint says what to check.
func (p *Plan) GuardRemovals(active int, hint string) {
	c := p.Counts(KindAccount)
	removed := c[Deactivate] + c[Delete]
	g := Guard{Spec: p.Options.MaxDeactivate, Limit: LimitOf(p.Options.MaxDeactivate, active), Active: active, Deactivations: removed}
	g.Raised = g.Limit > LimitOf(DefaultMaxDeactivate, active)
	if removed > g.Limit {
		g.Tripped = true
		verb := "deactivates"
		if c[Delete] > 0 {
			verb = "deactivates or deletes"
		}
		p.Refused = fmt.Sprintf("the plan %s %d accounts, over the limit of %d (--max-deactivate %s of %d active accounts); "+
			"%s or, if this is intended, raise the limit for this run with --max-deactivate %d", verb, removed, g.Limit, g.Spec, active, hint, removed)
	}
	p.Guard = g
}

// OffboardKeyOf picks the key of an offboarding row: id, external_id, email.
func OffboardKeyOf(id, ext, email string) string {
	for _, k := range []string{id, ext, email} {
		if k = strings.TrimSpace(k); k != "" {
			return k
		}
	}
	return ""
}
