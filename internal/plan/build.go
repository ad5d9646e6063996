package plan

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/validate"
)

// Input is what a plan is made from.
type Input struct {
	Result      *validate.Result
	SHA256      string
	ToolVersion string
	PeopleSets  *validate.PeopleSets // optional
}

// Counter is a directory that counts its calls (a target does): the plan
// records what reading cost.
type Counter interface{ Calls() int64 }

// builder holds the work of one Build.
type builder struct {
	res   *validate.Result
	st    *State
	caps  *target.Capabilities
	opts  Options
	plan  *Plan
	match []*target.Account // per row: the matched account
	state []rowState
	chs   []*Change
	chOf  []int // per row: its change's ID, 0 = none
	// notCompared counts matched rows whose unreadable fields were not sent.
	notCompared int
	// dropped counts, per field the target cannot carry, the planned rows
	// that give it: reported once in the plan.
	dropped map[roster.Field]int
}

type rowState struct {
	status Status // planned, conflict, invalid
	issues []roster.Issue
	action Action
	reason string
}

// ErrIncompleteListing refuses a plan that needs every account (--sync, or
// removing group members) from a target that cannot list them completely.
var ErrIncompleteListing = errors.New("the target cannot list its accounts completely")

// Build reads the current state through dir and plans every row.
func Build(ctx context.Context, in Input, dir target.Directory, opts Options) (*Plan, error) {
	if err := opts.Normalize(); err != nil {
		return nil, err
	}
	caps, err := dir.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	if opts.Sync && !caps.Complete {
		return nil, fmt.Errorf("--sync deactivates the accounts no row names, so it needs every account, and %s cannot be listed completely (%s): %w; plan without --sync",
			caps.Service, caps.Origin("paging"), ErrIncompleteListing)
	}
	res := in.Result
	start := calls(dir)
	p := &Plan{FormatVersion: FormatVersion, ToolVersion: in.ToolVersion, CreatedAt: time.Now().UTC(), Kind: "roster",
		Roster:  RosterInfo{Path: res.Path, Dir: absDir(res.Path), Sheet: res.Sheet, SHA256: in.SHA256, Rows: len(res.Rows), Header: res.Header.Headers()},
		Options: opts, FileIssues: res.FileIssues}
	p.setTarget(dir, caps)
	p.Options.Uncarried = uncarriedColumns(&res.Header, caps)
	st, err := readState(ctx, res, dir, caps, opts, in.PeopleSets)
	if err != nil {
		return nil, err
	}
	p.ReadMode = st.Mode
	st.nameManagers()
	b := &builder{res: res, st: st, caps: caps, opts: p.Options, plan: p, match: make([]*target.Account, len(res.Rows)),
		state: make([]rowState, len(res.Rows)), chOf: make([]int, len(res.Rows)), dropped: map[roster.Field]int{}}
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
	p.ReadCalls = int(calls(dir) - start)
	return p, nil
}

func calls(dir target.Directory) int64 {
	if c, ok := dir.(Counter); ok {
		return c.Calls()
	}
	return 0
}

// setTarget records the target the plan is for and the rules it applied.
func (p *Plan) setTarget(dir target.Directory, caps *target.Capabilities) {
	if t, ok := dir.(interface{ URL() string }); ok {
		p.APIURL = t.URL()
	}
	p.API = caps.Target
	p.Target = TargetInfo{Name: caps.Target, Service: caps.Service, Dialect: caps.Dialect, ReactivationClearsManager: caps.ReactivationClearsManager,
		ReadsAuthMethod: caps.CanRead(roster.AuthMethod), Delete: caps.Delete, InvitesOnCreate: caps.InvitesOnCreate}
}

// uncarriedColumns lists the roster's fields the target cannot carry.
func uncarriedColumns(h *roster.Header, caps *target.Capabilities) []string {
	var out []string
	for _, f := range roster.Fields {
		if !h.Has(f) || caps.CanCarry(f) || !sendable[f] {
			continue
		}
		out = append(out, string(f))
	}
	return out
}

// sendable are the roster fields a target may carry; the others (id, the
// phone type, first and last names where they only build the name) are
// read by the plan itself.
var sendable = func() map[roster.Field]bool {
	m := map[roster.Field]bool{}
	for _, f := range roster.Fields {
		m[f] = true
	}
	for _, f := range []roster.Field{roster.ID, roster.PhoneType, roster.FirstName, roster.LastName, roster.NewEmail} {
		delete(m, f)
	}
	return m
}()

// readState reads what the plan needs. --read auto lists everything when
// that is likely cheaper than looking up each named account: it tries a
// listing within the look-ups' estimated cost, and falls back to look-ups
// only when the population turns out larger. A target that cannot look
// accounts up by external id is listed; one that cannot list completely
// is looked up (--sync is refused before).
func readState(ctx context.Context, res *validate.Result, dir target.Directory, caps *target.Capabilities, opts Options, sets *validate.PeopleSets) (*State, error) {
	listOnly := opts.Read == "list" || !caps.CanLookUp(target.ByExternalID)
	switch {
	case !caps.Complete && opts.Read == "list":
		return nil, fmt.Errorf("--read list reads every account, and %s cannot be listed completely (%s): %w; plan with --read lookup",
			caps.Service, caps.Origin("paging"), ErrIncompleteListing)
	case !caps.Complete && listOnly:
		return nil, fmt.Errorf("%s can neither look accounts up by external id nor be listed completely (%s): %w; wpimport cannot tell which rows have an account there",
			caps.Service, caps.Origin("paging"), ErrIncompleteListing)
	case opts.Sync || listOnly:
		return ListAll(ctx, dir)
	case !caps.Complete:
		opts.Read = "lookup"
	}
	h := &res.Header
	var first, second []target.Key // by external id and id; then by email
	emailsOfExt := 0
	for i := range res.Rows {
		rec := &res.Rows[i].Record
		ext, _, _ := h.Value(rec, roster.ExternalID)
		if ext != "" {
			first = append(first, target.Key{Kind: target.ByExternalID, Value: ext})
		}
		if id, _, _ := h.Value(rec, roster.ID); id != "" {
			first = append(first, target.Key{Kind: target.ByID, Value: id})
		}
		for _, f := range []roster.Field{roster.Email, roster.NewEmail} {
			if v, _, _ := h.Value(rec, f); v != "" {
				second = append(second, target.Key{Kind: target.ByEmail, Value: v})
				if ext != "" && f == roster.Email {
					emailsOfExt++
				}
			}
		}
		if m, _, _ := h.Value(rec, roster.Manager); m != "" && res.Resolve(m) < 0 {
			second = append(second, refKeys(m)...)
		}
	}
	if sets != nil {
		for _, r := range managerRefs(sets) {
			if res.Resolve(r) < 0 {
				second = append(second, refKeys(r)...)
			}
		}
	}
	lookup := func(st *State) error {
		if err := st.lookUp(ctx, dir, first); err != nil {
			return err
		}
		return st.lookUp(ctx, dir, second)
	}
	if opts.Read == "auto" {
		// Look-ups: the external ids and ids, then the emails of rows
		// without an external id and of the (guessed 10%) joiners the
		// external ids will not find.
		n := map[target.KeyKind]int{}
		for _, k := range first {
			n[k.Kind]++
		}
		for _, k := range second {
			n[k.Kind]++
		}
		n[target.ByEmail] -= emailsOfExt - emailsOfExt/10
		budget := 1
		for k, c := range n {
			budget += caps.LookupCalls(k, c)
		}
		st, complete, err := listWithin(ctx, dir, max(budget, 2))
		if err != nil {
			return nil, err
		}
		if complete {
			return st, nil
		}
		st.Mode = "list, then lookup"
		return st, lookup(st)
	}
	st := newState()
	st.Mode = "lookup"
	return st, lookup(st)
}

// refKeys are the keys a reference to a person may be: an email, or an
// external id or (where it looks like one) an account id.
func refKeys(ref string) []target.Key {
	if strings.Contains(ref, "@") {
		return []target.Key{{Kind: target.ByEmail, Value: ref}}
	}
	keys := []target.Key{{Kind: target.ByExternalID, Value: ref}}
	if isAccountID(ref) {
		keys = append(keys, target.Key{Kind: target.ByID, Value: ref})
	}
	return keys
}

// isAccountID reports a reference that looks like a Workplace account id
// (15 or more digits).
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
