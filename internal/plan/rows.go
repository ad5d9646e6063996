package plan

import (
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/validate"
)

// textFields are the roster's single-valued fields a change may write,
// compared as text, in the order changes list them.
var textFields = []roster.Field{roster.Name, roster.FirstName, roster.LastName, roster.Email, roster.UserName,
	roster.ExternalID, roster.Title, roster.Department, roster.Organization, roster.Division, roster.CostCenter,
	roster.WorkLocale, roster.AuthMethod, roster.StartDate, roster.Location}

// neverCleared are the fields an empty cell never clears, whatever --empty
// says: a name and a login.
var neverCleared = map[roster.Field]bool{roster.Name: true, roster.FirstName: true, roster.LastName: true,
	roster.Email: true, roster.UserName: true}

func (b *builder) planRow(i int) {
	s := &b.state[i]
	if s.status != Planned {
		return
	}
	h := &b.res.Header
	rec := &b.res.Rows[i].Record
	d := b.res.Desired(i)
	acc := b.match[i]
	var mgr *ManagerRef
	if ref, ok := d.Get(roster.Manager); ok && b.carried(roster.Manager) {
		m, is := b.resolveManager(i, ref)
		if is != nil {
			_, is.Column, _ = h.Value(rec, roster.Manager)
			b.fail(i, Invalid, *is)
			return
		}
		mgr = m
	}
	if ne, ok := d.Get(roster.NewEmail); ok {
		_, c, _ := h.Value(rec, roster.NewEmail)
		if o := b.st.byEmail[strings.ToLower(ne)]; o != nil && o != acc {
			b.fail(i, Invalid, roster.Issue{Column: c, Field: roster.NewEmail, Severity: roster.Error, Code: "new_email.duplicate",
				Message: fmt.Sprintf("the new email %s already belongs to account %s (%s); choose another", ne, o.ID, o.Name.Formatted)})
			return
		}
		if m := b.res.Resolve(ne); m >= 0 && m != i {
			b.fail(i, Invalid, roster.Issue{Column: c, Field: roster.NewEmail, Severity: roster.Error, Code: "new_email.duplicate",
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
	case !wantActive && acc.Active:
		b.addChange(i, &Change{Action: Deactivate, AccountID: acc.ID, Before: acc, After: &target.Account{Active: false},
			Fields: []roster.Field{roster.Active}, Fingerprint: Fingerprint(acc), Reason: "the roster says active = false"})
		s.action = Deactivate
		return
	case !wantActive:
		s.action, s.reason = None, "already deactivated"
		return
	}
	b.keepLoginEmail(i, d, acc)
	c := &Change{Action: Update, AccountID: acc.ID, Before: acc, After: &target.Account{Active: acc.Active}, Fingerprint: Fingerprint(acc)}
	b.diff(c, d, acc)
	if !b.checkRules(i, c) {
		return
	}
	oldMgr := acc.ManagerID()
	// clearMgr: an empty manager cell with --empty clear.
	clearMgr := mgr == nil && b.opts.Empty == "clear" && h.Has(roster.Manager) && oldMgr != "" && b.caps.CanCarry(roster.Manager)
	switch {
	case !acc.Active:
		c.Action, c.Reason = Reactivate, "the account is deactivated and the roster lists the person"
		c.Fields = append(c.Fields, roster.Active)
		c.After.Active = true
		want := mgr
		if want == nil && oldMgr != "" && !clearMgr {
			want = &ManagerRef{AccountID: oldMgr, Ref: b.describe(oldMgr)}
		}
		switch {
		case clearMgr:
			c.setManager(nil)
		case b.caps.ReactivationClearsManager && want != nil:
			// The service clears the manager on reactivation: set it again.
			c.setManager(want)
			c.Notes = append(c.Notes, fmt.Sprintf("%s clears the manager when an account is reactivated: it is set again (%s)", b.caps.Service, want.Ref))
		case mgr != nil && (mgr.AccountID == "" || mgr.AccountID != oldMgr):
			c.setManager(mgr)
		}
	case mgr != nil && (mgr.AccountID == "" || mgr.AccountID != oldMgr):
		c.setManager(mgr)
	case clearMgr:
		c.setManager(nil)
	}
	b.extras(c, d, acc)
	if c.Action == Update && len(c.Fields) == 0 && len(c.Phones) == 0 && c.Picture == nil {
		s.action = None
		return
	}
	b.addChange(i, c)
	s.action = c.Action
}

// setManager makes the change set the manager to m (nil: clear it).
func (c *Change) setManager(m *ManagerRef) {
	c.Manager = m
	if !c.Sets(roster.Manager) {
		c.Fields = append(c.Fields, roster.Manager)
	}
	c.After.Manager = nil
	if m != nil && m.AccountID != "" {
		c.After.Manager = &target.Ref{ID: m.AccountID}
	}
}

// keepLoginEmail drops from d an email that differs from the matched
// account's: a typo in the email column must not change a login. Only a
// new_email column changes it; an account with no email may get one.
func (b *builder) keepLoginEmail(i int, d validate.Desired, acc *target.Account) {
	want, ok := d.Get(roster.Email)
	if _, isNew := d.Get(roster.NewEmail); isNew || !ok || acc.Email == "" || strings.EqualFold(want, acc.Email) {
		return
	}
	delete(d.Values, roster.Email)
	row := &b.res.Rows[i]
	_, col, _ := b.res.Header.Value(&row.Record, roster.Email)
	b.state[i].issues = append(b.state[i].issues, roster.Issue{Row: row.Row, Column: col, Field: roster.Email, Severity: roster.Warning, Code: "email.differs",
		Message: fmt.Sprintf("the roster's email %s differs from the account's, %s (account %s, matched by external_id %s); the login email is not changed by the email column: "+
			"if the roster is wrong, correct the cell; to change the login, put the new address in a new_email column", want, acc.Email, acc.ID, acc.ExternalID)})
}

func (b *builder) planCreate(i int, d validate.Desired, mgr *ManagerRef) {
	a := &target.Account{Active: true}
	c := &Change{Action: Create, After: a, Fingerprint: Fingerprint(nil)}
	for _, f := range textFields {
		if v, ok := d.Get(f); ok && b.carried(f) {
			a.Set(f, v)
			c.Fields = append(c.Fields, f)
		}
	}
	if v, ok := d.Get(roster.Invited); ok && b.carried(roster.Invited) {
		a.Set(roster.Invited, v)
		c.Fields = append(c.Fields, roster.Invited)
	}
	if fl := b.frontline(d, nil); fl != nil && (fl.IsFrontline || fl.HasAccess) {
		a.Frontline = fl
		c.Fields = append(c.Fields, roster.IsFrontline)
		if b.caps.CanCarry(roster.HasAccess) {
			c.Fields = append(c.Fields, roster.HasAccess)
		}
	}
	if mgr != nil {
		c.setManager(mgr)
	}
	c.Lookup = &Lookup{ExternalID: a.ExternalID, Email: a.Email, UserName: a.UserName}
	for _, f := range b.caps.Required {
		if a.Get(f) == "" {
			b.fail(i, Invalid, b.requiredIssue(i, f))
			return
		}
	}
	if !b.checkRules(i, c) {
		return
	}
	if b.caps.InvitesOnCreate {
		c.Irreversible = append(c.Irreversible, fmt.Sprintf("%s sends the person an invitation email as soon as the account is made", b.caps.Service))
	}
	b.extras(c, d, nil)
	b.addChange(i, c)
	b.state[i].action = Create
}

// requiredIssue says that the target needs field f on a create, and the
// row has none. A name is never split by guessing.
func (b *builder) requiredIssue(i int, f roster.Field) roster.Issue {
	msg := fmt.Sprintf("%s requires %s on every new account, and this row has none; fill it in", b.caps.Service, f)
	switch f {
	case roster.FirstName, roster.LastName:
		msg = fmt.Sprintf("%s requires a given and a family name on every new account; this row has no %s. "+
			"wpimport never splits a full name by guessing: add First name and Last name columns", b.caps.Service, f)
	}
	_, col, _ := b.res.Header.Value(&b.res.Rows[i].Record, f)
	return roster.Issue{Column: col, Field: f, Severity: roster.Error, Code: "target.required", Message: msg}
}

// checkRules checks the values a change writes against the limits the
// target documents; a row that breaks one is invalid for this target,
// before any write.
func (b *builder) checkRules(i int, c *Change) bool {
	for _, r := range b.caps.Rules {
		if !c.Sets(r.Field) {
			continue
		}
		v := c.After.Get(r.Field)
		var why string
		switch {
		case r.Immutable && c.Before != nil && c.Before.Get(r.Field) != "":
			why = fmt.Sprintf("%s cannot be changed once the account exists (%s): it is %q, the roster says %q", r.Field, r.Why, c.Before.Get(r.Field), v)
		case r.MaxLen > 0 && len([]rune(v)) > r.MaxLen:
			why = fmt.Sprintf("%s %q is %d characters long; %s takes at most %d (%s)", r.Field, v, len([]rune(v)), b.caps.Service, r.MaxLen, r.Why)
		case r.Forbidden != "" && strings.ContainsAny(v, r.Forbidden):
			why = fmt.Sprintf("%s %q holds a character %s refuses (%s)", r.Field, v, b.caps.Service, r.Why)
		}
		if why != "" {
			_, col, _ := b.res.Header.Value(&b.res.Rows[i].Record, r.Field)
			b.fail(i, Invalid, roster.Issue{Column: col, Field: r.Field, Severity: roster.Error, Code: "target.rule", Message: why})
			return false
		}
	}
	return true
}

// diff compares the roster's fields with the account's and adds to c the
// fields that change.
func (b *builder) diff(c *Change, d validate.Desired, acc *target.Account) {
	for _, f := range textFields {
		want, present := d.Values[f]
		if !present || (want != "" && !b.carried(f)) || (want == "" && !b.caps.CanCarry(f)) {
			continue
		}
		cur := acc.Get(f)
		switch {
		case want == "":
			if b.opts.Empty != "clear" || neverCleared[f] || cur == "" || cur == b.caps.Cleared(f) {
				continue
			}
		case !b.caps.CanRead(f):
			// Set but never read back: compared with nothing, so sent to
			// matched accounts only on request.
			if f != roster.AuthMethod || b.opts.AuthMethod != "all" {
				b.notCompared++
				continue
			}
			c.Unread = append(c.Unread, f)
		case f == roster.Email && strings.EqualFold(want, cur):
			continue
		case b.caps.Equal(f, want, cur):
			continue
		}
		c.After.Set(f, want)
		c.Fields = append(c.Fields, f)
	}
	if fl := b.frontline(d, acc); fl != nil {
		c.After.Frontline = fl
		c.Fields = append(c.Fields, roster.IsFrontline)
		if b.caps.CanCarry(roster.HasAccess) {
			c.Fields = append(c.Fields, roster.HasAccess)
		}
	}
}

// frontline returns the frontline status to set, or nil if the roster asks
// for nothing new (or the target has none: then a true is counted as not
// carried).
func (b *builder) frontline(d validate.Desired, acc *target.Account) *target.Frontline {
	isF, okF := d.Get(roster.IsFrontline)
	has, okH := d.Get(roster.HasAccess)
	if !okF && !okH {
		return nil
	}
	if !b.caps.CanCarry(roster.IsFrontline) {
		if isF == "true" || has == "true" {
			b.carried(roster.IsFrontline) // counted: reported once in the plan
		}
		return nil
	}
	var cur target.Frontline
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
		return nil
	}
	return &want
}

// extras adds what follows the main call: phones and the picture.
func (b *builder) extras(c *Change, d validate.Desired, acc *target.Account) {
	have := map[string]bool{}
	primary := ""
	if acc != nil {
		primary, _ = validate.Phone(acc.PrimaryPhone())
		for _, ph := range acc.Phones {
			n, _ := validate.Phone(ph.Number)
			have[n] = true
		}
	}
	first := true
	for _, pf := range []struct {
		f   roster.Field
		typ string
	}{{roster.Phone, ""}, {roster.WorkPhone, "work"}, {roster.MobilePhone, "mobile"}} {
		num, ok := d.Get(pf.f)
		if !ok || !b.carried(pf.f) {
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
		c.Phones = append(c.Phones, target.Phone{Number: num, Type: typ, Primary: isPrimary})
	}
	if acc != nil && b.opts.Pictures != "all" {
		return // the current picture cannot be read: set it on new accounts only
	}
	if u, ok := d.Get(roster.PictureURL); ok && b.carried(roster.PictureURL) {
		c.Picture = &Picture{URL: u}
	} else if f, ok := d.Get(roster.PictureFile); ok && b.carried(roster.PictureFile) {
		c.Picture = &Picture{File: f}
	}
}

// carried reports whether the target can carry field f; a field it cannot
// is counted, for the plan's warning, and never sent. First and last
// names build the name where the target takes no given and family names:
// they are not dropped.
func (b *builder) carried(f roster.Field) bool {
	if b.caps.CanCarry(f) {
		return true
	}
	if f != roster.FirstName && f != roster.LastName {
		b.dropped[f]++
	}
	return false
}
