package plan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// State is the part of the target a plan looked at.
type State struct {
	byID, byExt, byEmail map[string]*target.Account
	// Complete is true after a full listing: an account not here does not
	// exist.
	Complete bool
	Mode     string
	// Pages counts the listing's pages.
	Pages int
}

func newState() *State {
	return &State{byID: map[string]*target.Account{}, byExt: map[string]*target.Account{}, byEmail: map[string]*target.Account{}}
}

func (s *State) add(a target.Account) {
	if a.ID == "" || s.byID[a.ID] != nil {
		return
	}
	p := &a
	s.byID[a.ID] = p
	if a.ExternalID != "" {
		s.byExt[a.ExternalID] = p
	}
	if a.Email != "" {
		s.byEmail[strings.ToLower(a.Email)] = p
	}
	if u := a.LoginName(); u != "" && u != a.Email {
		if _, taken := s.byEmail[strings.ToLower(u)]; !taken {
			s.byEmail[strings.ToLower(u)] = p
		}
	}
}

// Accounts returns every account read, in id order.
func (s *State) Accounts() []*target.Account {
	out := make([]*target.Account, 0, len(s.byID))
	for _, a := range s.byID {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Find resolves a reference: an account id, an email or userName (any
// case) or an external id.
func (s *State) Find(ref string) *target.Account {
	if a := s.byID[ref]; a != nil {
		return a
	}
	if a := s.byEmail[strings.ToLower(ref)]; a != nil {
		return a
	}
	return s.byExt[ref]
}

// nameManagers names, for people, the managers a target gives by id only
// (SCIM's manager.value): by the account read, where the plan has it, so
// that the sign-off shows the old manager as it shows the new one.
func (s *State) nameManagers() {
	for _, a := range s.byID {
		if a.ManagerKey != "" || a.Manager == nil {
			continue
		}
		if m := s.byID[a.Manager.ID]; m != nil {
			a.ManagerKey = m.Describe()
		}
	}
}

// ByID returns the account with this id, or nil.
func (s *State) ByID(id string) *target.Account { return s.byID[id] }

// Active counts the active accounts read.
func (s *State) Active() int {
	n := 0
	for _, a := range s.byID {
		if a.Active {
			n++
		}
	}
	return n
}

// errBudget stops a listing that costs more than look-ups would.
var errBudget = errors.New("listing over budget")

// ListAll reads every account, active or not.
func ListAll(ctx context.Context, dir target.Directory) (*State, error) {
	st, _, err := listWithin(ctx, dir, -1)
	return st, err
}

// listWithin lists every account unless it takes more than budget pages
// (budget < 0: no limit); complete says whether it got to the end.
func listWithin(ctx context.Context, dir target.Directory, budget int) (st *State, complete bool, err error) {
	st = newState()
	st.Mode = "list"
	err = dir.ListAll(ctx, func(p []target.Account) error {
		for _, a := range p {
			st.add(a)
		}
		st.Pages++
		if budget >= 0 && st.Pages > budget {
			return errBudget
		}
		return nil
	})
	if errors.Is(err, errBudget) {
		return st, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("list the accounts: %w", err)
	}
	st.Complete = true
	return st, true, nil
}

// LookUp reads only the accounts these keys name.
func LookUp(ctx context.Context, dir target.Directory, keys []target.Key) (*State, error) {
	st := newState()
	st.Mode = "lookup"
	if err := st.lookUp(ctx, dir, keys); err != nil {
		return nil, err
	}
	return st, nil
}

// lookUp finds the accounts keys name that the state does not hold yet.
func (s *State) lookUp(ctx context.Context, dir target.Directory, keys []target.Key) error {
	seen := map[target.Key]bool{}
	var want []target.Key
	for _, k := range keys {
		if k.Value == "" || seen[k] || s.has(k) {
			continue
		}
		seen[k] = true
		want = append(want, k)
	}
	if len(want) == 0 {
		return nil
	}
	found, err := dir.Find(ctx, want)
	if err != nil {
		return fmt.Errorf("look the accounts up: %w", err)
	}
	for _, k := range want {
		if a := found[k]; a != nil {
			s.add(*a)
		}
	}
	return nil
}

func (s *State) has(k target.Key) bool {
	switch k.Kind {
	case target.ByExternalID:
		return s.byExt[k.Value] != nil
	case target.ByID:
		return s.byID[k.Value] != nil
	}
	return s.byEmail[strings.ToLower(k.Value)] != nil
}

// fingerprintFields are the fields whose change makes a change stale:
// every field a change compares (GuardedFields), so that Check refuses a
// Before edited in any value a guard counts.
var fingerprintFields = []roster.Field{roster.Name, roster.FirstName, roster.LastName, roster.Email, roster.UserName, roster.ExternalID, roster.Title,
	roster.Department, roster.Division, roster.Organization, roster.CostCenter, roster.WorkLocale, roster.AuthMethod, roster.StartDate,
	roster.Location, roster.Manager, roster.Phone, roster.Active, roster.IsFrontline, roster.HasAccess}

// Fingerprint summarizes an account's state; "absent" for none.
func Fingerprint(a *target.Account) string {
	if a == nil {
		return "absent"
	}
	h := sha256.New()
	for _, f := range fingerprintFields {
		fmt.Fprintf(h, "%s=%s\x00", f, a.Get(f))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
