package plan

import (
	"context"
	"fmt"

	"github.com/wpimport/wpimport/internal/target"
)

// StaleChanges re-reads the accounts of account changes and returns, by
// change ID, why a change no longer matches what it was planned against:
// its account is gone or changed since (its fingerprint differs from the
// one recorded, which Check holds to the Before the plan shows), an
// account to delete was claimed since, or an account to create exists
// already. Changes in skip are not checked.
func StaleChanges(ctx context.Context, dir target.Directory, changes []*Change, skip map[int]bool) (map[int]string, error) {
	var keys []target.Key
	for _, c := range changes {
		if skip[c.ID] || c.Kind != KindAccount {
			continue
		}
		switch {
		case c.AccountID != "":
			keys = append(keys, target.Key{Kind: target.ByID, Value: c.AccountID})
		case c.Action == Create && c.Lookup != nil && c.Lookup.Email != "":
			keys = append(keys, target.Key{Kind: target.ByEmail, Value: c.Lookup.Email})
		}
	}
	if len(keys) == 0 {
		return map[int]string{}, nil
	}
	found, err := dir.Find(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("re-read the plan's accounts: %w", err)
	}
	out := map[int]string{}
	for _, c := range changes {
		if skip[c.ID] || c.Kind != KindAccount {
			continue
		}
		if c.AccountID != "" {
			a := found[target.Key{Kind: target.ByID, Value: c.AccountID}]
			switch {
			case a == nil:
				out[c.ID] = fmt.Sprintf("account %s no longer exists", c.AccountID)
			case Fingerprint(a) != c.Fingerprint:
				out[c.ID] = fmt.Sprintf("account %s changed since the plan was made%s", c.AccountID, whatChanged(c.Before, a))
			case c.Action == Delete && a.IsClaimed():
				out[c.ID] = fmt.Sprintf("account %s was claimed since the plan was made: it is not deleted; deactivate it, or plan again", c.AccountID)
			}
			continue
		}
		if c.Action == Create && c.Lookup != nil && c.Lookup.Email != "" {
			if a := found[target.Key{Kind: target.ByEmail, Value: c.Lookup.Email}]; a != nil {
				out[c.ID] = fmt.Sprintf("an account with the email %s (%s) exists now", c.Lookup.Email, a.ID)
			}
		}
	}
	return out, nil
}

// whatChanged names, for a stale message, the fields that differ between
// the account as planned and as it is now: " (title: Engineer → CEO)".
func whatChanged(was, now *target.Account) string {
	if was == nil {
		return ""
	}
	var parts []string
	for _, f := range fingerprintFields {
		if a, b := was.Get(f), now.Get(f); a != b {
			parts = append(parts, fmt.Sprintf("%s: %s → %s", f, cmpEmpty(a), cmpEmpty(b)))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	if len(parts) > 3 {
		parts = append(parts[:3], fmt.Sprintf("and %d more", len(parts)-3))
	}
	return " (" + joinParts(parts) + ")"
}

func joinParts(p []string) string {
	s := ""
	for i, x := range p {
		if i > 0 {
			s += "; "
		}
		s += x
	}
	return s
}
