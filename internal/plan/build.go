package plan

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/validate"
	"github.com/wpimport/wpimport/internal/workplace"
)

// Input is what a plan is made from.
type Input struct {
	Result      *validate.Result
	SHA256      string
	ToolVersion string
	PeopleSets  *validate.PeopleSets // optional
}

// sentFields are the roster fields sent as create/update parameters: those
// the API documents as settable. location and start_date are validated and
// kept in the outputs, but not sent (see README).
var sentFields = []roster.Field{roster.Name, roster.Email, roster.ExternalID, roster.Title, roster.Department,
	roster.Organization, roster.Division, roster.CostCenter, roster.WorkLocale, roster.AuthMethod}

// unsent are the roster fields no op sends, on any target (see sentFields):
// a planned row that gives one is counted, for the plan's warning, when the
// target names it among those it cannot carry (Options.Uncarried).
var unsent = []roster.Field{roster.StartDate, roster.Location}

// unreadable fields can be set but not read back: they are sent on create,
// and to matched accounts only when asked (--auth-method all), never
// compared. The plan says so.
var unreadable = map[roster.Field]bool{roster.AuthMethod: true}

// builder holds the work of one Build.
type builder struct {
	res   *validate.Result
	st    *State
	opts  Options
	plan  *Plan
	match []*workplace.Account // per row: the matched account
	state []rowState
	ops   []*Op
	opOf  []int // per row: index into ops+1, 0 = none
	// notCompared counts matched rows whose unreadable fields were not sent.
	notCompared int
	// uncarried are the fields the target cannot carry (Options.Uncarried);
	// dropped counts the rows that gave one.
	uncarried map[roster.Field]bool
	dropped   map[roster.Field]int
}

type rowState struct {
	status string // planned, conflict, invalid
	issues []roster.Issue
	action Action
	reason string
}

// Build reads the current state and plans every row.
func Build(ctx context.Context, in Input, dir Directory, opts Options) (*Plan, error) {
	if err := opts.Normalize(); err != nil {
		return nil, err
	}
	res := in.Result
	start := dir.Calls()
	p := &Plan{FormatVersion: FormatVersion, ToolVersion: in.ToolVersion, CreatedAt: time.Now().UTC(), Kind: "roster",
		Roster: RosterInfo{Path: res.Path, Dir: absDir(res.Path), Sheet: res.Sheet, SHA256: in.SHA256, Rows: len(res.Rows), Header: res.Header.Headers()},
		APIURL: dir.BaseURL(), Options: opts, FileIssues: res.FileIssues}
	st, err := readState(ctx, res, dir, opts, in.PeopleSets)
	if err != nil {
		return nil, err
	}
	p.ReadMode = st.Mode
	b := &builder{res: res, st: st, opts: opts, plan: p, match: make([]*workplace.Account, len(res.Rows)),
		state: make([]rowState, len(res.Rows)), opOf: make([]int, len(res.Rows)),
		uncarried: map[roster.Field]bool{}, dropped: map[roster.Field]int{}}
	for _, f := range opts.Uncarried {
		b.uncarried[roster.Field(f)] = true
	}
	named := b.matchRows()
	for _, i := range b.depthOrder() {
		b.planRow(i)
	}
	if opts.Sync {
		b.syncDeactivations(named)
	}
	b.finish()
	if err := b.planGroups(ctx, dir); err != nil {
		return nil, err
	}
	if in.PeopleSets != nil {
		if err := b.planPeopleSets(ctx, dir, in.PeopleSets); err != nil {
			return nil, err
		}
	}
	p.ReadCalls = int(dir.Calls() - start)
	return p, nil
}

// readState reads what the plan needs. --read auto lists everything when
// that is likely cheaper than looking up each named account: ?ids= costs a
// call per id, so it tries a listing within the look-ups' estimated cost and
// falls back to look-ups only when the community turns out larger.
func readState(ctx context.Context, res *validate.Result, dir Directory, opts Options, sets *validate.PeopleSets) (*State, error) {
	if opts.Read == "list" || opts.Sync {
		return ListAll(ctx, dir, 100)
	}
	h := &res.Header
	var exts, refs []string
	for i := range res.Rows {
		rec := &res.Rows[i].Record
		if v, _, _ := h.Value(rec, roster.ExternalID); v != "" {
			exts = append(exts, v)
		}
		for _, f := range []roster.Field{roster.Email, roster.NewEmail, roster.ID} {
			if v, _, _ := h.Value(rec, f); v != "" {
				refs = append(refs, v)
			}
		}
		if m, _, _ := h.Value(rec, roster.Manager); m != "" && res.Resolve(m) < 0 {
			if strings.Contains(m, "@") || isAccountID(m) {
				refs = append(refs, m)
			} else {
				exts = append(exts, m)
			}
		}
	}
	if sets != nil {
		for _, r := range managerRefs(sets) {
			if res.Resolve(r) < 0 {
				if strings.Contains(r, "@") || isAccountID(r) {
					refs = append(refs, r)
				} else {
					exts = append(exts, r)
				}
			}
		}
	}
	if opts.Read == "auto" {
		// Look-ups: one call per 50 external ids, one per email or id of a
		// row without an external id, and one per email of the (guessed
		// 10%) joiners the external ids will not find.
		budget := (len(exts)+49)/50 + len(refs) - len(exts) + len(exts)/10 + 1
		budget = max(budget, 2)
		st, complete, err := listWithin(ctx, dir, 100, budget)
		if err != nil {
			return nil, err
		}
		if complete {
			return st, nil
		}
		st.Mode = "list, then lookup"
		return st, st.lookUp(ctx, dir, exts, refs)
	}
	return LookUp(ctx, dir, exts, refs)
}

func isAccountID(s string) bool {
	if len(s) < 15 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// absDir is the absolute folder of path.
func absDir(path string) string {
	if a, err := filepath.Abs(path); err == nil {
		return filepath.Dir(a)
	}
	return filepath.Dir(path)
}
