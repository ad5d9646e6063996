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
