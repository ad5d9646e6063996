package plan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/wpimport/wpimport/internal/workplace"
)

// Directory is what plan needs of the API client.
type Directory interface {
	ListMembers(ctx context.Context, opts workplace.ListOptions, fn func([]workplace.Account) error) error
	ListDeactivated(ctx context.Context, opts workplace.ListOptions, fn func([]workplace.Account) error) error
	LookupExternalIDs(ctx context.Context, ids, fields []string, chunk int) ([]workplace.Account, error)
	GetMany(ctx context.Context, ids, fields []string) (map[string]*workplace.Account, error)
	ListPeopleSets(ctx context.Context) ([]workplace.PeopleSet, error)
	Calls() int64
	BaseURL() string
}

var _ Directory = (*workplace.Client)(nil)

// State is the part of Workplace a plan looked at.
type State struct {
	byID, byExt, byEmail map[string]*workplace.Account
	// Complete is true after a full listing: an account not here does not
	// exist.
	Complete bool
	Mode     string
}

func newState() *State {
	return &State{byID: map[string]*workplace.Account{}, byExt: map[string]*workplace.Account{}, byEmail: map[string]*workplace.Account{}}
}

func (s *State) add(a workplace.Account) {
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
}

// Accounts returns every account read, in id order.
func (s *State) Accounts() []*workplace.Account {
	out := make([]*workplace.Account, 0, len(s.byID))
	for _, a := range s.byID {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Find resolves a reference: an account id, an email (any case) or an
// external id.
func (s *State) Find(ref string) *workplace.Account {
	if a := s.byID[ref]; a != nil {
		return a
	}
	if a := s.byEmail[strings.ToLower(ref)]; a != nil {
		return a
	}
	return s.byExt[ref]
}

// errBudget stops a listing that costs more than look-ups would.
var errBudget = errors.New("listing over budget")

// ListAll reads every active and deactivated account.
func ListAll(ctx context.Context, dir Directory, pageSize int) (*State, error) {
	st, _, err := listWithin(ctx, dir, pageSize, -1)
	return st, err
}

// listWithin lists every account unless it takes more than budget pages
// (budget < 0: no limit); complete says whether it got to the end.
func listWithin(ctx context.Context, dir Directory, pageSize, budget int) (st *State, complete bool, err error) {
	st = newState()
	st.Mode = "list"
	pages := 0
	add := func(p []workplace.Account) error {
		for _, a := range p {
			st.add(a)
		}
		pages++
		if budget >= 0 && pages > budget {
			return errBudget
		}
		return nil
	}
	opts := workplace.ListOptions{Fields: workplace.MemberFields, Limit: pageSize}
	if err := dir.ListMembers(ctx, opts, add); err != nil {
		if errors.Is(err, errBudget) {
			return st, false, nil
		}
		return nil, false, fmt.Errorf("list active members: %w", err)
	}
	if err := dir.ListDeactivated(ctx, opts, add); err != nil {
		if errors.Is(err, errBudget) {
			return st, false, nil
		}
		return nil, false, fmt.Errorf("list deactivated members: %w", err)
	}
	st.Complete = true
	return st, true, nil
}

// LookUp reads only the accounts with these external ids or emails (and,
// for external ids that are not active, the deactivated listing).
func LookUp(ctx context.Context, dir Directory, extIDs, refs []string) (*State, error) {
	st := newState()
	st.Mode = "lookup"
	if err := st.lookUp(ctx, dir, extIDs, refs); err != nil {
		return nil, err
	}
	return st, nil
}

func (s *State) lookUp(ctx context.Context, dir Directory, extIDs, refs []string) error {
	extIDs = unique(extIDs, func(id string) bool { return s.byExt[id] == nil })
	if len(extIDs) > 0 {
		found, err := dir.LookupExternalIDs(ctx, extIDs, workplace.MemberFields, 50)
		if err != nil {
			return fmt.Errorf("look up external ids: %w", err)
		}
		for _, a := range found {
			s.add(a)
		}
	}
	refs = unique(refs, func(ref string) bool { return s.Find(ref) == nil })
	if len(refs) > 0 {
		found, err := dir.GetMany(ctx, refs, workplace.MemberFields)
		if err != nil {
			return fmt.Errorf("look up accounts: %w", err)
		}
		for _, a := range found {
			s.add(*a)
		}
	}
	// external_ids only sees active members: a deactivated account with one
	// of these ids shows up only in the deactivated listing.
	var missing bool
	for _, id := range extIDs {
		if s.byExt[id] == nil {
			missing = true
			break
		}
	}
	if missing {
		err := dir.ListDeactivated(ctx, workplace.ListOptions{Fields: workplace.MemberFields}, func(p []workplace.Account) error {
			for _, a := range p {
				s.add(a)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("list deactivated members: %w", err)
		}
	}
	return nil
}

func unique(in []string, keep func(string) bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if s != "" && !seen[s] && keep(s) {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// fingerprintFields are the fields whose change makes an op stale.
var fingerprintFields = []string{"name", "email", "external_id", "title", "department", "division", "organization",
	"cost_center", "work_locale", "start_date", "manager", "phone", "active", "is_frontline", "has_access"}

// Fingerprint summarizes an account's state; "absent" for none.
func Fingerprint(a *workplace.Account) string {
	if a == nil {
		return "absent"
	}
	h := sha256.New()
	for _, f := range fingerprintFields {
		fmt.Fprintf(h, "%s=%s\x00", f, a.Field(f))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
