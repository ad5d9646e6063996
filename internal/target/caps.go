package target

import (
	"slices"
	"time"

	"github.com/wpimport/wpimport/internal/roster"
)

// Paging is how a target's listing pages.
type Paging string

const (
	PageCursor Paging = "cursor" // a cursor from each page to the next (Graph, RFC 9865)
	PageIndex  Paging = "index"  // startIndex and count (RFC 7644 §3.4.2.4)
	PageNone   Paging = "none"   // no listing of the whole population
)

// Deletion is what a target's DELETE of an account does.
type Deletion string

const (
	DeleteNone        Deletion = ""               // no delete offered
	DeleteUnclaimed   Deletion = "unclaimed-only" // only accounts never claimed (Workplace, Meta)
	DeleteDeactivates Deletion = "deactivates"    // the account is deactivated, not removed (Slack)
	DeleteDestroys    Deletion = "destroys"       // removed for good, irreversibly (GitHub, Atlassian, AWS)
	DeleteRemoves     Deletion = "removes"        // removed (RFC 7644 §3.6: 404 after)
)

// Budget is N writes of a kind (Of: "users provisioned", "user writes")
// in any window of Per.
type Budget struct {
	N   int
	Per time.Duration
	Of  string
}

// IsZero reports no budget.
func (b Budget) IsZero() bool { return b.N <= 0 || b.Per <= 0 }

// Time is how long n writes take at most at the budget's pace: 0 for n
// within one window, else the windows after the first.
func (b Budget) Time(n int) time.Duration {
	if b.IsZero() || n <= b.N {
		return 0
	}
	return time.Duration((n-1)/b.N) * b.Per
}

// FieldRule is a limit a target documents on a value: checked at plan
// time, so that a row the target cannot take is invalid before any write.
type FieldRule struct {
	Field     roster.Field
	MaxLen    int    // most characters, 0 for no limit
	Forbidden string // characters the value may not hold
	Immutable bool   // never changed once the account exists
	Why       string // the rule as the service documents it, for messages
}

// Capabilities say what a target can do and what its own rules are.
// Plan and execute read them; nothing above the seam asks which target
// it has.
type Capabilities struct {
	// Target is the target's registered name ("graph", "scim"); Service
	// names it for people ("Workplace's Graph API", "AWS IAM Identity
	// Center (SCIM)").
	Target  string
	Service string
	// Dialect names the dialect the target speaks where it has several
	// (SCIM: rfc, aws, slack, …); "" where it has one. A plan records it,
	// and apply speaks the plan's.
	Dialect string

	// Carries are the roster fields the target can set; Reads those it
	// returns when an account is read (auth_method can be set on Graph,
	// never read). A field carried but not read is sent to new accounts
	// and, on request, to matched ones; it is never compared.
	Carries map[roster.Field]bool
	Reads   map[roster.Field]bool
	// Required are the fields a create must carry (AWS: given and family
	// names and the display name). A row without them is invalid for
	// this target; a name is never split by guessing.
	Required []roster.Field
	// Rules are the documented limits on values.
	Rules []FieldRule
	// Defaults are the values a cleared field reads back as (Workplace:
	// work_locale en_US): a plan never clears a field already at its
	// default, or every later plan would plan the same clear again.
	Defaults map[roster.Field]string

	// LookupBy are the keys Find can look up; LookupBatch how many keys
	// one call can carry (1 where filters take no "or").
	LookupBy    []KeyKind
	LookupBatch int
	// LookupPerKey are the key kinds whose look-up costs one call per key
	// even when batched (Graph's ?ids= counts each id as a call): plans
	// weigh look-ups against a listing by it.
	LookupPerKey []KeyKind
	// Paging is how ListAll pages; Complete says a listing can be known
	// complete (else plans look each row up and refuse --sync).
	Paging   Paging
	Complete bool

	Versions bool // accounts carry versions; writes send If-Match
	Bulk     bool // writes can be batched (SCIM /Bulk)
	BulkMax  int  // most operations a batch carries

	Groups           bool // static groups (SCIM /Groups)
	GroupChunk       int  // most member changes one request carries
	GroupMembersRead bool // a group's members can be read (AWS returns none)
	PeopleSets       bool // dynamic people sets (Workplace)

	Delete     Deletion      // what DELETE of an account does
	Erase      bool          // personal data can be erased (Workplace's remove_profile_information)
	EraseGrace time.Duration // erasure only this long after deactivation

	PictureURL  bool // a picture can be set from a URL
	PictureFile bool // a picture file can be uploaded
	// PhonesRemovable says a phone number can be removed once added
	// (Graph: never).
	PhonesRemovable bool
	// ReactivationClearsManager: reactivating an account empties its
	// manager (Workplace, Meta), so a plan sets it again in the same step.
	ReactivationClearsManager bool
	// MaxPhones is the most phone numbers an account holds (AWS takes one
	// value of each multi-valued attribute); 0 for no limit. Where it is
	// 1, AddPhone replaces the number the account has.
	MaxPhones int
	// WriteBudget is a budget of writes the service documents over a long
	// window (GitHub: 1,000 users provisioned an hour; Slack: 180 user
	// writes a minute, for the whole organization); zero where none is
	// documented. Plans show how long an apply takes under it.
	WriteBudget Budget
	// ReadsClaim says the target tells whether an account was claimed.
	ReadsClaim bool
	// InvitesOnCreate says a create sends the person an invitation at once.
	InvitesOnCreate bool

	// Same, if set, tells whether a value the roster wants and the one the
	// service holds are the same for this service (Salesforce lower-cases
	// userName; GitHub turns it into a handle): plans compare through it,
	// so that a value the service rewrites is not planned again and again.
	Same func(f roster.Field, want, have string) bool `json:"-"`

	// Origins say where each capability came from, by name ("paging":
	// "discovery", "dialect aws", "probe: a second page repeated the
	// first", "default"), for wpimport check.
	Origins map[string]string
}

// CanCarry reports whether the target can set f.
func (c *Capabilities) CanCarry(f roster.Field) bool { return c.Carries[f] }

// CanRead reports whether the target returns f when read.
func (c *Capabilities) CanRead(f roster.Field) bool { return c.Reads[f] }

// CanLookUp reports whether Find takes keys of kind k.
func (c *Capabilities) CanLookUp(k KeyKind) bool { return slices.Contains(c.LookupBy, k) }

// LookupCalls estimates the calls Find needs for n keys of kind k.
func (c *Capabilities) LookupCalls(k KeyKind, n int) int {
	if n <= 0 {
		return 0
	}
	if slices.Contains(c.LookupPerKey, k) || c.LookupBatch <= 1 {
		return n
	}
	return (n + c.LookupBatch - 1) / c.LookupBatch
}

// Equal reports whether the roster's value want is the service's have,
// as the service compares (exactly, unless Same says otherwise).
func (c *Capabilities) Equal(f roster.Field, want, have string) bool {
	if want == have {
		return true
	}
	return c.Same != nil && c.Same(f, want, have)
}

// Cleared is what field f reads back as once cleared: its default, or "".
func (c *Capabilities) Cleared(f roster.Field) string { return c.Defaults[f] }

// Uncarried lists, in roster order, the fields of fields the target
// cannot set.
func (c *Capabilities) Uncarried(fields []roster.Field) []roster.Field {
	var out []roster.Field
	for _, f := range fields {
		if !c.Carries[f] {
			out = append(out, f)
		}
	}
	return out
}

// Origin says where capability name came from ("" if not recorded).
func (c *Capabilities) Origin(name string) string { return c.Origins[name] }

// SetOrigin records where capability name came from.
func (c *Capabilities) SetOrigin(name, from string) {
	if c.Origins == nil {
		c.Origins = map[string]string{}
	}
	c.Origins[name] = from
}

// FieldSet builds a set of fields.
func FieldSet(fields ...roster.Field) map[roster.Field]bool {
	m := make(map[roster.Field]bool, len(fields))
	for _, f := range fields {
		m[f] = true
	}
	return m
}
