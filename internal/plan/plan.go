package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/safefile"
)

// FormatVersion is the plan file format; apply refuses others.
const FormatVersion = 1

// Action is what an op does to an account.
type Action string

const (
	Create     Action = "create"
	Update     Action = "update"
	Deactivate Action = "deactivate"
	Reactivate Action = "reactivate"
	None       Action = "none"
	Skip       Action = "skip"
	Delete     Action = "delete"
	Erase      Action = "erase"
)

// ManagerRef names the manager an op sets: an existing account, or the
// account another op of this plan creates.
type ManagerRef struct {
	AccountID string `json:"account_id,omitempty"`
	CreateOp  int    `json:"create_op,omitempty"` // Op.ID of a create, when AccountID is ""
	Ref       string `json:"ref"`                 // as the roster wrote it
}

// Phone is a phone number to add.
type Phone struct {
	Number  string `json:"number"`
	Type    string `json:"type"`
	Primary bool   `json:"primary"`
}

// Op is one change to one account.
type Op struct {
	ID        int    `json:"id"` // 1-based, stable within the plan
	Row       int    `json:"row"`
	Key       string `json:"key"`
	Name      string `json:"name"`
	Action    Action `json:"action"`
	AccountID string `json:"account_id,omitempty"` // the target; "" for a create
	Email     string `json:"email,omitempty"`      // the target's email, for sign-off
	// Lookup is how a create's account is found if its outcome is unknown.
	Lookup *Lookup `json:"lookup,omitempty"`
	// Fields are the parameters of the main call (create or update).
	Fields map[string]string `json:"fields,omitempty"`
	// Manager to set: in the create call, in the update call, or right after
	// a reactivation.
	Manager *ManagerRef `json:"manager,omitempty"`
	// Level orders creates: managers (level 0) before their reports.
	Level       int                  `json:"level"`
	Phones      []Phone              `json:"phones,omitempty"` // added in order; the first is primary
	PictureURL  string               `json:"picture_url,omitempty"`
	PictureFile string               `json:"picture_file,omitempty"`
	Changes     map[string][2]string `json:"changes,omitempty"`
	// Fingerprint is the target's state when planned ("absent" for a
	// create): apply skips the op as stale if it differs.
	Fingerprint string `json:"fingerprint"`
	// Version is the account's version when the plan read it, where the
	// target versions accounts (SCIM meta.version): apply sends it as
	// If-Match, so any change since the plan makes the op stale.
	Version string `json:"version,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// Lookup identifies an account by its keys.
type Lookup struct {
	ExternalID string `json:"external_id,omitempty"`
	Email      string `json:"email,omitempty"`
}

// Calls is the number of API calls an op needs.
func (o *Op) Calls() int {
	n := 0
	switch o.Action {
	case Create, Update, Deactivate, Delete, Erase:
		n = 1
	case Reactivate:
		n = 1
		if o.Manager != nil {
			n++
		}
	}
	n += len(o.Phones)
	if o.PictureURL != "" || o.PictureFile != "" {
		n++
	}
	return n
}

// RowEntry is what the plan says of one roster row (or, with Row 0, of an
// account only --sync touches). It has the DESIGN.md results schema.
type RowEntry struct {
	Row       int                  `json:"row"`
	Key       string               `json:"key"`
	Name      string               `json:"name,omitempty"`
	Action    Action               `json:"action"`
	Status    string               `json:"status"` // planned, conflict, invalid
	AccountID string               `json:"account_id"`
	Changes   map[string][2]string `json:"changes"`
	Issues    []roster.Issue       `json:"issues"`
	Attempts  int                  `json:"attempts"`
	Op        int                  `json:"op,omitempty"` // Op.ID
}

// Guard is the --max-deactivate check as it was made.
type Guard struct {
	Spec          string `json:"spec"`          // as given, e.g. "5%" or "40"
	Limit         int    `json:"limit"`         // deactivations allowed
	Active        int    `json:"active"`        // active accounts read
	Deactivations int    `json:"deactivations"` // deactivations planned
	Raised        bool   `json:"raised"`        // the limit was raised above the default for this run
	Tripped       bool   `json:"tripped"`
}

// RosterInfo identifies the roster a plan was made from.
type RosterInfo struct {
	Path string `json:"path"`
	// Dir is the roster's folder as an absolute path: picture files are
	// named relative to it, so the plan applies from any folder.
	Dir    string   `json:"dir,omitempty"`
	Sheet  string   `json:"sheet,omitempty"`
	SHA256 string   `json:"sha256"`
	Rows   int      `json:"rows"`
	Header []string `json:"header"`
}

// File returns the roster's path, found from any working folder: Path was
// written relative to the folder plan ran in, Dir is absolute.
func (r RosterInfo) File() string {
	if r.Path == "" || filepath.IsAbs(r.Path) || r.Dir == "" {
		return r.Path
	}
	return filepath.Join(r.Dir, filepath.Base(r.Path))
}

// Folder returns the roster's folder.
func (r RosterInfo) Folder() string {
	if r.Dir != "" {
		return r.Dir
	}
	return filepath.Dir(r.Path)
}

// Plan is a saved plan.
type Plan struct {
	FormatVersion int `json:"format_version"`
	// MAC seals the file: "hmac-sha256:" and 64 hex digits, an HMAC of the
	// file's bytes (with MACPlaceholder in its place) under the key of the
	// user who made the plan (seal.go). It comes right after the format
	// version, so it is the first place those characters occur.
	MAC         string     `json:"mac,omitempty"`
	ToolVersion string     `json:"tool_version"`
	CreatedAt   time.Time  `json:"created_at"`
	Kind        string     `json:"kind"` // "roster" or "offboard"
	Roster      RosterInfo `json:"roster"`
	APIURL      string     `json:"api_url"`
	// API is the target: "graph" (also when empty, in plans older than
	// the SCIM target) or "scim". apply refuses a plan made for another.
	API     string  `json:"api,omitempty"`
	Options Options `json:"options"`
	Guard   Guard   `json:"guard"`
	// ChangeGuards are the mass-update guards (--max-renames,
	// --max-email-changes, --max-field-changes) as checked.
	ChangeGuards []ChangeGuard `json:"change_guards"`
	ReadMode     string        `json:"read_mode"` // list or lookup
	ReadCalls    int           `json:"read_calls"`
	// Refused says why apply must not run this plan ("" if it may).
	Refused    string     `json:"refused,omitempty"`
	Warnings   []string   `json:"warnings,omitempty"`
	Ops        []Op       `json:"ops"`
	Rows       []RowEntry `json:"rows"`
	PeopleSets []SetOp    `json:"people_sets,omitempty"`
	// PeopleSetsRead is how many people sets existed when planned: the base
	// of --max-delete-people-sets.
	PeopleSetsRead int `json:"people_sets_read,omitempty"`
	// Groups are the group ops (SCIM), after every account op.
	Groups []GroupOp `json:"groups,omitempty"`
	// GroupMembersRead is how many members the named groups had when
	// planned: the base of --max-group-removals.
	GroupMembersRead int            `json:"group_members_read,omitempty"`
	FileIssues       []roster.Issue `json:"file_issues,omitempty"`
}

// Counts returns the number of ops per action.
func (p *Plan) Counts() map[Action]int {
	m := map[Action]int{}
	for _, o := range p.Ops {
		m[o.Action]++
	}
	return m
}

// Summary is the one line terraform would print.
func (p *Plan) Summary() string {
	c := p.Counts()
	s := fmt.Sprintf("Plan: %d to create, %d to update, %d to deactivate, %d to reactivate", c[Create], c[Update], c[Deactivate], c[Reactivate])
	if c[Delete] > 0 {
		s += fmt.Sprintf(", %d to delete", c[Delete])
	}
	if c[Erase] > 0 {
		s += fmt.Sprintf(", %d to erase", c[Erase])
	}
	unchanged, invalid, conflict := 0, 0, 0
	for _, r := range p.Rows {
		switch {
		case r.Status == "invalid":
			invalid++
		case r.Status == "conflict":
			conflict++
		case r.Action == None:
			unchanged++
		}
	}
	s += fmt.Sprintf("; %d unchanged, %d invalid, %d conflicts", unchanged, invalid, conflict)
	if n := len(p.PeopleSets); n > 0 {
		sc := map[Action]int{}
		for _, so := range p.PeopleSets {
			sc[so.Action]++
		}
		s += fmt.Sprintf("; people sets: %d to create, %d to update, %d to delete", sc[Create], sc[Update], sc[Delete])
	}
	if len(p.Groups) > 0 {
		gc := map[Action]int{}
		add, remove := 0, 0
		for _, g := range p.Groups {
			gc[g.Action]++
			add += len(g.Add)
			remove += len(g.Remove)
		}
		s += fmt.Sprintf("; groups: %d to create, %d to update (%d members to add, %d to remove), %d unchanged", gc[Create], gc[Update], add, remove, gc[None])
		if gc[Skip] > 0 {
			s += fmt.Sprintf(", %d skipped", gc[Skip])
		}
	}
	return s + "."
}

// Save writes the plan as JSON, sealed with key (see Seal; nil: not
// sealed), atomically, and returns its digest.
func (p *Plan) Save(path string, key []byte) (string, error) {
	data, err := p.Marshal(key)
	if err != nil {
		return "", err
	}
	return Digest(data), safefile.Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// MaxFileBytes bounds a plan file: about 2 KB an op for a million rows.
const MaxFileBytes = 2 << 30

// Digest identifies a plan file's exact bytes: what a sign-off approves.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ReadFile reads a plan file, bounded by MaxFileBytes, and returns its
// bytes, its digest and the plan parsed from those same bytes.
func ReadFile(path string) (*Plan, []byte, string, error) {
	f, err := safefile.Open(path)
	if err != nil {
		return nil, nil, "", fmt.Errorf("read plan: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, nil, "", fmt.Errorf("read plan: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, nil, "", fmt.Errorf("%s is larger than any plan wpimport writes (%d MiB)", path, MaxFileBytes>>20)
	}
	p, err := parse(path, data)
	return p, data, Digest(data), err
}

// Load reads a saved plan and checks its format version.
func Load(path string) (*Plan, error) {
	p, _, _, err := ReadFile(path)
	return p, err
}

func parse(path string, data []byte) (*Plan, error) {
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s is not a wpimport plan: %w", path, err)
	}
	if p.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%s is a plan of format %d; this wpimport reads format %d: make the plan again with this version", path, p.FormatVersion, FormatVersion)
	}
	return &p, nil
}
