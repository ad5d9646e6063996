package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/validate"
	"github.com/wpimport/wpimport/internal/workplace"
)

// Input is what a plan is made from.
type Input struct {
	Result      *validate.Result
	SHA256      string
	ToolVersion string
	PeopleSets  *validate.PeopleSets // optional
}

// sentFields are the roster fields sent as create/update parameters: those
// the API documents as settable. location and start_date are validated and
// kept in the outputs, but not sent (see README).
var sentFields = []roster.Field{roster.Name, roster.Email, roster.ExternalID, roster.Title, roster.Department,
	roster.Organization, roster.Division, roster.CostCenter, roster.WorkLocale, roster.AuthMethod}

// unreadable fields may not come back when reading a member: an empty
// current value means "unknown", so they are sent on create but not diffed.
var unreadable = map[roster.Field]bool{roster.AuthMethod: true}

// builder holds the work of one Build.
type builder struct {
	res   *validate.Result
	st    *State
	opts  Options
	plan  *Plan
	match []*workplace.Account // per row: the matched account
	state []rowState
	ops   []*Op
	opOf  []int // per row: index into ops+1, 0 = none
}

type rowState struct {
	status string // planned, conflict, invalid
	issues []roster.Issue
	action Action
	reason string
}

// Build reads the current state and plans every row.
func Build(ctx context.Context, in Input, dir Directory, opts Options) (*Plan, error) {
	if err := opts.Normalize(); err != nil {
		return nil, err
	}
	res := in.Result
	start := dir.Calls()
	p := &Plan{FormatVersion: FormatVersion, ToolVersion: in.ToolVersion, CreatedAt: time.Now().UTC(), Kind: "roster",
		Roster: RosterInfo{Path: res.Path, Sheet: res.Sheet, SHA256: in.SHA256, Rows: len(res.Rows), Header: res.Header.Headers()},
		APIURL: dir.BaseURL(), Options: opts, FileIssues: res.FileIssues}
	st, err := readState(ctx, res, dir, opts, in.PeopleSets)
	if err != nil {
		return nil, err
	}
	p.ReadMode = st.Mode
	b := &builder{res: res, st: st, opts: opts, plan: p, match: make([]*workplace.Account, len(res.Rows)),
		state: make([]rowState, len(res.Rows)), opOf: make([]int, len(res.Rows))}
	named := b.matchRows()
	for _, i := range b.depthOrder() {
		b.planRow(i)
	}
	if opts.Sync {
		b.syncDeactivations(named)
	}
	b.finish()
	if in.PeopleSets != nil {
		if err := b.planPeopleSets(ctx, dir, in.PeopleSets); err != nil {
			return nil, err
		}
	}
	p.ReadCalls = int(dir.Calls() - start)
	return p, nil
}

// readState reads what the plan needs. --read auto lists everything when
// that is likely cheaper than looking up each named account: ?ids= costs a
// call per id, so it tries a listing within the look-ups' estimated cost and
// falls back to look-ups only when the community turns out larger.
func readState(ctx context.Context, res *validate.Result, dir Directory, opts Options, sets *validate.PeopleSets) (*State, error) {
	if opts.Read == "list" || opts.Sync {
		return ListAll(ctx, dir, 100)
	}
	h := &res.Header
	var exts, refs []string
	for i := range res.Rows {
		rec := &res.Rows[i].Record
		if v, _, _ := h.Value(rec, roster.ExternalID); v != "" {
			exts = append(exts, v)
		}
		for _, f := range []roster.Field{roster.Email, roster.NewEmail, roster.ID} {
			if v, _, _ := h.Value(rec, f); v != "" {
				refs = append(refs, v)
			}
		}
		if m, _, _ := h.Value(rec, roster.Manager); m != "" && res.Resolve(m) < 0 {
			if strings.Contains(m, "@") || isAccountID(m) {
				refs = append(refs, m)
			} else {
				exts = append(exts, m)
			}
		}
	}
	if sets != nil {
		for _, r := range managerRefs(sets) {
			if res.Resolve(r) < 0 {
				if strings.Contains(r, "@") || isAccountID(r) {
					refs = append(refs, r)
				} else {
					exts = append(exts, r)
				}
			}
		}
	}
	if opts.Read == "auto" {
		// Look-ups: one call per 50 external ids, one per email or id of a
		// row without an external id, and one per email of the (guessed
		// 10%) joiners the external ids will not find.
		budget := (len(exts)+49)/50 + len(refs) - len(exts) + len(exts)/10 + 1
		budget = max(budget, 2)
		st, complete, err := listWithin(ctx, dir, 100, budget)
		if err != nil {
			return nil, err
		}
		if complete {
			return st, nil
		}
		st.Mode = "list, then lookup"
		return st, st.lookUp(ctx, dir, exts, refs)
	}
	return LookUp(ctx, dir, exts, refs)
}

func isAccountID(s string) bool {
	if len(s) < 15 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (b *builder) keys(i int) (ext, email string) {
	h := &b.res.Header
	rec := &b.res.Rows[i].Record
	ext, _, _ = h.Value(rec, roster.ExternalID)
	email, _, _ = h.Value(rec, roster.Email)
	return ext, email
}

func (b *builder) fail(i int, status string, is roster.Issue) {
	s := &b.state[i]
	s.status = status
	s.action = Skip
	is.Row = b.res.Rows[i].Row
	s.issues = append(s.issues, is)
}

// matchRows matches every row to an account and returns the accounts some
// row names (invalid rows included).
func (b *builder) matchRows() map[string]bool {
	named := map[string]bool{}
	for i := range b.res.Rows {
		row := &b.res.Rows[i]
		ext, email := b.keys(i)
		var byExt, byEmail *workplace.Account
		if ext != "" {
			byExt = b.st.byExt[ext]
		}
		if email != "" {
			byEmail = b.st.byEmail[strings.ToLower(email)]
		}
		for _, a := range []*workplace.Account{byExt, byEmail} {
			if a != nil {
				named[a.ID] = true
			}
		}
		if !row.Valid() {
			b.state[i] = rowState{status: "invalid", action: Skip}
			continue
		}
		b.state[i].status = "planned"
		switch {
		case byExt != nil && byEmail != nil && byExt != byEmail:
			b.fail(i, "conflict", roster.Issue{Severity: roster.Error, Code: "match.conflict",
				Message: fmt.Sprintf("the external_id %s is account %s (%s) but the email %s is account %s (%s); fix the roster or the accounts, then plan again",
					ext, byExt.ID, byExt.Name, email, byEmail.ID, byEmail.Name)})
			continue
		}
		first := byExt
		if b.opts.Match[0] == "email" || first == nil {
			first = byEmail
			if first == nil {
				first = byExt
			}
		}
		if first != nil && first == byEmail && byExt == nil && ext != "" && first.ExternalID != "" && first.ExternalID != ext {
			b.fail(i, "conflict", roster.Issue{Severity: roster.Error, Code: "match.conflict",
				Message: fmt.Sprintf("the email %s is account %s, whose external_id is %s, not %s; correct the roster's external_id (or the account's) and plan again",
					email, first.ID, first.ExternalID, ext)})
			continue
		}
		b.match[i] = first
	}
	return named
}

// depthOrder lists rows so that every row comes after its in-file manager.
// Rows on a reporting cycle (already invalid) get depth 0.
func (b *builder) depthOrder() []int {
	const unknown, visiting = -1, -2
	n := len(b.res.Rows)
	depth := make([]int, n)
	for i := range depth {
		depth[i] = unknown
	}
	var chain []int
	for i := 0; i < n; i++ {
		chain = chain[:0]
		for j := i; j >= 0 && depth[j] == unknown; j = b.res.ManagerRow(j) {
			depth[j] = visiting
			chain = append(chain, j)
		}
		for k := len(chain) - 1; k >= 0; k-- {
			j := chain[k]
			if m := b.res.ManagerRow(j); m >= 0 && depth[m] >= 0 {
				depth[j] = depth[m] + 1
			} else {
				depth[j] = 0
			}
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool { return depth[order[x]] < depth[order[y]] })
	return order
}

// resolveManager finds the manager of row i: an op-level reference, or an
// issue that makes the row invalid.
func (b *builder) resolveManager(i int, ref string) (*ManagerRef, *roster.Issue) {
	if m := b.res.Resolve(ref); m >= 0 && m != i {
		switch {
		case b.state[m].status != "planned":
			return nil, &roster.Issue{Severity: roster.Error, Code: "manager.invalid_row", Field: roster.Manager,
				Message: fmt.Sprintf("the manager %q is row %d, which is %s; fix that row first", ref, b.res.Rows[m].Row, b.state[m].status)}
		case b.match[m] != nil:
			return &ManagerRef{AccountID: b.match[m].ID, Ref: ref}, nil
		case b.opOf[m] > 0 && b.ops[b.opOf[m]-1].Action == Create:
			return &ManagerRef{CreateOp: b.ops[b.opOf[m]-1].ID, Ref: ref}, nil
		default:
			return nil, &roster.Issue{Severity: roster.Error, Code: "manager.invalid_row", Field: roster.Manager,
				Message: fmt.Sprintf("the manager %q (row %d) will have no account after this run; fix that row first", ref, b.res.Rows[m].Row)}
		}
	}
	if a := b.st.Find(ref); a != nil {
		return &ManagerRef{AccountID: a.ID, Ref: ref}, nil
	}
	return nil, &roster.Issue{Severity: roster.Error, Code: "manager.not_found", Field: roster.Manager,
		Message: fmt.Sprintf("the manager %q is neither in this file nor in Workplace; correct the reference (an email, external_id or account id) or leave it empty", ref)}
}

func (b *builder) addOp(i int, op *Op) {
	op.ID = len(b.ops) + 1
	if i >= 0 {
		row := &b.res.Rows[i]
		op.Row = row.Row
		op.Key = b.res.Key(i)
		name, _ := validate.BuildName(&b.res.Header, &row.Record)
		op.Name = name
		b.opOf[i] = op.ID
	}
	b.ops = append(b.ops, op)
}

func (b *builder) planRow(i int) {
	s := &b.state[i]
	if s.status != "planned" {
		return
	}
	h := &b.res.Header
	d := b.res.Desired(i)
	acc := b.match[i]
	_, col, _ := h.Value(&b.res.Rows[i].Record, roster.Manager)
	var mgr *ManagerRef
	if ref, ok := d.Get(roster.Manager); ok {
		m, is := b.resolveManager(i, ref)
		if is != nil {
			is.Column = col
			b.fail(i, "invalid", *is)
			return
		}
		mgr = m
	}
	if ne, ok := d.Get(roster.NewEmail); ok {
		if o := b.st.byEmail[strings.ToLower(ne)]; o != nil && o != acc {
			_, c, _ := h.Value(&b.res.Rows[i].Record, roster.NewEmail)
			b.fail(i, "invalid", roster.Issue{Column: c, Field: roster.NewEmail, Severity: roster.Error, Code: "new_email.duplicate",
				Message: fmt.Sprintf("the new email %s already belongs to account %s (%s); choose another", ne, o.ID, o.Name)})
			return
		}
		if m := b.res.Resolve(ne); m >= 0 && m != i {
			_, c, _ := h.Value(&b.res.Rows[i].Record, roster.NewEmail)
			b.fail(i, "invalid", roster.Issue{Column: c, Field: roster.NewEmail, Severity: roster.Error, Code: "new_email.duplicate",
				Message: fmt.Sprintf("the new email %s is the email of row %d; choose another", ne, b.res.Rows[m].Row)})
			return
		}
		d.Values[roster.Email] = ne
	}
	wantActive := d.Values[roster.Active] != "false"
	if acc == nil {
		if !wantActive {
			s.action, s.reason = None, "active is false and no account exists: nothing to create"
			return
		}
		b.planCreate(i, d, mgr)
		return
	}
	switch {
	case !wantActive && acc.IsActive():
		op := &Op{Action: Deactivate, AccountID: acc.ID, Fields: map[string]string{"active": "false"},
			Changes: map[string][2]string{"active": {"true", "false"}}, Fingerprint: Fingerprint(acc), Reason: "the roster says active = false"}
		b.addOp(i, op)
		s.action = Deactivate
		return
	case !wantActive:
		s.action, s.reason = None, "already deactivated"
		return
	}
	fields, changes := b.diff(d, acc)
	op := &Op{AccountID: acc.ID, Fields: fields, Changes: changes, Fingerprint: Fingerprint(acc)}
	oldMgr := acc.Manager()
	if !acc.IsActive() {
		op.Action = Reactivate
		op.Fields["active"] = "true"
		op.Changes["active"] = [2]string{"false", "true"}
		// Workplace clears the manager on reactivation: set it again.
		switch {
		case mgr != nil:
			op.Manager = mgr
		case oldMgr != "":
			op.Manager = &ManagerRef{AccountID: oldMgr, Ref: b.describe(oldMgr)}
		}
		if op.Manager != nil {
			op.Changes["manager"] = [2]string{b.describe(oldMgr) + " (cleared by reactivation)", op.Manager.Ref}
		}
		op.Reason = "the account is deactivated and the roster lists the person"
	} else {
		op.Action = Update
		if mgr != nil && (mgr.AccountID == "" || mgr.AccountID != oldMgr) {
			op.Manager = mgr
			op.Changes["manager"] = [2]string{b.describe(oldMgr), mgr.Ref}
		} else if mgr == nil && b.opts.Empty == "clear" && h.Has(roster.Manager) && oldMgr != "" {
			op.Fields["manager"] = ""
			op.Changes["manager"] = [2]string{b.describe(oldMgr), ""}
		}
	}
	b.extras(op, d, acc)
	if op.Action == Update && len(op.Fields) == 0 && op.Manager == nil && len(op.Phones) == 0 && op.PictureURL == "" && op.PictureFile == "" {
		s.action = None
		return
	}
	b.addOp(i, op)
	s.action = op.Action
}

func (b *builder) planCreate(i int, d validate.Desired, mgr *ManagerRef) {
	fields := map[string]string{}
	for _, f := range sentFields {
		if v, ok := d.Get(f); ok {
			fields[string(f)] = v
		}
	}
	if v, ok := d.Get(roster.Invited); ok {
		fields["invited"] = v
	}
	if fl := frontlineParam(d, nil); fl != "" {
		fields["frontline"] = fl
	}
	changes := map[string][2]string{}
	for k, v := range fields {
		changes[k] = [2]string{"", v}
	}
	op := &Op{Action: Create, Fields: fields, Manager: mgr, Changes: changes, Fingerprint: Fingerprint(nil),
		Lookup: &Lookup{ExternalID: fields["external_id"], Email: fields["email"]}}
	if mgr != nil {
		changes["manager"] = [2]string{"", mgr.Ref}
	}
	b.extras(op, d, nil)
	b.addOp(i, op)
	b.state[i].action = Create
}

// describe names an account for people: its email, else external id, else id.
func (b *builder) describe(id string) string {
	if id == "" {
		return ""
	}
	if a := b.st.byID[id]; a != nil {
		if a.Email != "" {
			return a.Email
		}
		if a.ExternalID != "" {
			return a.ExternalID
		}
	}
	return id
}

// diff compares the roster's fields with the account's.
func (b *builder) diff(d validate.Desired, acc *workplace.Account) (map[string]string, map[string][2]string) {
	fields, changes := map[string]string{}, map[string][2]string{}
	for _, f := range sentFields {
		want, carried := d.Values[f]
		if !carried {
			continue
		}
		cur := acc.Field(string(f))
		switch {
		case want == "":
			if b.opts.Empty != "clear" || f == roster.Name || f == roster.Email || cur == "" {
				continue
			}
		case unreadable[f] && cur == "":
			continue
		case f == roster.Email && strings.EqualFold(want, cur):
			continue
		case want == cur:
			continue
		}
		fields[string(f)] = want
		changes[string(f)] = [2]string{cur, want}
	}
	if fl := frontlineParam(d, acc); fl != "" {
		fields["frontline"] = fl
		old := "false/false"
		if acc.Frontline != nil {
			old = fmt.Sprintf("%v/%v", acc.Frontline.IsFrontline, acc.Frontline.HasAccess)
		}
		var nf workplace.Frontline
		json.Unmarshal([]byte(fl), &nf)
		changes["frontline"] = [2]string{old, fmt.Sprintf("%v/%v", nf.IsFrontline, nf.HasAccess)}
	}
	return fields, changes
}

// frontlineParam returns the frontline JSON to send, or "" if the roster
// asks for nothing new.
func frontlineParam(d validate.Desired, acc *workplace.Account) string {
	isF, okF := d.Get(roster.IsFrontline)
	has, okH := d.Get(roster.HasAccess)
	if !okF && !okH {
		return ""
	}
	var cur workplace.Frontline
	if acc != nil && acc.Frontline != nil {
		cur = *acc.Frontline
	}
	want := cur
	if okF {
		want.IsFrontline = isF == "true"
	}
	if okH {
		want.HasAccess = has == "true"
	}
	if !want.IsFrontline {
		want.HasAccess = false
	}
	if acc != nil && want == cur {
		return ""
	}
	if acc == nil && !want.IsFrontline && !want.HasAccess {
		return ""
	}
	bs, _ := json.Marshal(want)
	return string(bs)
}

// extras adds the calls beyond the main one: phones and picture.
func (b *builder) extras(op *Op, d validate.Desired, acc *workplace.Account) {
	have := map[string]bool{}
	primary := ""
	if acc != nil {
		for _, ph := range acc.PhoneNumbers() {
			n, _ := validate.Phone(ph.Number)
			have[n] = true
			if ph.Primary {
				primary = n
			}
		}
	}
	first := true
	for _, pf := range []struct {
		f   roster.Field
		typ string
	}{{roster.Phone, ""}, {roster.WorkPhone, "work"}, {roster.MobilePhone, "mobile"}} {
		num, ok := d.Get(pf.f)
		if !ok {
			continue
		}
		typ := pf.typ
		if typ == "" {
			if typ = d.Values[roster.PhoneType]; typ == "" {
				typ = "work"
			}
		}
		isPrimary := first
		first = false
		if have[num] && (!isPrimary || primary == num) {
			continue
		}
		op.Phones = append(op.Phones, Phone{Number: num, Type: typ, Primary: isPrimary})
		old := ""
		if isPrimary {
			old = primary
		}
		op.Changes[string(pf.f)] = [2]string{old, num}
	}
	if acc != nil && b.opts.Pictures != "all" {
		return // the current picture cannot be read: set it on new accounts only
	}
	if u, ok := d.Get(roster.PictureURL); ok {
		op.PictureURL = u
		op.Changes["picture"] = [2]string{"", u}
	} else if f, ok := d.Get(roster.PictureFile); ok {
		op.PictureFile = f
		op.Changes["picture"] = [2]string{"", f}
	}
}

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
		b.addOp(-1, &Op{Key: key, Name: a.Name, Action: Deactivate, AccountID: a.ID, Fields: map[string]string{"active": "false"},
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
