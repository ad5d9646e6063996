package plan

import (
	"context"
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/workplace"
)

// Reader is what a staleness check needs of the client.
type Reader interface {
	GetMany(ctx context.Context, ids, fields []string) (map[string]*workplace.Account, error)
}

// Stale re-reads every op's target and returns, by Op.ID, why an op no
// longer matches the state it was planned against: its account changed, or
// an account to create already exists. Ops in skip (by ID) are not checked.
func Stale(ctx context.Context, r Reader, ops []Op, skip map[int]bool) (map[int]string, error) {
	var ids, keys []string
	for _, op := range ops {
		if skip[op.ID] {
			continue
		}
		switch {
		case op.AccountID != "":
			ids = append(ids, op.AccountID)
		case op.Lookup != nil && op.Lookup.Email != "":
			keys = append(keys, op.Lookup.Email)
		}
	}
	found, err := r.GetMany(ctx, append(ids, keys...), workplace.MemberFields)
	if err != nil {
		return nil, fmt.Errorf("re-read the plan's accounts: %w", err)
	}
	byEmail := map[string]*workplace.Account{}
	for k, a := range found {
		if strings.Contains(k, "@") {
			byEmail[strings.ToLower(k)] = a
		}
	}
	out := map[int]string{}
	for _, op := range ops {
		if skip[op.ID] {
			continue
		}
		if op.AccountID != "" {
			a := found[op.AccountID]
			if a == nil {
				out[op.ID] = fmt.Sprintf("account %s no longer exists", op.AccountID)
			} else if fp := Fingerprint(a); fp != op.Fingerprint {
				out[op.ID] = fmt.Sprintf("account %s changed since the plan was made", op.AccountID)
			} else if why := op.misstates(a); why != "" {
				out[op.ID] = why
			}
			continue
		}
		if op.Action == Create && op.Lookup != nil && op.Lookup.Email != "" {
			if a := byEmail[strings.ToLower(op.Lookup.Email)]; a != nil {
				out[op.ID] = fmt.Sprintf("an account with the email %s (%s) exists now", op.Lookup.Email, a.ID)
			}
		}
	}
	return out, nil
}

// shownAsRead are the fields whose old value an op's changes give exactly
// as the account had it.
var shownAsRead = []string{"name", "email", "external_id", "title", "department", "division", "organization", "cost_center", "work_locale"}

// misstates says how the op's changes misstate the account as it is (and,
// as the fingerprint matched, as it was planned): the mass-update guards
// count only overwrites of values the account has, so a plan file edited to
// show them as empty is caught here, before its op runs.
func (op *Op) misstates(a *workplace.Account) string {
	if op.Action != Update && op.Action != Reactivate {
		return ""
	}
	for _, f := range shownAsRead {
		if ch, ok := op.Changes[f]; ok && ch[0] != a.Field(f) {
			return fmt.Sprintf("the plan shows the %s of account %s as %q, but it is %q: the plan file was edited", f, op.AccountID, ch[0], a.Field(f))
		}
	}
	return ""
}
