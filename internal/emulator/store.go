package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wpimport/wpimport/internal/safefile"
)

// Account is one member as the emulator stores it. The JSON form is the
// state file's.
type Account struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	GivenName  string `json:"given_name,omitempty"`
	FamilyName string `json:"family_name,omitempty"`
	Email      string `json:"email,omitempty"`
	// UserName is the SCIM userName when it is not the email (an
	// email-less account made over SCIM); see UserNameOf.
	UserName       string    `json:"user_name,omitempty"`
	EmployeeNumber string    `json:"employee_number,omitempty"`
	ExternalID     string    `json:"external_id,omitempty"`
	Title          string    `json:"title,omitempty"`
	Department     string    `json:"department,omitempty"`
	Division       string    `json:"division,omitempty"`
	Organization   string    `json:"organization,omitempty"`
	CostCenter     string    `json:"cost_center,omitempty"`
	Location       string    `json:"location,omitempty"`
	WorkLocale     string    `json:"work_locale,omitempty"`
	AuthMethod     string    `json:"auth_method,omitempty"`
	StartDate      string    `json:"start_date,omitempty"`
	TermDate       string    `json:"term_date,omitempty"`
	Manager        string    `json:"manager,omitempty"`
	Active         bool      `json:"active"`
	Invited        bool      `json:"invited"`
	Claimed        bool      `json:"claimed"`
	IsFrontline    bool      `json:"is_frontline"`
	HasAccess      bool      `json:"has_access"`
	Phones         []Phone   `json:"phones,omitempty"`
	Picture        string    `json:"picture,omitempty"`
	Erased         bool      `json:"erased,omitempty"`
	CreatedAt      time.Time `json:"created_at,omitzero"`
	InvitedAt      time.Time `json:"invited_at,omitzero"`
	ClaimedAt      time.Time `json:"claimed_at,omitzero"`
	DeactivateAt   time.Time `json:"deactivated_at,omitzero"`
	UpdatedAt      time.Time `json:"updated_at,omitzero"`
}

// Phone is one phone number of an account.
type Phone struct {
	Number  string `json:"number"`
	Type    string `json:"type"`
	Primary bool   `json:"primary"`
}

// PeopleSet is a dynamic people set, or, made over SCIM, a group: a set
// with listed Members (account ids) and no conditions.
type PeopleSet struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Conditions []Condition `json:"conditions"`
	Members    []string    `json:"members,omitempty"`
}

// Condition is one people set condition.
type Condition struct {
	Field    string   `json:"field"`
	Operator string   `json:"operator"`
	Values   []string `json:"values"`
}

// State is everything the emulator holds; it is also the state file.
type State struct {
	Accounts   []*Account   `json:"accounts"`
	PeopleSets []*PeopleSet `json:"people_sets"`
	NextID     int64        `json:"next_id"`
}

type store struct {
	mu      sync.Mutex
	now     func() time.Time
	byID    map[string]*Account
	byEmail map[string]*Account // lower-case email
	byExt   map[string]*Account
	byUser  map[string]*Account // lower-case SCIM userName
	order   []*Account          // creation order = listing order
	sets    map[string]*PeopleSet
	setList []*PeopleSet
	nextID  int64
	// onSet, if set, hears every people set change, under mu, in order.
	onSet func(SetChange)
}

// SetChange is a people set created, updated or deleted (Set holds only
// the id then), through either API.
type SetChange struct {
	Verb string // "create", "update", "delete"
	Set  PeopleSet
}

func (s *store) setChanged(verb string, ps *PeopleSet) {
	if s.onSet == nil {
		return
	}
	c := PeopleSet{ID: ps.ID}
	if verb != "delete" {
		c = *ps
		c.Conditions = append([]Condition(nil), ps.Conditions...)
		c.Members = append([]string(nil), ps.Members...)
	}
	s.onSet(SetChange{Verb: verb, Set: c})
}

const firstID = 100_000_000_000_001

func newStore(now func() time.Time) *store {
	return &store{now: now, byID: map[string]*Account{}, byEmail: map[string]*Account{}, byExt: map[string]*Account{},
		byUser: map[string]*Account{}, sets: map[string]*PeopleSet{}, nextID: firstID}
}

func (s *store) newID() string {
	id := strconv.FormatInt(s.nextID, 10)
	s.nextID++
	return id
}

func (s *store) load(st *State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range st.Accounts {
		if a.ID == "" {
			a.ID = s.newID()
		}
		if a.Claimed && a.ClaimedAt.IsZero() {
			a.ClaimedAt = s.now()
		}
		if err := s.indexNew(a); err != nil {
			return fmt.Errorf("account %s: %v", a.ID, err)
		}
		if n, err := strconv.ParseInt(a.ID, 10, 64); err == nil && n >= s.nextID {
			s.nextID = n + 1
		}
	}
	for _, ps := range st.PeopleSets {
		if ps.ID == "" {
			ps.ID = s.newID()
		}
		s.sets[ps.ID] = ps
		s.setList = append(s.setList, ps)
	}
	if st.NextID > s.nextID {
		s.nextID = st.NextID
	}
	return nil
}

func (s *store) snapshot() *State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &State{NextID: s.nextID}
	for _, a := range s.order {
		c := *a
		c.Phones = append([]Phone(nil), a.Phones...)
		st.Accounts = append(st.Accounts, &c)
	}
	for _, ps := range s.setList {
		c := *ps
		c.Conditions = append([]Condition(nil), ps.Conditions...)
		c.Members = append([]string(nil), ps.Members...)
		st.PeopleSets = append(st.PeopleSets, &c)
	}
	return st
}

func loadStateFile(path string) (*State, error) {
	data, err := safefile.ReadFile(path, maxStateBytes)
	if err != nil {
		return nil, err
	}
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	return &st, nil
}

func saveStateFile(path string, st *State) error {
	data, err := json.MarshalIndent(st, "", " ")
	if err != nil {
		return err
	}
	return safefile.WriteMode(path, 0o600, func(w io.Writer) error { // accounts: for the owner only
		_, err := w.Write(data)
		return err
	})
}

// maxStateBytes bounds the state file read at start (a million accounts
// take about 400 MB).
const maxStateBytes = 1 << 30

// indexNew adds a to the indexes, refusing duplicates. Caller holds mu.
func (s *store) indexNew(a *Account) *gerr {
	if a.Email != "" {
		if _, dup := s.byEmail[strings.ToLower(a.Email)]; dup {
			return invalidParam(SubDuplicate, "An account with the email %s already exists", a.Email)
		}
	}
	if a.ExternalID != "" {
		if _, dup := s.byExt[a.ExternalID]; dup {
			return invalidParam(SubDuplicate, "An account with the external_id %s already exists", a.ExternalID)
		}
	}
	un := strings.ToLower(UserNameOf(a))
	if un != "" {
		if _, dup := s.byUser[un]; dup {
			return invalidParam(SubDuplicate, "An account with the userName %s already exists", UserNameOf(a))
		}
		s.byUser[un] = a
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.now()
	}
	s.byID[a.ID] = a
	if a.Email != "" {
		s.byEmail[strings.ToLower(a.Email)] = a
	}
	if a.ExternalID != "" {
		s.byExt[a.ExternalID] = a
	}
	s.order = append(s.order, a)
	return nil
}

// UserNameOf is an account's SCIM userName: the one set over SCIM, else
// the email, else the external_id (an email-less account).
func UserNameOf(a *Account) string {
	switch {
	case a.UserName != "":
		return a.UserName
	case a.Email != "":
		return a.Email
	}
	return a.ExternalID
}

// find resolves an id or an email. Caller holds mu.
func (s *store) find(ref string) *Account {
	if a, ok := s.byID[ref]; ok {
		return a
	}
	if strings.Contains(ref, "@") {
		return s.byEmail[strings.ToLower(ref)]
	}
	return nil
}

func (s *store) get(ref string) (Account, *gerr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.find(ref)
	if a == nil {
		return Account{}, notFound(ref)
	}
	return *a, nil
}

// reportsOf returns the accounts whose manager is id, in id order.
func (s *store) reportsOf(id string) []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Account
	for _, a := range s.byID {
		if a.Manager == id {
			out = append(out, *a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
