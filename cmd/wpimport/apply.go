package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/report"
	"github.com/wpimport/wpimport/internal/session"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/userstate"
	"github.com/wpimport/wpimport/internal/validate"
)

type applyOptions struct {
	planFlags
	Plan           string // a plan.json, or "" with Roster and Yes
	Yes            bool
	Concurrency    int
	MaxTries       int
	Results        string
	OnlyFailed     string
	Approved       string
	Bulk           bool
	MaxPlanAge     ageFlag
	Reapply        bool
	concurrencySet bool
}

func parseApply(e *env, args []string) (*applyOptions, error) {
	o := &applyOptions{MaxPlanAge: ageFlag(defaultMaxPlanAge)}
	fs := newFlagSet(e, "apply", "plan.json [--approved DIGEST] [--rate R] [--concurrency C] [--results FILE] [--only-failed RESULTS] [--bulk] [--max-plan-age 7d] [--reapply]\n       wpimport apply ROSTER --yes [plan options]",
		"wpimport apply plan.json --approved sha256:… --rate 50 --results results.xlsx\n"+
			"wpimport apply plan.json --only-failed results.xlsx   # retry just the failed rows")
	o.register(fs, e)
	// The plan options only mean something with --yes: say so.
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name != "rate" && f.Name != "api-url" && f.Name != "token-file" && f.Name != "api" {
			f.Usage = "with --yes: " + f.Usage
		}
	})
	fs.BoolVar(&o.Yes, "yes", false, "plan and apply a roster in one go, without a signed-off plan (scripted use)")
	fs.StringVar(&o.Approved, "approved", "", "the digest that wpimport plan printed for the signed-off plan: refuse any other plan, and apply this one even if it was made by another user or machine")
	fs.Var(&o.MaxPlanAge, "max-plan-age", "refuse a plan made longer ago than `AGE`: days (7d) or hours and minutes (36h, 90m)")
	fs.BoolVar(&o.Reapply, "reapply", false, "apply again a plan that was already applied (a copy in another folder, or one whose journal is gone); usually a new plan is what is wanted")
	fs.IntVar(&o.Concurrency, "concurrency", 8, "calls in flight at once")
	fs.IntVar(&o.MaxTries, "max-tries", pace.DefaultRetry.Tries, "tries per call for transient errors (backoff with jitter, capped at 60 s)")
	fs.StringVar(&o.Results, "results", "", "results file (.xlsx, .csv or .json; default: beside the plan, NAME-results.xlsx)")
	fs.StringVar(&o.OnlyFailed, "only-failed", "", "re-run only the rows this results file lists as failed, partial or not attempted (written to a new results file beside it)")
	fs.BoolVar(&o.Bulk, "bulk", false, "SCIM: send creates and updates in /Bulk requests, where the service has them (more in flight at once, unless --concurrency says)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	fs.Visit(func(f *flag.Flag) { o.concurrencySet = o.concurrencySet || f.Name == "concurrency" })
	if len(pos) != 1 {
		fs.Usage()
		return nil, usageErr("give exactly one plan.json (or a roster with --yes); got %d arguments", len(pos))
	}
	if strings.EqualFold(filepath.Ext(pos[0]), ".json") {
		o.Plan = pos[0]
		if o.Yes {
			return nil, usageErr("--yes plans a roster; %s is already a plan: drop --yes", pos[0])
		}
	} else {
		if !o.Yes {
			return nil, usageErr("%s is a roster: make a plan first (wpimport plan %s --out plan.json) and apply it after sign-off, or pass --yes to plan and apply in one go", pos[0], pos[0])
		}
		if o.OnlyFailed != "" {
			return nil, usageErr("--only-failed works on a plan file, not with --yes")
		}
		if o.Approved != "" {
			return nil, usageErr("--approved names a signed-off plan file; --yes makes a new plan that nobody signed off")
		}
		if o.Reapply {
			return nil, usageErr("--reapply applies a plan file again; --yes makes a new plan, which was never applied")
		}
		o.Roster = pos[0]
		if _, err := o.options(); err != nil {
			return nil, err
		}
	}
	if o.Rate <= 0 || o.Concurrency <= 0 || o.MaxTries <= 0 {
		return nil, usageErr("--rate, --concurrency and --max-tries must be positive")
	}
	if o.Results != "" {
		if err := report.CheckPath(o.Results); err != nil {
			return nil, usageErr("--results %v", err)
		}
	}
	return o, nil
}

// applyFiles are the paths one apply writes, all checked before any call.
type applyFiles struct {
	results, plan, journal, lock string
}

// outputs decides and checks where apply writes. p is the loaded plan
// (nil with --yes): its roster is read again for the results' columns.
func (o *applyOptions) outputs(p *plan.Plan) (applyFiles, error) {
	var f files
	var a applyFiles
	f.reads(o.Plan, o.OnlyFailed)
	if p != nil {
		f.reads(p.Roster.File())
	} else {
		o.reads(&f)
	}
	switch {
	case o.Results != "":
		if err := f.output("--results", o.Results); err != nil {
			return a, err
		}
		a.results = o.Results
	case o.OnlyFailed != "":
		a.results = f.derived(o.OnlyFailed, "retry")
	default:
		base := o.Plan
		if base == "" {
			base = o.Roster
		}
		a.results = f.derived(strings.TrimSuffix(base, filepath.Ext(base))+"-results.xlsx", "results")
	}
	a.plan = o.Plan
	if a.plan == "" {
		a.plan = f.derived(strings.TrimSuffix(a.results, filepath.Ext(a.results))+"-plan.json", "plan")
	}
	// The journal belongs to the plan, not to one results file: reruns and
	// --only-failed find it whatever --results they name, and its lock
	// keeps a second apply of the plan out.
	a.journal = f.derived(strings.TrimSuffix(a.plan, filepath.Ext(a.plan))+".journal", "apply")
	a.lock = f.derived(a.journal+".lock", "apply")
	return a, f.check()
}

func refused(format string, args ...any) error {
	return &exitError{exitRefused, fmt.Errorf(format, args...)}
}

// loadPlan reads a plan file once: its digest, its seal and its ops come
// from the same bytes. It refuses (exit 3) a plan other than the approved
// one, one whose ops say more than the plan allows, one this user's
// wpimport did not make as it is (unless approved), and one too old.
func loadPlan(e *env, o *applyOptions, st *userstate.Store) (*plan.Plan, string, error) {
	p, data, digest, err := plan.ReadFile(o.Plan)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, "", usageErr("%v", err)
		}
		return nil, "", refused("%v", err)
	}
	fmt.Fprintf(e.stderr, "Plan %s, digest %s\n", o.Plan, digest)
	if o.Approved != "" && !strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(o.Approved), "sha256:"), strings.TrimPrefix(digest, "sha256:")) {
		return nil, "", refused("%s is not the plan that was approved: its digest is %s, the approved one %s. Nothing was changed. "+
			"Apply the signed-off file, or have this one signed off", o.Plan, digest, o.Approved)
	}
	if why := p.Check(); why != "" {
		return nil, "", refused("the plan will not be applied: %s. Nothing was changed; make a new plan", why)
	}
	if err := checkSeal(e, o, p, data, st); err != nil {
		return nil, "", err
	}
	if err := checkAge(o, p, time.Now()); err != nil {
		return nil, "", err
	}
	return p, digest, nil
}

func cmdApply(ctx context.Context, e *env, args []string) error {
	o, err := parseApply(e, args)
	if err != nil {
		return err
	}
	st, err := openState(e)
	if err != nil {
		return err
	}
	var p *plan.Plan
	digest := ""
	if o.Plan != "" {
		if p, digest, err = loadPlan(e, o, st); err != nil {
			return err
		}
	}
	out, err := o.outputs(p)
	if err != nil {
		return err
	}
	retry := pace.DefaultRetry
	retry.Tries = o.MaxTries
	if p != nil && p.Target.Dialect != "" && planAPI(p) == o.API {
		// Apply speaks the dialect the plan was made in.
		if o.Dialect != "" && o.Dialect != p.Target.Dialect {
			return refused("the plan was made for the SCIM dialect %s, not %s: apply it with --scim-dialect %s (or without the option), or make a new plan", p.Target.Dialect, o.Dialect, p.Target.Dialect)
		}
		o.Dialect = p.Target.Dialect
	}
	o.bulk = o.Bulk
	tgt, layer, err := o.open(e, o.Rate, retry)
	if err != nil {
		return err
	}
	defer tgt.Close()
	var res *validate.Result
	if p != nil {
		res = rosterFor(ctx, e, p)
	} else {
		if p, res, err = makePlan(ctx, e, &o.planFlags, tgt); err != nil {
			return err
		}
		// The journal belongs to the saved plan file, as with any plan:
		// "apply RESULTS-plan.json" resumes this run. A second --yes
		// re-plans from the current state: a new plan, a new journal.
		if digest, err = p.Save(out.plan, st.Key()); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "%s\n", p.Summary())
		printWarnings(e.stderr, p)
		fmt.Fprintf(e.stderr, "Plan saved to %s (digest %s)\n", out.plan, digest)
		if p.Refused != "" {
			return refused("the plan was refused and will not be applied: %s", p.Refused)
		}
	}
	if planAPI(p) != o.API {
		return refused("the plan was made for the %s API, not %s: apply it with --api %s, or make a new plan", planAPI(p), o.API, planAPI(p))
	}
	if strings.TrimRight(tgt.URL(), "/") != strings.TrimRight(p.APIURL, "/") {
		return refused("the plan was made against %s, not %s: apply it there (--api-url %s) or make a new plan", p.APIURL, tgt.URL(), p.APIURL)
	}
	only, err := onlyFailed(o.OnlyFailed, p)
	if err != nil {
		return err
	}
	if err := claimPlan(e, st, o, p, digest, out.plan, out.journal); err != nil {
		return err
	}
	s, err := session.Open(p, digest, out.lock, out.journal, func(msg string) { fmt.Fprintf(e.stderr, "Note: %s\n", msg) })
	if errors.Is(err, session.ErrBusy) {
		return refused("%v", err)
	}
	if err != nil {
		return err
	}
	defer s.Close()
	if only != nil {
		// --only-failed: the rows the results name, and every people set
		// and group the journal has not finished.
		for i := range p.Changes {
			c := &p.Changes[i]
			st := s.Resumed[c.ID]
			if c.Kind != plan.KindAccount && c.Runs() && (st == nil || st.Done == nil || st.Done.Status.Retryable()) {
				only[c.ID] = true
			}
		}
		if len(only) == 0 {
			fmt.Fprintf(e.stderr, "Nothing to retry: every row of %s went through (none is failed, partial or not attempted), and every people set and group. Nothing was changed.\n", o.OnlyFailed)
			return nil
		}
	}
	kept, _ := execute.Resume(p, s.Resumed, only != nil)
	switch {
	case len(s.Resumed) > 0 && kept == 0:
		fmt.Fprintf(e.stderr, "Resuming from %s: no change it records is finished; those that were in flight are checked first.\n", out.journal)
	case len(s.Resumed) > 0:
		verb := "are"
		if kept == 1 {
			verb = "is"
		}
		fmt.Fprintf(e.stderr, "Resuming from %s: %s already recorded %s not repeated.\n", out.journal, plural(kept, "change", "changes"), verb)
	}
	abort, cancelAbort := context.WithCancel(context.Background())
	defer cancelAbort()
	go secondInterrupt(ctx, abort, cancelAbort, e)
	caps, err := tgt.Capabilities(ctx)
	if err != nil {
		return o.apiFailure(err)
	}
	if o.Bulk {
		if !caps.Bulk {
			fmt.Fprintf(e.stderr, "Note: %s takes no /Bulk requests (its discovery says so, or it has none): one request per change.\n", caps.Service)
		} else {
			if !o.concurrencySet {
				o.Concurrency = min(2*caps.BulkMax, 2000)
			}
			fmt.Fprintf(e.stderr, "Bulk: creates and updates go in /Bulk requests of at most %d operations.\n", caps.BulkMax)
		}
	}
	fmt.Fprintf(e.stderr, "Applying %s to %s at up to %g calls/s, %d at a time…\n", plural(runnable(p, only), "change", "changes"), p.APIURL, o.Rate,
		min(o.Concurrency, max(runnable(p, only), 1)))
	rerun := "wpimport apply " + o.Plan + " --only-failed " + out.results
	again := "wpimport apply " + o.Plan
	if o.OnlyFailed != "" {
		again += " --only-failed " + o.OnlyFailed
	}
	if o.Results != "" {
		again += " --results " + o.Results
	}
	if o.Plan == "" {
		rerun = "wpimport apply " + o.Roster + " --yes"
		again = rerun
	}
	result, runErr := s.Apply(ctx, session.Run{Target: tgt, Layer: layer, Concurrency: o.Concurrency, Rate: o.Rate, Only: only,
		RetryFailed: only != nil, Hooks: progressFor(e, layer), Abort: abort, Results: out.results, Roster: res, PlanPath: out.plan,
		Version: version, Rerun: rerun, Stopped: func(err error) string { return o.apiFailure(err).Error() }})
	if result == nil {
		return runErr
	}
	if runErr != nil && !isStop(runErr) {
		return runErr // the results could not be written: the journal holds every outcome
	}
	code, t := printResults(e, p, result, closing{results: out.results, rerun: rerun, again: again, failure: o.apiFailure}, runErr)
	if e.applied != nil {
		*e.applied = t
	}
	return exitCode(code)
}

// isStop reports an error that stopped a run (the results were written).
func isStop(err error) bool {
	var ue *target.Unreachable
	return target.IsFatal(err) || errors.As(err, &ue) || target.As(err) != nil
}

// runnable counts the changes an apply has to do (of only, if set).
func runnable(p *plan.Plan, only map[int]bool) int {
	n := 0
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Runs() && (only == nil || only[c.ID] || c.Kind != plan.KindAccount) {
			n++
		}
	}
	return n
}

// rosterFor re-reads the plan's roster for the original cells, if it is
// still there and unchanged.
func rosterFor(ctx context.Context, e *env, p *plan.Plan) *validate.Result {
	path := p.Roster.File()
	if path == "" {
		return nil
	}
	sum, err := fileSHA256(path)
	if err != nil || sum != p.Roster.SHA256 {
		fmt.Fprintf(e.stderr, "Note: the roster %s is missing or changed since the plan; the results will lack its original columns.\n", path)
		return nil
	}
	res, err := readRoster(ctx, inputOptions{Roster: path, Sheet: p.Roster.Sheet})
	if err != nil {
		return nil
	}
	return res
}

func onlyFailed(path string, p *plan.Plan) (map[int]bool, error) {
	if path == "" {
		return nil, nil
	}
	rows, err := report.ReadStatuses(path)
	if err != nil {
		return nil, usageErr("--only-failed: %v", err)
	}
	failed := map[string]bool{}
	for _, r := range rows {
		if plan.Status(r.Status).Retryable() {
			failed[fmt.Sprint(r.Row, "\x00", r.Key)] = true
		}
	}
	only := map[int]bool{}
	for _, r := range p.Rows {
		if r.Change > 0 && failed[fmt.Sprint(r.Row, "\x00", r.Key)] {
			only[r.Change] = true
		}
	}
	return only, nil
}

// secondInterrupt cancels calls in flight on a second Ctrl-C.
func secondInterrupt(ctx, abort context.Context, cancel context.CancelFunc, e *env) {
	select {
	case <-ctx.Done():
	case <-abort.Done():
		return
	}
	if abort.Err() != nil { // the run was over: nothing was interrupted
		return
	}
	fmt.Fprintln(e.stderr, "\nInterrupted: finishing the calls in flight and writing the results (Ctrl-C again to abort them).")
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	defer signal.Stop(ch)
	select {
	case <-ch:
		cancel()
	case <-abort.Done():
	}
}

// progressFor picks the renderer: a bar on a terminal, plain lines
// otherwise. It shows the layer's throttled calls and retry reasons.
func progressFor(e *env, layer *pace.Layer) execute.Hooks {
	throttles := func() int { _, n := layer.Pacer.Counts(); return n }
	var h execute.Hooks
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		h = execute.NewBar(f, throttles)
	} else {
		h = execute.NewLines(e.stderr, 5*time.Second, throttles)
	}
	layer.OnRetry = func(err error) { h.Note("retrying: " + retryReason(err)) }
	return h
}

// retryReason is a short reason a call is retried.
func retryReason(err error) string {
	te := target.As(err)
	switch {
	case te == nil:
		return err.Error()
	case te.Kind == target.Throttled:
		return "throttled by the server"
	case te.Status == 0 && te.Err != nil:
		return "no answer (" + te.Err.Error() + ")"
	case te.Status == 0:
		return "no answer"
	}
	return fmt.Sprintf("server error (HTTP %d)", te.Status)
}
