package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/report"
	"github.com/wpimport/wpimport/internal/safefile"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/validate"
)

// stringsFlag collects a repeatable flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

// planFlags are the options of every command that plans a roster.
type planFlags struct {
	inputOptions
	targetOptions
	Rate                float64
	Sync                bool
	MaxDeactivate       string
	MaxRenames          string
	MaxEmailChanges     string
	MaxFieldChanges     string
	Protect             string
	Scope               stringsFlag
	Match               string
	Empty               string
	Read                string
	Pictures            string
	AuthMethod          string
	PeopleSets          string
	SyncPeopleSets      bool
	MaxDeletePeopleSets string
	SyncGroups          bool
	MaxGroupRemovals    string
}

func (o *planFlags) register(fs *flag.FlagSet, e *env) {
	o.inputOptions.register(fs)
	o.targetOptions.register(fs, e)
	fs.Float64Var(&o.Rate, "rate", 20, "most API calls per second, look-ups included")
	fs.BoolVar(&o.Sync, "sync", false, "deactivate in-scope accounts (those with an external_id) that no row names")
	fs.StringVar(&o.MaxDeactivate, "max-deactivate", plan.DefaultMaxDeactivate, "refuse the plan if it deactivates more than N accounts or P% of active accounts")
	fs.StringVar(&o.MaxRenames, "max-renames", plan.DefaultMaxRenames, "refuse the plan if it renames more than N, or P% (at least 1), of the accounts the roster matches")
	fs.StringVar(&o.MaxEmailChanges, "max-email-changes", plan.DefaultMaxEmailChanges, "refuse the plan if new_email changes the login email of more than N, or P% (at least 1), of the matched accounts")
	fs.StringVar(&o.MaxFieldChanges, "max-field-changes", plan.DefaultMaxFieldChanges, "refuse the plan if it overwrites or clears any one field of more than N matched accounts, or of more than P% and at least 5 (a shifted column)")
	fs.StringVar(&o.Protect, "protect", "", "file of account ids, emails or external ids never touched (one per line, or the first csv column)")
	fs.Var(&o.Scope, "scope", "narrow --sync to accounts with field=value (department, division, organization, location, cost_center, title); repeatable")
	fs.StringVar(&o.Match, "match", "external_id,email", "keys to match rows to accounts, in order")
	fs.StringVar(&o.Empty, "empty", "keep", "empty cells: keep the field as it is, or clear it (name and email are never cleared)")
	fs.StringVar(&o.Read, "read", "auto", "how to read Workplace: list every account, lookup only those named, or auto")
	fs.StringVar(&o.Pictures, "pictures", "new", "set pictures (picture_url, picture_file) on new accounts only, or on all matched rows")
	fs.StringVar(&o.AuthMethod, "auth-method", "new", "send auth_method (which Workplace does not let anyone read back) to new accounts only, or to all matched rows")
	fs.StringVar(&o.PeopleSets, "people-sets", "", "csv of people sets (default: the roster workbook's \"People Sets\" sheet, if any)")
	fs.BoolVar(&o.SyncPeopleSets, "sync-people-sets", false, "delete people sets absent from the input")
	fs.StringVar(&o.MaxDeletePeopleSets, "max-delete-people-sets", plan.DefaultMaxDeactivate, "refuse the plan if --sync-people-sets deletes more sets than this (count or %)")
	fs.BoolVar(&o.SyncGroups, "sync-groups", false, "SCIM: also remove, from the groups the roster names, the members it does not list")
	fs.StringVar(&o.MaxGroupRemovals, "max-group-removals", plan.DefaultMaxGroupRemovals, "refuse the plan if --sync-groups removes more members than this (count, or % of the members the named groups have)")
}

// options turns the flags into plan options.
func (o *planFlags) options() (plan.Options, error) {
	opts := plan.Options{Sync: o.Sync, MaxDeactivate: o.MaxDeactivate, MaxRenames: o.MaxRenames, MaxEmailChanges: o.MaxEmailChanges,
		MaxFieldChanges: o.MaxFieldChanges, Empty: o.Empty, Read: o.Read, Pictures: o.Pictures, AuthMethod: o.AuthMethod,
		SyncPeopleSets: o.SyncPeopleSets, MaxDeletePeopleSets: o.MaxDeletePeopleSets, SyncGroups: o.SyncGroups, MaxGroupRemovals: o.MaxGroupRemovals}
	for _, m := range strings.Split(o.Match, ",") {
		opts.Match = append(opts.Match, strings.TrimSpace(m))
	}
	for _, s := range o.Scope {
		r, err := plan.ParseScope(s)
		if err != nil {
			return opts, usageErr("%v", err)
		}
		opts.Scope = append(opts.Scope, r)
	}
	if len(o.Scope) > 0 && !o.Sync {
		return opts, usageErr("--scope narrows --sync: add --sync, or drop --scope")
	}
	if o.Protect != "" {
		p, err := readProtect(o.Protect)
		if err != nil {
			return opts, usageErr("%v", err)
		}
		opts.Protect = p
	}
	if err := opts.Normalize(); err != nil {
		return opts, usageErr("%v", err)
	}
	return opts, nil
}

type planOptions struct {
	planFlags
	Out  string
	XLSX string // the sign-off workbook, beside Out
}

// reads records the files a plan reads.
func (o *planFlags) reads(f *files) {
	f.reads(o.Roster, o.Mapping, o.PeopleSets, o.Protect)
}

func parsePlan(e *env, args []string) (*planOptions, error) {
	o := &planOptions{}
	fs := newFlagSet(e, "plan", "ROSTER [--sync] [--max-deactivate N|P%] [--max-renames N|P%] [--max-email-changes N|P%] [--max-field-changes N|P%] [--protect FILE] [--sync-groups] [--api graph|scim] --out plan.json",
		"wpimport plan roster.xlsx --sync --out plan.json   # also writes plan.xlsx for sign-off")
	o.register(fs, e)
	fs.StringVar(&o.Out, "out", "", "the plan file to write (.json), sealed with your key so that apply knows it is as made; plan.xlsx is written beside it")
	arg, err := onePositional(fs, args, "roster file")
	if err != nil {
		return nil, err
	}
	o.Roster = arg
	if err := requireJSONOut(o.Out); err != nil {
		return nil, err
	}
	if _, err := o.options(); err != nil {
		return nil, err
	}
	if o.Rate <= 0 {
		return nil, usageErr("--rate must be positive")
	}
	return o, nil
}

// planOutputs decides and checks the plan's outputs: plan.json (never an
// input) and the workbook beside it (renamed if it would be one).
func planOutputs(inputs func(*files), out string) (xlsx string, err error) {
	var f files
	inputs(&f)
	if err := f.output("--out", out); err != nil {
		return "", err
	}
	xlsx = f.derived(planXLSXPath(out), "plan")
	return xlsx, f.check()
}

// maxProtectBytes bounds a --protect list: a million ids and emails.
const maxProtectBytes = 64 << 20

func readProtect(path string) ([]string, error) {
	data, err := safefile.ReadFile(path, maxProtectBytes)
	if err != nil {
		return nil, fmt.Errorf("--protect: %w", err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		first, _, _ := strings.Cut(line, ",")
		first = strings.Trim(strings.TrimSpace(first), `"`)
		if first != "" && !strings.EqualFold(first, "id") && !strings.EqualFold(first, "email") && !strings.EqualFold(first, "external_id") {
			out = append(out, first)
		}
	}
	return out, sc.Err()
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// makePlan validates the roster and plans it against the target, through
// tgt (nil: one is opened, paced at o.Rate).
func makePlan(ctx context.Context, e *env, o *planFlags, tgt target.Target) (*plan.Plan, *validate.Result, error) {
	opts, err := o.options()
	if err != nil {
		return nil, nil, err
	}
	res, err := readRoster(ctx, o.inputOptions)
	if err != nil {
		return nil, nil, err
	}
	printFileIssues(e.stderr, res)
	sum, err := fileSHA256(o.Roster)
	if err != nil {
		return nil, nil, err
	}
	sets, err := readPeopleSets(o.Roster, o.PeopleSets)
	if err != nil {
		return nil, nil, err
	}
	if tgt == nil {
		if tgt, _, err = o.open(e, o.Rate, pace.DefaultRetry); err != nil {
			return nil, nil, err
		}
		defer tgt.Close()
	}
	valid, invalid := res.Counts()
	fmt.Fprintf(e.stderr, "%s: %d rows: %d valid, %d invalid. Reading %s at %s…\n", res.Path, len(res.Rows), valid, invalid, o.service(), tgt.URL())
	p, err := plan.Build(ctx, plan.Input{Result: res, SHA256: sum, ToolVersion: version, PeopleSets: sets}, tgt, opts)
	if err != nil {
		return nil, nil, o.apiFailure(err)
	}
	return p, res, nil
}

func planXLSXPath(out string) string {
	return strings.TrimSuffix(out, filepath.Ext(out)) + ".xlsx"
}

func cmdPlan(ctx context.Context, e *env, args []string) error {
	o, err := parsePlan(e, args)
	if err != nil {
		return err
	}
	if o.XLSX, err = planOutputs(o.reads, o.Out); err != nil {
		return err
	}
	st, err := openState(e)
	if err != nil {
		return err
	}
	p, res, err := makePlan(ctx, e, &o.planFlags, nil)
	if err != nil {
		return err
	}
	return savePlan(e, p, report.FromPlan(p, res), o.Out, o.XLSX, st.Key())
}

// savePlan writes plan.json, sealed with this user's key, and its sign-off
// workbook, prints the digest and returns the exit code.
func savePlan(e *env, p *plan.Plan, doc *report.Document, out, xlsx string, key []byte) error {
	digest, err := p.Save(out, key)
	if err != nil {
		return err
	}
	report.SignOff(doc, out, digest)
	if err := report.Write(xlsx, doc); err != nil {
		return err
	}
	code := printPlan(e, p, out, xlsx)
	fmt.Fprintf(e.stderr, "Plan digest: %s\n", digest)
	if p.Refused == "" {
		fmt.Fprintf(e.stderr, "To apply exactly this plan once it is signed off: wpimport apply %s --approved %s%s\n", out, digest, leftOut(p))
	}
	return exitCode(code)
}

// printWarnings writes the plan's warnings (what the target cannot carry,
// what was not compared), one line each.
func printWarnings(w io.Writer, p *plan.Plan) {
	for _, s := range p.Warnings {
		fmt.Fprintf(w, "Warning: %s\n", s)
	}
}

// leftOut says, beside the apply command, what the plan leaves out:
// " (it leaves out 3 invalid rows and 1 conflict: fix them and plan again
// to include them)", or "".
func leftOut(p *plan.Plan) string {
	_, invalid, conflict := p.RowCounts()
	sets := invalidSets(p)
	var parts []string
	if invalid > 0 {
		parts = append(parts, plural(invalid, "invalid row", "invalid rows"))
	}
	if conflict > 0 {
		parts = append(parts, plural(conflict, "conflict", "conflicts"))
	}
	if sets > 0 {
		parts = append(parts, plural(sets, "invalid people set", "invalid people sets"))
	}
	if len(parts) == 0 {
		return ""
	}
	them := "them"
	if invalid+conflict+sets == 1 {
		them = "it"
	}
	return fmt.Sprintf(" (it leaves out %s: fix %s and plan again to include %s)", andList(parts), them, them)
}

// printPlan tells what the plan holds and returns the exit code.
func printPlan(e *env, p *plan.Plan, out, xlsx string) int {
	shown := 0
	for _, r := range p.Rows {
		for _, is := range r.Issues {
			if is.Severity == "error" && shown < 15 {
				fmt.Fprintf(e.stderr, "%s: %s\n", p.Roster.Path, is)
				shown++
			}
		}
	}
	for i := range p.Changes {
		c := &p.Changes[i]
		for _, is := range c.Issues {
			if is.Severity == "error" && shown < 25 {
				fmt.Fprintf(e.stderr, "people set %q: %s\n", c.Name, is)
				shown++
			}
		}
	}
	printEmailDiffers(e, p, xlsx)
	fmt.Fprintf(e.stderr, "%s\n(read with %d API calls, by %s)\n", p.Summary(), p.ReadCalls, p.ReadMode)
	printWarnings(e.stderr, p)
	fmt.Fprintf(e.stderr, "Plan written to %s; sign-off workbook %s\n", out, xlsx)
	if p.Refused != "" {
		fmt.Fprintf(e.stderr, "REFUSED: %s\nNo change was made, and apply will not run this plan.\n", p.Refused)
		return exitRefused
	}
	for _, r := range p.Rows {
		if r.Status != plan.Planned {
			return exitRows
		}
	}
	if invalidSets(p) > 0 {
		return exitRows
	}
	return exitOK
}

// invalidSets counts the people sets whose input has an error.
func invalidSets(p *plan.Plan) int {
	n := 0
	for i := range p.Changes {
		if c := &p.Changes[i]; c.Kind == plan.KindPeopleSet && c.Status() == plan.Invalid {
			n++
		}
	}
	return n
}

// printEmailDiffers shows the rows whose email differs from their account's
// (kept as the account has it): a typo, or a login change that needs
// new_email. They are warnings, but nobody should miss them.
func printEmailDiffers(e *env, p *plan.Plan, xlsx string) {
	const most = 10
	n := 0
	for _, r := range p.Rows {
		for _, is := range r.Issues {
			if is.Code == "email.differs" {
				if n < most {
					fmt.Fprintf(e.stderr, "%s: %s\n", p.Roster.Path, is)
				}
				n++
			}
		}
	}
	if n > most {
		fmt.Fprintf(e.stderr, "%s: %d more rows whose email differs from their account's: see the Plan sheet of %s\n", p.Roster.Path, n-most, xlsx)
	}
}
