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
	"github.com/wpimport/wpimport/internal/target"
)

// FormatVersion is the plan file format; apply refuses others. Format 2
// holds typed changes (Change): format 1 plans, with their display
// strings, are refused with a word to plan again.
const FormatVersion = 2

// RowEntry is what the plan says of one roster row (or, with Row 0, of an
// account only --sync touches): its status, issues and change.
type RowEntry struct {
	Row       int            `json:"row"`
	Key       string         `json:"key"`
	Name      string         `json:"name,omitempty"`
	Action    Action         `json:"action"`
	Status    Status         `json:"status"` // planned, conflict, invalid
	AccountID string         `json:"account_id"`
	Issues    []roster.Issue `json:"issues"`
	Change    int            `json:"change,omitempty"` // Change.ID
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

// TargetInfo is what the plan knew of its target: its name, the service,
// and the rules of its own that the plan applied.
type TargetInfo struct {
	Name    string `json:"name"`    // graph, scim
	Service string `json:"service"` // for people
	// Dialect is the target's dialect (SCIM: rfc, aws, …); apply speaks it.
	Dialect string `json:"dialect,omitempty"`
	// ReactivationClearsManager: a reactivation sets the manager again.
	ReactivationClearsManager bool `json:"reactivation_clears_manager,omitempty"`
	// ReadsAuthMethod: auth_method was compared like any field.
	ReadsAuthMethod bool `json:"reads_auth_method,omitempty"`
	// Delete is what a DELETE of an account does there.
	Delete target.Deletion `json:"delete,omitempty"`
	// InvitesOnCreate: a create sends the person an invitation at once.
	InvitesOnCreate bool `json:"invites_on_create,omitempty"`
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
	Kind        string     `json:"kind"` // "roster", "offboard" or "undo"
	Roster      RosterInfo `json:"roster"`
	APIURL      string     `json:"api_url"`
	// API is the target's name ("graph", "scim"); apply refuses a plan
	// made for another.
	API     string     `json:"api"`
	Target  TargetInfo `json:"target"`
	Options Options    `json:"options"`
	Guard   Guard      `json:"guard"`
	// ChangeGuards are the mass-update guards (--max-renames,
	// --max-email-changes, --max-field-changes) as checked.
	ChangeGuards []ChangeGuard `json:"change_guards"`
	ReadMode     string        `json:"read_mode"` // list, lookup, or list then lookup
	ReadCalls    int           `json:"read_calls"`
	// Refused says why apply must not run this plan ("" if it may).
	Refused  string   `json:"refused,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	// Changes are every change: accounts first (the roster's rows in order
	// of management depth, so that a create follows its manager's, then
	// --sync's deactivations), then groups, then people sets; a change's ID
	// is its position. Apply runs them by phase (creates by Level first).
	Changes []Change   `json:"changes"`
	Rows    []RowEntry `json:"rows"`
	// PeopleSetsRead is how many people sets existed when planned: the base
	// of --max-delete-people-sets.
	PeopleSetsRead int `json:"people_sets_read,omitempty"`
	// GroupMembersRead is how many members the named groups had when
	// planned: the base of --max-group-removals.
	GroupMembersRead int            `json:"group_members_read,omitempty"`
	FileIssues       []roster.Issue `json:"file_issues,omitempty"`
}

// Change returns the change with this ID, or nil.
func (p *Plan) Change(id int) *Change {
	if id < 1 || id > len(p.Changes) {
		return nil
	}
	return &p.Changes[id-1]
}

// Counts returns the number of changes of kind k per action.
func (p *Plan) Counts(k Kind) map[Action]int {
	m := map[Action]int{}
	for i := range p.Changes {
		if p.Changes[i].Kind == k {
			m[p.Changes[i].Action]++
		}
	}
	return m
}

// RowCounts counts the plan's rows: unchanged, invalid and in conflict.
func (p *Plan) RowCounts() (unchanged, invalid, conflict int) {
	for _, r := range p.Rows {
		switch {
		case r.Status == Invalid:
			invalid++
		case r.Status == Conflict:
			conflict++
		case r.Action == None:
			unchanged++
		}
	}
	return unchanged, invalid, conflict
}

// Summary is the one line terraform would print.
func (p *Plan) Summary() string {
	c := p.Counts(KindAccount)
	s := fmt.Sprintf("Plan: %d to create, %d to update, %d to deactivate, %d to reactivate", c[Create], c[Update], c[Deactivate], c[Reactivate])
	if c[Delete] > 0 {
		s += fmt.Sprintf(", %d to delete", c[Delete])
	}
	if c[Erase] > 0 {
		s += fmt.Sprintf(", %d to erase", c[Erase])
	}
	unchanged, invalid, conflict := p.RowCounts()
	s += fmt.Sprintf("; %d unchanged, %d invalid, %s", unchanged, invalid, plural(conflict, "conflict", "conflicts"))
	if sc := p.Counts(KindPeopleSet); len(sc) > 0 {
		s += fmt.Sprintf("; people sets: %d to create, %d to update, %d to delete", sc[Create], sc[Update], sc[Delete])
	}
	if gc := p.Counts(KindGroup); len(gc) > 0 {
		add, remove := 0, 0
		for i := range p.Changes {
			if g := p.Changes[i].Group; g != nil {
				add += len(g.Add)
				remove += len(g.Remove)
			}
		}
		s += fmt.Sprintf("; groups: %d to create, %d to update (%s to add, %d to remove), %d unchanged", gc[Create], gc[Update],
			plural(add, "member", "members"), remove, gc[None])
		if gc[Skip] > 0 {
			s += fmt.Sprintf(", %d skipped", gc[Skip])
		}
	}
	return s + "."
}

// plural is "1 row" or "2 rows".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
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
		return nil, fmt.Errorf("%s is a plan of format %d; this wpimport reads format %d (plans now hold each change's values as read and as wanted): make the plan again with this version", path, p.FormatVersion, FormatVersion)
	}
	return &p, nil
}
