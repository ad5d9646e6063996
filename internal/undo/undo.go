// Package undo builds the plan that takes an import back, from the results
// of its apply.
//
// A results file records, for every change, the account as the plan read
// it (Before), what the change wrote (its Fields and After) and the
// account as the write left it (the outcome's After). Build reads those
// accounts again through the target and writes the inverse of each change
// the apply finished:
//
//   - updated fields go back to their Before values (a field that was empty
//     is cleared, where the target can clear it; a name or an email is
//     never cleared);
//   - a created account is deactivated, or deleted with DeleteCreated where
//     the target says it was never claimed and has a delete;
//   - a deactivated account is reactivated, its manager set back;
//   - a reactivated account is deactivated, its manager set back to what it
//     was, empty included;
//   - group members added are removed and removed ones added back (a group
//     the import made is deleted only with DeleteCreated); people sets
//     created are deleted, updated ones get their old conditions, deleted
//     ones are made again.
//
// Only what the import left is undone: an account whose values now differ
// from what the apply wrote (someone changed it since) is stale, left
// alone, and listed with what changed. Changes the apply did not finish
// (not attempted, failed) are not undone; a partial one has its main change
// undone. What cannot be taken back (erasure, a picture, a phone on a
// target that cannot remove phones, an invitation sent) is listed with the
// reason, never skipped in silence. The undo plan is a plan like any: its
// guards, seal, sign-off and apply are the same, and its results can be
// undone in turn.
package undo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/report"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// Options shape an undo plan.
type Options struct {
	// DeleteCreated deletes, rather than deactivates, the accounts the
	// import created that the target says were never claimed, and the
	// groups it created.
	DeleteCreated bool
	// The guards, as for any plan.
	MaxDeactivate       string
	MaxDeletePeopleSets string
	MaxGroupRemovals    string
}

// Input is what an undo plan is made from.
type Input struct {
	Results     *report.Results
	Path        string // the results file
	SHA256      string // of the results file
	ToolVersion string
}

// Build reads the accounts the import touched through dir and plans the
// inverse of every change it finished.
func Build(ctx context.Context, in Input, dir target.Directory, o Options) (*plan.Plan, error) {
	r := in.Results
	caps, err := dir.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	if caps.Target != r.Info.API {
		return nil, fmt.Errorf("the results are of an apply to the %s API, not %s: undo it there (--api %s --api-url %s)", r.Info.API, caps.Target, r.Info.API, r.Info.APIURL)
	}
	opts := plan.Options{MaxDeactivate: o.MaxDeactivate, MaxDeletePeopleSets: o.MaxDeletePeopleSets, MaxGroupRemovals: o.MaxGroupRemovals,
		DeleteCreated: o.DeleteCreated, Sync: r.Info.Options.Sync}
	if err := opts.Normalize(); err != nil {
		return nil, err
	}
	start := calls(dir)
	p := &plan.Plan{FormatVersion: plan.FormatVersion, ToolVersion: in.ToolVersion, CreatedAt: time.Now().UTC(), Kind: "undo",
		Roster: r.Info.Roster, Options: opts, ReadMode: "lookup"}
	p.Roster.Path, p.Roster.SHA256 = r.Info.Roster.Path, r.Info.Roster.SHA256
	if u, ok := dir.(interface{ URL() string }); ok {
		p.APIURL = u.URL()
	}
	p.API = caps.Target
	p.Target = plan.TargetInfo{Name: caps.Target, Service: caps.Service, ReactivationClearsManager: caps.ReactivationClearsManager,
		ReadsAuthMethod: caps.CanRead(roster.AuthMethod), Delete: caps.Delete, InvitesOnCreate: caps.InvitesOnCreate}
	b := &builder{caps: caps, opts: o, plan: p, now: map[string]*target.Account{}, created: map[int]string{}}
	for i := range r.Changes {
		if cr := &r.Changes[i]; cr.Change.Kind == plan.KindAccount && cr.Change.Action == plan.Create && done(cr.Outcome) {
			b.created[cr.Change.ID] = cr.Outcome.ObjectID
		}
	}
	if err := b.read(ctx, dir, r); err != nil {
		return nil, err
	}
	if err := b.readObjects(ctx, dir, r); err != nil {
		return nil, err
	}
	for i := range r.Changes {
		b.inverse(&r.Changes[i])
	}
	b.finish()
	p.ReadCalls = int(calls(dir) - start)
	return p, nil
}

func calls(dir target.Directory) int64 {
	if c, ok := dir.(interface{ Calls() int64 }); ok {
		return c.Calls()
	}
	return 0
}

// builder holds the work of one Build.
type builder struct {
	caps *target.Capabilities
	opts Options
	plan *plan.Plan
	now  map[string]*target.Account // the accounts as they are, by id
	// created are the accounts the import's creates made, by change id.
	created map[int]string
	// sets and groups as they are, by id (nil where gone)
	sets   map[string]*target.PeopleSet
	groups map[string]*target.Group
	active int // active accounts read: the guard's base
}

// done reports an outcome of a change that went through (its main change,
// for a partial one).
func done(o *execute.Outcome) bool {
	return o != nil && (o.Status.Done() && o.Status != plan.Unchanged || o.Status == plan.Partial)
}

// read reads every account a finished change touched: from a listing of
// all of them where the target can list completely (the guard is then a
// share of the active population, as for any plan), else by id.
func (b *builder) read(ctx context.Context, dir target.Directory, r *report.Results) error {
	if b.caps.Complete {
		b.plan.ReadMode = "list"
		return dir.ListAll(ctx, func(page []target.Account) error {
			for i := range page {
				a := page[i]
				b.now[a.ID] = &a
				if a.Active {
					b.active++
				}
			}
			return nil
		})
	}
	var keys []target.Key
	for i := range r.Changes {
		cr := &r.Changes[i]
		if cr.Change.Kind != plan.KindAccount || !done(cr.Outcome) {
			continue
		}
		if id := accountID(cr); id != "" {
			keys = append(keys, target.Key{Kind: target.ByID, Value: id})
		}
	}
	if len(keys) == 0 {
		return nil
	}
	found, err := dir.Find(ctx, keys)
	if err != nil {
		return fmt.Errorf("read the accounts the import changed: %w", err)
	}
	for k, a := range found {
		b.now[k.Value] = a
		if a.Active {
			b.active++
		}
	}
	return nil
}

// readObjects reads the groups and people sets the import changed.
func (b *builder) readObjects(ctx context.Context, dir target.Directory, r *report.Results) error {
	var wantGroups, wantSets bool
	for i := range r.Changes {
		cr := &r.Changes[i]
		if !done(cr.Outcome) {
			continue
		}
		wantGroups = wantGroups || cr.Change.Kind == plan.KindGroup
		wantSets = wantSets || cr.Change.Kind == plan.KindPeopleSet
	}
	if g, ok := target.GroupsOf(dir, b.caps); ok && wantGroups {
		list, err := g.ListGroups(ctx)
		if err != nil {
			return fmt.Errorf("list groups: %w", err)
		}
		b.groups = map[string]*target.Group{}
		for i := range list {
			b.groups[list[i].ID] = &list[i]
			b.plan.GroupMembersRead += len(list[i].Members)
		}
	}
	if s, ok := target.PeopleSetsOf(dir, b.caps); ok && wantSets {
		list, err := s.ListPeopleSets(ctx)
		if err != nil {
			return fmt.Errorf("list people sets: %w", err)
		}
		b.sets = map[string]*target.PeopleSet{}
		for i := range list {
			b.sets[list[i].ID] = &list[i]
		}
		b.plan.PeopleSetsRead = len(list)
	}
	return nil
}

// accountID is the account a change wrote to.
func accountID(cr *report.ChangeResult) string {
	if cr.Change.AccountID != "" {
		return cr.Change.AccountID
	}
	if cr.Outcome != nil {
		return cr.Outcome.ObjectID
	}
	return ""
}

// row is the plan's entry for one change the import made.
func (b *builder) row(c *plan.Change) plan.RowEntry {
	return plan.RowEntry{Row: c.Row, Key: c.Key, Name: c.Name, Action: plan.None, Status: plan.Planned, AccountID: c.AccountID}
}

func issue(row int, sev roster.Severity, code, format string, args ...any) roster.Issue {
	return roster.Issue{Row: row, Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)}
}

// add files an undo change and its row.
func (b *builder) add(c plan.Change, e plan.RowEntry) {
	c.ID = len(b.plan.Changes) + 1
	c.Cause = plan.CauseUndo
	b.plan.Changes = append(b.plan.Changes, c)
	if c.Kind == plan.KindAccount {
		e.Action, e.Change = c.Action, c.ID
		e.AccountID = c.AccountID
		b.plan.Rows = append(b.plan.Rows, e)
	}
}

// inverse plans the inverse of one change of the import.
func (b *builder) inverse(cr *report.ChangeResult) {
	c, o := &cr.Change, cr.Outcome
	switch c.Kind {
	case plan.KindGroup:
		b.inverseGroup(c, o)
		return
	case plan.KindPeopleSet:
		b.inverseSet(c, o)
		return
	}
	if !c.Runs() || !done(o) {
		return // the import did not do it: nothing to undo
	}
	e := b.row(c)
	id := accountID(cr)
	e.AccountID = id
	now := b.now[id]
	if now == nil {
		e.Action, e.Status = plan.Skip, plan.Stale
		e.Issues = append(e.Issues, issue(c.Row, roster.Warning, "undo.stale", "account %s is gone since the import: nothing to take back", id))
		b.plan.Rows = append(b.plan.Rows, e)
		return
	}
	if why := changedSince(c, o, now); why != "" {
		e.Action, e.Status = plan.Skip, plan.Stale
		e.Issues = append(e.Issues, issue(c.Row, roster.Warning, "undo.stale",
			"changed since the import (%s): left alone; compare it with the results and set it by hand if it must go back", why))
		b.plan.Rows = append(b.plan.Rows, e)
		return
	}
	u := plan.Change{Kind: plan.KindAccount, Row: c.Row, Key: c.Key, Name: c.Name, AccountID: id, Before: now, Fingerprint: plan.Fingerprint(now)}
	switch c.Action {
	case plan.Create:
		b.undoCreate(&u, c, now, &e)
	case plan.Update:
		b.undoUpdate(&u, c, now, &e)
	case plan.Deactivate:
		u.Action, u.Reason = plan.Reactivate, "the import deactivated it"
		u.After = &target.Account{Active: true}
		u.Fields = []roster.Field{roster.Active}
		b.restoreManager(&u, c, b.caps.ReactivationClearsManager)
	case plan.Reactivate:
		u.Action, u.Reason = plan.Deactivate, "the import reactivated it"
		u.After = &target.Account{Active: false}
		u.Fields = []roster.Field{roster.Active}
		b.restoreManager(&u, c, false)
		b.restoreFields(&u, c, &e)
	case plan.Delete, plan.Erase:
		e.Action = plan.Skip
		e.Issues = append(e.Issues, issue(c.Row, roster.Warning, "undo.irreversible", "the import %s the account: that cannot be taken back", map[plan.Action]string{plan.Delete: "deleted", plan.Erase: "erased the personal data of"}[c.Action]))
		b.plan.Rows = append(b.plan.Rows, e)
		return
	}
	b.irreversible(c, o, &u, &e)
	if u.Action == "" || u.Action == plan.Update && len(u.Fields) == 0 {
		e.Action = plan.None
		if len(e.Issues) == 0 {
			e.Issues = append(e.Issues, issue(c.Row, roster.Warning, "plan.note", "nothing the import changed here can be set back"))
		}
		b.plan.Rows = append(b.plan.Rows, e)
		return
	}
	for _, ir := range u.Irreversible {
		e.Issues = append(e.Issues, issue(c.Row, roster.Warning, "undo.irreversible", "%s", ir))
	}
	b.add(u, e)
}

// compared are the fields whose change since the import makes an undo
// stale: every field the import wrote, and whether the account is active.
func changedSince(c *plan.Change, o *execute.Outcome, now *target.Account) string {
	after := o.After
	if after == nil {
		after = c.Expected()
	}
	var parts []string
	fields := append(slices.Clone(c.Fields), roster.Active)
	for _, f := range fields {
		var was, is string
		switch f {
		case roster.IsFrontline, roster.HasAccess:
			was, is = after.Get(f), now.Get(f)
		default:
			was, is = after.Get(f), now.Get(f)
		}
		if f == roster.Email && strings.EqualFold(was, is) {
			continue
		}
		if was != is {
			parts = append(parts, fmt.Sprintf("%s: %s → %s", f, empty(was), empty(is)))
		}
	}
	return strings.Join(parts, "; ")
}

func empty(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}

// undoCreate deactivates, or deletes, an account the import created.
func (b *builder) undoCreate(u *plan.Change, c *plan.Change, now *target.Account, e *plan.RowEntry) {
	switch {
	case b.opts.DeleteCreated && b.caps.Delete != target.DeleteNone && now.Claim == target.Unclaimed:
		u.Action, u.Reason = plan.Delete, "the import created it, and it was never claimed: deleted (--delete-created)"
		if b.caps.Delete == target.DeleteDestroys {
			u.Irreversible = append(u.Irreversible, "deleting it cannot be taken back: "+b.caps.Service+" destroys the account")
		}
	case !now.Active:
		e.Issues = append(e.Issues, issue(c.Row, roster.Warning, "plan.note", "the import created it, and it is deactivated already"))
	default:
		u.Action, u.Reason = plan.Deactivate, "the import created it"
		u.After = &target.Account{Active: false}
		u.Fields = []roster.Field{roster.Active}
		if b.opts.DeleteCreated {
			e.Issues = append(e.Issues, issue(c.Row, roster.Warning, "plan.note",
				"not deleted: %s says the account was claimed, or cannot tell, or has no delete; it is deactivated", b.caps.Service))
		}
	}
}

// undoUpdate sets back every field the import changed.
func (b *builder) undoUpdate(u *plan.Change, c *plan.Change, now *target.Account, e *plan.RowEntry) {
	u.Action, u.Reason = plan.Update, "the import changed it"
	u.After = &target.Account{Active: now.Active}
	b.restoreFields(u, c, e)
	if c.Sets(roster.Manager) {
		b.restoreManager(u, c, true)
	}
}

// restoreFields sets back, in u, the text and frontline fields c changed.
func (b *builder) restoreFields(u *plan.Change, c *plan.Change, e *plan.RowEntry) {
	for _, f := range c.Fields {
		switch f {
		case roster.Active, roster.Manager:
			continue
		case roster.IsFrontline, roster.HasAccess:
			if !u.Sets(roster.IsFrontline) && b.caps.CanCarry(roster.IsFrontline) {
				fl := c.Before.Frontline
				if fl == nil {
					fl = &target.Frontline{}
				}
				u.After.Frontline = fl
				u.Fields = append(u.Fields, roster.IsFrontline)
				if b.caps.CanCarry(roster.HasAccess) {
					u.Fields = append(u.Fields, roster.HasAccess)
				}
			}
			continue
		}
		was := c.Before.Get(f)
		switch {
		case !b.caps.CanCarry(f):
			continue
		case !b.caps.CanRead(f) || !b.plan.Target.ReadsAuthMethod && f == roster.AuthMethod:
			u.Irreversible = append(u.Irreversible, fmt.Sprintf("%s was set to %q, but its earlier value was never read (%s does not let it be read): it is left as it is", f, c.After.Get(f), b.caps.Service))
			continue
		case was == "" && (f == roster.Name || f == roster.Email || f == roster.UserName):
			continue // never cleared
		case was == b.caps.Cleared(f) && was != "":
			// the target's default: clearing sets it back
		}
		u.After.Set(f, was)
		u.Fields = append(u.Fields, f)
	}
}

// restoreManager sets, in u, the manager back to the one before c (empty
// included); always, or only where it differs from the one now.
func (b *builder) restoreManager(u *plan.Change, c *plan.Change, always bool) {
	was := c.Before.ManagerID()
	if !always && was == u.Before.ManagerID() {
		return
	}
	if u.Sets(roster.Manager) {
		return
	}
	u.Fields = append(u.Fields, roster.Manager)
	if was == "" {
		u.Manager = nil
		u.After.Manager = nil
		return
	}
	u.Manager = &plan.ManagerRef{AccountID: was, Ref: cmpOr(c.Before.ManagerKey, was)}
	u.After.Manager = &target.Ref{ID: was}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// irreversible lists what the change did that its inverse cannot take back.
func (b *builder) irreversible(c *plan.Change, o *execute.Outcome, u *plan.Change, e *plan.RowEntry) {
	if c.Action == plan.Create && b.plan.Target.InvitesOnCreate {
		u.Irreversible = append(u.Irreversible, "the invitation email sent when the account was created cannot be taken back")
	}
	failed := map[string]bool{}
	for _, s := range o.Steps {
		failed[s] = true
	}
	for _, ph := range c.Phones {
		if failed["phone:"+ph.Number] || c.Action == plan.Create {
			continue
		}
		if b.caps.PhonesRemovable && b.caps.CanCarry(roster.Phone) {
			if !u.Sets(roster.Phone) {
				u.After.Phones = c.Before.Phones
				u.Fields = append(u.Fields, roster.Phone)
			}
			continue
		}
		u.Irreversible = append(u.Irreversible, fmt.Sprintf("the phone %s that the import added cannot be removed through %s: remove it by hand", ph.Number, b.caps.Service))
	}
	if c.Picture != nil && !failed["picture"] {
		u.Irreversible = append(u.Irreversible, "the profile picture the import set cannot be taken back (the earlier one was never read)")
	}
}
