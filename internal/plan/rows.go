package plan

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/validate"
	"github.com/wpimport/wpimport/internal/workplace"
)

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
	if ref, ok := d.Get(roster.Manager); ok && b.carried(roster.Manager) {
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
	for _, f := range unsent {
		if _, ok := d.Get(f); ok {
			b.carried(f)
		}
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
	b.keepLoginEmail(i, d, acc)
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

// keepLoginEmail drops from d an email that differs from the matched
// account's: a typo in the email column must not change a login. Only a
// new_email column changes it; an account with no email may get one.
func (b *builder) keepLoginEmail(i int, d validate.Desired, acc *workplace.Account) {
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
	fields := map[string]string{}
	for _, f := range sentFields {
		if v, ok := d.Get(f); ok && b.carried(f) {
			fields[string(f)] = v
		}
	}
	if v, ok := d.Get(roster.Invited); ok {
		fields["invited"] = v
	}
	if fl := b.frontlineParam(d, nil); fl != "" {
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
		if !carried || (want != "" && !b.carried(f)) {
			continue
		}
		cur := acc.Field(string(f))
		switch {
		case want == "":
			if b.opts.Empty != "clear" || f == roster.Name || f == roster.Email || cur == "" {
				continue
			}
		case unreadable[f] && !b.opts.ReadsAuthMethod:
			if b.opts.AuthMethod != "all" {
				b.notCompared++
				continue
			}
			cur = "(cannot be read)"
		case f == roster.Email && strings.EqualFold(want, cur):
			continue
		case want == cur:
			continue
		}
		fields[string(f)] = want
		changes[string(f)] = [2]string{cur, want}
	}
	if fl := b.frontlineParam(d, acc); fl != "" {
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
func (b *builder) frontlineParam(d validate.Desired, acc *workplace.Account) string {
	isF, okF := d.Get(roster.IsFrontline)
	has, okH := d.Get(roster.HasAccess)
	if !okF && !okH {
		return ""
	}
	if b.uncarried[roster.IsFrontline] {
		if isF == "true" || has == "true" {
			b.carried(roster.IsFrontline) // counted: reported once in the plan
		}
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
	} else if f, ok := d.Get(roster.PictureFile); ok && b.carried(roster.PictureFile) {
		op.PictureFile = f
		op.Changes["picture"] = [2]string{"", f}
	}
}

// carried reports whether the target can carry field f; a field it cannot
// is counted, for the plan's warning, and never sent.
func (b *builder) carried(f roster.Field) bool {
	if !b.uncarried[f] {
		return true
	}
	b.dropped[f]++
	return false
}
