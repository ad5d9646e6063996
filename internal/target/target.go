package target

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/wpimport/wpimport/internal/roster"
)

// Directory is what planning and the stale check read.
type Directory interface {
	// Capabilities says what the target can do (it may ask the service
	// once, and remembers the answer).
	Capabilities(ctx context.Context) (*Capabilities, error)
	// ListAll calls fn with every account, active or not, a page at a
	// time, each account once. It fails rather than end on a listing it
	// cannot show to be complete: a short listing would make a plan
	// deactivate or re-create the accounts it missed.
	ListAll(ctx context.Context, fn func([]Account) error) error
	// Find returns, by key, the account each key names; keys naming none
	// are left out, and a key naming two accounts is an error (never a
	// guess). The target batches as its Capabilities say.
	Find(ctx context.Context, keys []Key) (map[Key]*Account, error)
}

// Provisioner makes one intent at a time; the target chooses the wire
// calls. Every error is a *Error the target classified itself.
type Provisioner interface {
	// Create makes an account from a (its manager by id in a.Manager)
	// and returns it as the service answered: its ID at least, its
	// version and stored values where the service returns them.
	Create(ctx context.Context, a *Account) (*Account, error)
	// Update sets, on the account r names, each field of set to its value
	// in to ("" clears it; the manager by id; active included). r.Version,
	// if set, is sent as If-Match where the target has versions. It
	// returns the account as the service answered, or nil if it answered
	// none.
	Update(ctx context.Context, r Ref, to *Account, set []roster.Field) (*Account, error)
	// SetActive deactivates (false) or reactivates (true) an account.
	SetActive(ctx context.Context, r Ref, active bool) (*Account, error)
	// Remove deletes or erases an account, as Capabilities allow.
	Remove(ctx context.Context, r Ref, how Removal) error
	// AddPhone adds a phone number once: a target whose add is not
	// idempotent reads the account first when it cannot know.
	AddPhone(ctx context.Context, r Ref, p Phone) error
	// SetPicture sets the profile picture.
	SetPicture(ctx context.Context, r Ref, p Picture) error
}

// Target is a service wpimport provisions: a Directory and a Provisioner
// on one address, plus Groups or PeopleSets where its Capabilities say.
type Target interface {
	Directory
	Provisioner
	// URL is the service's base URL.
	URL() string
	// Calls counts the HTTP requests made.
	Calls() int64
	// Close stops whatever the target runs in the background.
	Close() error
}

// Removal is how Remove takes an account away.
type Removal string

const (
	RemoveDelete Removal = "delete" // as Capabilities.Delete says
	RemoveErase  Removal = "erase"  // erase personal data, irreversibly
)

// Picture is a profile picture: a URL, or a file's bytes.
type Picture struct {
	URL  string
	Name string // the file's name, with Data
	Data []byte
}

// Group is a static group and its members' account ids.
type Group struct {
	ID      string
	Name    string
	Members []string
	// MembersKnown is false where the target cannot list a group's
	// members (AWS): nothing may be removed on the strength of Members.
	MembersKnown bool
	Version      string
}

// Groups is a target's static groups (SCIM /Groups).
type Groups interface {
	ListGroups(ctx context.Context) ([]Group, error)
	// FindGroup returns the group of that name (ignoring case), nil if
	// none; two of one name are an error.
	FindGroup(ctx context.Context, name string) (*Group, error)
	CreateGroup(ctx context.Context, name string) (Ref, error)
	// ChangeMembers adds and removes members, in as many requests as the
	// target needs; adding a member already there or removing one gone
	// changes nothing, so a retry is safe.
	ChangeMembers(ctx context.Context, g Ref, add, remove []string) error
	DeleteGroup(ctx context.Context, g Ref) error
}

// Condition is one rule of a dynamic people set.
type Condition struct {
	Field    string   `json:"field"`
	Operator string   `json:"operator"`
	Values   []string `json:"values"`
}

// PeopleSet is a dynamic people set.
type PeopleSet struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Conditions []Condition `json:"conditions"`
}

// PeopleSets is a target's dynamic people sets (Workplace).
type PeopleSets interface {
	ListPeopleSets(ctx context.Context) ([]PeopleSet, error)
	// FindPeopleSet returns the set of exactly that name, nil if none.
	FindPeopleSet(ctx context.Context, name string) (*PeopleSet, error)
	CreatePeopleSet(ctx context.Context, name string, conds []Condition) (Ref, error)
	UpdatePeopleSet(ctx context.Context, r Ref, name string, conds []Condition) error
	DeletePeopleSet(ctx context.Context, r Ref) error
}

// UsageReporter is a target that reports how much of its rate budget is
// used (Graph's X-App-Usage, a SCIM service's RateLimit-Remaining), in
// percent: the pacer slows down before the service throttles.
type UsageReporter interface {
	Usage() int
}

// GroupsOf returns t's groups, if its capabilities announce them.
func GroupsOf(t any, caps *Capabilities) (Groups, bool) {
	g, ok := t.(Groups)
	return g, ok && caps != nil && caps.Groups
}

// PeopleSetsOf returns t's people sets, if its capabilities announce them.
func PeopleSetsOf(t any, caps *Capabilities) (PeopleSets, bool) {
	p, ok := t.(PeopleSets)
	return p, ok && caps != nil && caps.PeopleSets
}

// Call describes one HTTP request to the layers around a target.
type Call struct {
	Method string
	Path   string // for messages: no query, no token
	// Idempotent says the request may be sent again after an error with
	// no harm: reads (GET, a POST .search), and writes of absolute values.
	// A create, an add or a delete is not.
	Idempotent bool
	// Weight is how many API calls the request costs (Graph's ?ids=
	// counts each id); 0 counts as 1.
	Weight int
}

// Wrap wraps every call a target makes: pacing, retrying, watching
// reachability are layers the caller supplies.
type Wrap func(ctx context.Context, c Call, do func(context.Context) error) error

// Config opens a target.
type Config struct {
	URL string // the service's base URL ("" for the target's default)
	// Token is the bearer token; TokenSource says where it came from
	// ("$WPIMPORT_TOKEN", "--token-file t.txt") for messages. The token
	// itself never appears in an error.
	Token       string
	TokenSource string
	UserAgent   string // "wpimport/<version>"
	HTTPClient  *http.Client
	Wrap        Wrap

	// SCIM only.
	Dialect  string // a dialect name (--scim-dialect); "" chooses by the URL's host
	Bulk     bool   // batch writes in /Bulk requests where the service has them
	PageSize int    // count asked for per listing page (default 100)
}

// Fact is one thing a target says of itself, for wpimport check.
type Fact struct {
	Name, Value string
}

// Prober is a target that can say, writing nothing, what it sees of the
// service beyond its capabilities: accounts counted, paging as it answers,
// rate headers.
type Prober interface {
	Probe(ctx context.Context) ([]Fact, error)
}

// Opener opens a target from a config.
type Opener func(Config) (Target, error)

// Registration is what a target registers: how to open it, and what can be
// told of it without asking the service (validate names, offline, the
// roster columns the target can never carry).
type Registration struct {
	Open Opener
	// Service names the target for people before it is asked anything.
	Service string
	// NeverCarried are the roster fields no service of this target carries.
	NeverCarried []roster.Field
	// NoPeopleSets says no service of this target has people sets.
	NoPeopleSets bool
	// Dialects name the dialects Config.Dialect may choose ("" chooses
	// by the URL); none where the target has one.
	Dialects []string
}

var (
	regMu    sync.Mutex
	registry = map[string]Registration{}
)

// Register makes a target available to Open under name. Targets register
// themselves in init.
func Register(name string, r Registration) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("target: " + name + " registered twice")
	}
	registry[name] = r
}

// Lookup returns what the target registered as name, offline.
func Lookup(name string) (Registration, bool) {
	regMu.Lock()
	defer regMu.Unlock()
	r, ok := registry[name]
	return r, ok
}

// Names lists the registered targets.
func Names() []string {
	regMu.Lock()
	defer regMu.Unlock()
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Open opens the target registered as name.
func Open(name string, cfg Config) (Target, error) {
	r, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown target %q: use %s", name, strings.Join(Names(), " or "))
	}
	return r.Open(cfg)
}

// Known reports whether name is a registered target.
func Known(name string) bool { return slices.Contains(Names(), name) }
