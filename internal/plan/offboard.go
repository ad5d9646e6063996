package plan

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/roster"
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

// ErasureGrace is how long after deactivation personal data may be erased
// (Workplace's documented 4 days).
const ErasureGrace = 4 * 24 * time.Hour

// Offboard plans the deactivation (or deletion, or erasure) of the listed
// accounts. It reads every account: the guard is a share of them.
func Offboard(ctx context.Context, in OffboardInput, dir Directory, opts Options) (*Plan, error) {
	if err := opts.Normalize(); err != nil {
		return nil, err
	}
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	start := dir.Calls()
	st, err := ListAll(ctx, dir, 100)
	if err != nil {
		return nil, err
	}
	p := &Plan{FormatVersion: FormatVersion, ToolVersion: in.ToolVersion, CreatedAt: now.UTC(), Kind: "offboard",
		Roster: RosterInfo{Path: in.Path, Sheet: in.Sheet, SHA256: in.SHA256, Rows: len(in.Entries), Header: in.Header},
		APIURL: dir.BaseURL(), Options: opts, ReadMode: st.Mode, FileIssues: in.FileIssues}
	seen := map[string]int{}
	for _, e := range in.Entries {
		entry := RowEntry{Row: e.Row, Key: e.Key, Action: None, Status: "planned", Changes: map[string][2]string{}}
		note := func(sev roster.Severity, code, format string, args ...any) {
			entry.Issues = append(entry.Issues, roster.Issue{Row: e.Row, Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)})
		}
		a := st.Find(e.Key)
		switch {
		case e.Key == "":
			entry.Action, entry.Status = Skip, "invalid"
			note(roster.Error, "offboard.no_key", "the row has no id, email or external_id; fill one in")
			p.Rows = append(p.Rows, entry)
			continue
		case a == nil:
			entry.Action, entry.Status = Skip, "invalid"
			note(roster.Error, "offboard.not_found", "no account has the id, email or external_id %q; check the list", e.Key)
			p.Rows = append(p.Rows, entry)
			continue
		case seen[a.ID] > 0:
			entry.AccountID, entry.Name = a.ID, a.Name
			note(roster.Warning, "offboard.duplicate", "the same account is on row %d; it is handled there", seen[a.ID])
			p.Rows = append(p.Rows, entry)
			continue
		}
		seen[a.ID] = e.Row
		entry.AccountID, entry.Name = a.ID, a.Name
		op := &Op{Row: e.Row, Key: e.Key, Name: a.Name, AccountID: a.ID, Fingerprint: Fingerprint(a), Version: a.Version, Changes: map[string][2]string{}}
		deactivatedAt, _ := time.Parse("2006-01-02T15:04:05-0700", a.AccountDeactivateTime)
		switch {
		case opts.DeleteUnclaimed && !a.IsClaimed():
			op.Action, op.Reason = Delete, "never claimed: deleted (--delete-unclaimed)"
			op.Changes["account"] = [2]string{"exists", "deleted"}
		case opts.Erase && !a.IsActive() && !deactivatedAt.IsZero() && !now.Before(deactivatedAt.Add(ErasureGrace)):
			op.Action, op.Reason = Erase, "deactivated on "+deactivatedAt.UTC().Format("2006-01-02")+": personal data erased, IRREVERSIBLY"
			op.Changes["personal data"] = [2]string{"kept", "erased (irreversible)"}
		case a.IsActive():
			op.Action, op.Reason = Deactivate, "on the offboarding list"
			op.Fields = map[string]string{"active": "false"}
			op.Changes["active"] = [2]string{"true", "false"}
		}
		if opts.DeleteUnclaimed && a.IsClaimed() && op.Action == Deactivate {
			note(roster.Warning, "offboard.claimed", "the account was claimed, so it cannot be deleted; it is deactivated instead")
		}
		if opts.Erase && op.Action != Erase && op.Action != Delete {
			from := now.Add(ErasureGrace)
			if !a.IsActive() && !deactivatedAt.IsZero() {
				from = deactivatedAt.Add(ErasureGrace)
			}
			note(roster.Warning, "offboard.erase_later", "personal data can be erased only 4 days after deactivation: from %s; run offboard --erase again then",
				from.UTC().Format("2006-01-02 15:04 MST"))
		}
		if op.Action == "" {
			entry.Action = None
			note(roster.Warning, "plan.note", "already deactivated: nothing to do")
			p.Rows = append(p.Rows, entry)
			continue
		}
		op.ID = len(p.Ops) + 1
		p.Ops = append(p.Ops, *op)
		entry.Action, entry.Op, entry.Changes = op.Action, op.ID, op.Changes
		p.Rows = append(p.Rows, entry)
	}
	active, removed, erased := 0, 0, 0
	for _, a := range st.byID {
		if a.IsActive() {
			active++
		}
	}
	for _, op := range p.Ops {
		switch op.Action {
		case Deactivate, Delete:
			removed++
		case Erase:
			erased++
		}
	}
	g := Guard{Spec: opts.MaxDeactivate, Limit: LimitOf(opts.MaxDeactivate, active), Active: active, Deactivations: removed}
	g.Raised = g.Limit > LimitOf(DefaultMaxDeactivate, active)
	if removed > g.Limit {
		g.Tripped = true
		p.Refused = fmt.Sprintf("the plan deactivates or deletes %d accounts, over the limit of %d (--max-deactivate %s of %d active accounts); "+
			"check the list or raise the limit for this run with --max-deactivate %d", removed, g.Limit, g.Spec, active, removed)
	}
	p.Guard = g
	p.guardMassUpdates() // nothing to count, but Check expects them
	if erased > 0 {
		p.Warnings = append(p.Warnings, fmt.Sprintf("IRREVERSIBLE: applying this plan erases the personal data of %d accounts (remove_profile_information). "+
			"It cannot be undone: check the Changes sheet name by name before you apply it.", erased))
	}
	p.ReadCalls = int(dir.Calls() - start)
	return p, nil
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
