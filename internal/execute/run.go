package execute

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/workplace"
)

// Statuses of an op after apply.
const (
	StatusCreated      = "created"
	StatusUpdated      = "updated"
	StatusDeactivated  = "deactivated"
	StatusReactivated  = "reactivated"
	StatusDeleted      = "deleted"
	StatusErased       = "erased"
	StatusFailed       = "failed"
	StatusStale        = "stale"
	StatusNotAttempted = "not_attempted"
	// StatusPartial: the main call went through, a following step (phone,
	// picture, manager after reactivation) failed; a rerun redoes just the
	// failed steps.
	StatusPartial = "partial"
)

var doneStatus = map[plan.Action]string{plan.Create: StatusCreated, plan.Update: StatusUpdated, plan.Deactivate: StatusDeactivated,
	plan.Reactivate: StatusReactivated, plan.Delete: StatusDeleted, plan.Erase: StatusErased}

// Outcome is what happened to one op.
type Outcome struct {
	Op        int    `json:"op"`
	Status    string `json:"status"`
	AccountID string `json:"account_id,omitempty"`
	Attempts  int    `json:"attempts"`
	Calls     int    `json:"calls"`
	Code      int    `json:"code,omitempty"`
	Message   string `json:"message,omitempty"`
	// Partial is set when the main call succeeded but a following step
	// (phone, picture, manager after reactivation) failed.
	Partial string `json:"partial,omitempty"`
	// Steps are the follow-up steps that failed ("manager", "phone:+44…",
	// "picture"): what a rerun redoes.
	Steps   []string `json:"steps,omitempty"`
	Resumed bool     `json:"resumed,omitempty"` // taken from the journal
}

// Hooks receive progress. Calls come from several goroutines.
type Hooks interface {
	Start(total int)
	Phase(name string) // PhaseChecking, PhaseApplying, PhasePeopleSets
	OpDone(o *Outcome)
	Note(msg string) // why the run waits: "retrying: …"
	Finish()
}

// Options tune a run.
type Options struct {
	Concurrency int
	Journal     *Journal
	Resumed     map[int]*OpState // what the journal knew at start
	RetryFailed bool             // re-run ops the journal says failed
	Only        map[int]bool     // run only these ops (nil: all)
	Hooks       Hooks
	// Abort, when done, cancels calls in flight too (a second Ctrl-C).
	Abort context.Context
}

// Result is a run's outcome.
type Result struct {
	Outcomes    map[int]*Outcome
	Sets        map[int]*SetOutcome
	Groups      map[int]*GroupOutcome
	Interrupted bool
	Fatal       error
	Calls       int
	Throttles   int
	Elapsed     time.Duration
}

type runner struct {
	c      Client
	layer  *Layer
	opts   Options
	stop   context.Context // Ctrl-C: start nothing new
	calls  context.Context // calls in flight; cancelled by a fatal error or Abort
	cancel context.CancelFunc
	// halt is done once the run stops for any reason (Ctrl-C, a fatal
	// error, Abort): retry waits end on it.
	halt    context.Context
	mu      sync.Mutex
	out     map[int]*Outcome
	created map[int]string // create op → account id
	rowOf   map[int]int    // op → roster row, for messages
	fatal   error
	calls0  int // pacer counts at start
	thr0    int
	// pictureDir is the roster's folder: picture files are read from it.
	pictureDir string
}

// Run executes p through c, whose calls layer paces (the client must have
// been built with layer.Wrap). ctx is the stop signal: when it is done no
// new op starts, calls in flight finish, and the rest stay not_attempted.
func Run(ctx context.Context, c Client, layer *Layer, p *plan.Plan, opts Options) (*Result, error) {
	if p.Refused != "" {
		return nil, fmt.Errorf("the plan was refused and cannot be applied: %s", p.Refused)
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.Hooks == nil {
		opts.Hooks = nopHooks{}
	}
	start := time.Now()
	callCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	if opts.Abort != nil {
		stopWatch := context.AfterFunc(opts.Abort, cancel)
		defer stopWatch()
	}
	halt, cancelHalt := context.WithCancel(callCtx)
	defer cancelHalt()
	defer context.AfterFunc(ctx, cancelHalt)()
	// Read retries end when the run stops, whatever stops it.
	layer.StopRetries(halt)
	defer layer.StopRetries(ctx)
	calls0, thr0 := layer.Pacer.Counts()
	r := &runner{c: c, layer: layer, opts: opts, calls0: calls0, thr0: thr0, stop: ctx, calls: callCtx, cancel: cancel, halt: halt,
		out: map[int]*Outcome{}, created: map[int]string{}, rowOf: map[int]int{}, pictureDir: p.Roster.Folder()}
	var todo []*plan.Op
	for i := range p.Ops {
		op := &p.Ops[i]
		r.rowOf[op.ID] = op.Row
		if opts.Only != nil && !opts.Only[op.ID] {
			if st := opts.Resumed[op.ID]; st != nil && st.Done != nil { // keep it in the results
				r.out[op.ID] = &Outcome{Op: op.ID, Status: st.Done.Status, AccountID: st.Done.AccountID, Attempts: st.Done.Attempts,
					Code: st.Done.Code, Message: st.Done.Message, Partial: st.Done.Partial, Steps: st.Done.Steps, Resumed: true}
			}
			continue
		}
		todo = append(todo, op)
	}
	opts.Hooks.Start(len(todo))
	defer opts.Hooks.Finish()

	// Ops the journal finished are not repeated.
	var fresh []*plan.Op
	skipStale := map[int]bool{}
	for _, op := range todo {
		st := opts.Resumed[op.ID]
		if st != nil && st.Done != nil && st.Done.Status == StatusPartial {
			fresh = append(fresh, op) // its failed steps are redone
			skipStale[op.ID] = true
			continue
		}
		if st != nil && st.Done != nil && !(opts.RetryFailed && st.Done.Status == StatusFailed) {
			o := &Outcome{Op: op.ID, Status: st.Done.Status, AccountID: st.Done.AccountID, Attempts: st.Done.Attempts,
				Code: st.Done.Code, Message: st.Done.Message, Partial: st.Done.Partial, Steps: st.Done.Steps, Resumed: true}
			r.finish(o, false)
			if o.Status == StatusCreated {
				r.created[op.ID] = o.AccountID
			}
			continue
		}
		if st != nil {
			skipStale[op.ID] = true // we may have changed it ourselves
		}
		fresh = append(fresh, op)
	}
	for _, op := range p.Ops { // creates finished in an earlier run, for manager references
		if st := opts.Resumed[op.ID]; st != nil && st.Done != nil && st.Done.AccountID != "" && op.Action == plan.Create &&
			(st.Done.Status == StatusCreated || st.Done.Status == StatusPartial) {
			r.created[op.ID] = st.Done.AccountID
		}
	}
	opts.Hooks.Phase(PhaseChecking)
	if err := r.markStale(fresh, skipStale); err != nil {
		return r.result(start), err
	}
	pending := fresh[:0]
	for _, op := range fresh {
		if r.outcome(op.ID) == nil { // not marked stale
			pending = append(pending, op)
		}
	}
	opts.Hooks.Phase(PhaseApplying)
	for _, phase := range phases(pending) {
		if r.stopped() {
			break
		}
		r.runPhase(phase)
	}
	// Groups and people sets come after every account op; with Only
	// (--only-failed) too, since the journal keeps the finished ones from
	// being repeated. A stopped run reports them not_attempted.
	var groups map[int]*GroupOutcome
	if len(p.Groups) > 0 {
		opts.Hooks.Phase(PhaseGroups)
		groups = r.runGroups(p.Groups)
	}
	var sets map[int]*SetOutcome
	if len(p.PeopleSets) > 0 {
		opts.Hooks.Phase(PhasePeopleSets)
		sets = r.runSets(p.PeopleSets)
	}
	for _, op := range todo {
		if o := r.outcome(op.ID); o == nil || o.Status == StatusNotAttempted && o.Message == "" {
			r.finish(&Outcome{Op: op.ID, Status: StatusNotAttempted, Message: r.notAttemptedWhy()}, false)
		}
	}
	res := r.result(start)
	res.Sets = sets
	res.Groups = groups
	if res.Fatal != nil {
		return res, res.Fatal
	}
	return res, nil
}

func (r *runner) fatalErr() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fatal
}

func (r *runner) notAttemptedWhy() string {
	if f := r.fatalErr(); f != nil {
		return "not attempted: the run stopped (" + errorText(f) + "); run apply again once that is fixed"
	}
	return "not attempted: the run was interrupted; run the same apply again to resume"
}

func (r *runner) result(start time.Time) *Result {
	calls, thr := r.layer.Pacer.Counts()
	r.mu.Lock()
	defer r.mu.Unlock()
	return &Result{Outcomes: r.out, Interrupted: r.stop.Err() != nil, Fatal: r.fatal, Calls: calls - r.calls0, Throttles: thr - r.thr0, Elapsed: time.Since(start)}
}

func (r *runner) stopped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stop.Err() != nil || r.fatal != nil || r.calls.Err() != nil
}

func (r *runner) outcome(id int) *Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out[id]
}

// finish records an outcome, in the journal too when journal is true. A
// journal that cannot be written stops the run, as for an intent: the op's
// intent is on disk, so the next run checks it before anything else.
func (r *runner) finish(o *Outcome, journal bool) {
	r.mu.Lock()
	r.out[o.Op] = o
	r.mu.Unlock()
	if journal {
		r.journal(Record{Event: "done", Op: o.Op, Status: o.Status, AccountID: o.AccountID, Attempts: o.Attempts, Code: o.Code,
			Message: o.Message, Partial: o.Partial, Steps: o.Steps})
	}
	r.opts.Hooks.OpDone(o)
}

// journal appends rec, if the run has a journal; an error stops the run.
func (r *runner) journal(rec Record) bool {
	if r.opts.Journal == nil {
		return true
	}
	if err := r.opts.Journal.Write(rec); err != nil {
		r.setFatal(err)
		return false
	}
	return true
}

func (r *runner) setFatal(err error) {
	r.mu.Lock()
	if r.fatal == nil {
		r.fatal = err
	}
	r.mu.Unlock()
	r.cancel()
}

// phases orders ops: creates by level, then updates and reactivations,
// then deactivations, deletions and erasures.
func phases(ops []*plan.Op) [][]*plan.Op {
	rank := func(op *plan.Op) int {
		switch op.Action {
		case plan.Create:
			return op.Level
		case plan.Update, plan.Reactivate:
			return 1 << 20
		case plan.Deactivate:
			return 1<<20 + 1
		case plan.Delete:
			return 1<<20 + 2
		default:
			return 1<<20 + 3
		}
	}
	sorted := append([]*plan.Op(nil), ops...)
	sort.SliceStable(sorted, func(i, j int) bool { return rank(sorted[i]) < rank(sorted[j]) })
	var out [][]*plan.Op
	for i := 0; i < len(sorted); {
		j := i
		for j < len(sorted) && rank(sorted[j]) == rank(sorted[i]) {
			j++
		}
		out = append(out, sorted[i:j])
		i = j
	}
	return out
}

// runPhase runs ops on Concurrency workers. The producer hands out work
// only while neither stop nor the calls context is done.
func (r *runner) runPhase(ops []*plan.Op) {
	var g errgroup.Group
	sem := make(chan struct{}, r.opts.Concurrency)
produce:
	for _, op := range ops {
		select {
		case sem <- struct{}{}:
		case <-r.stop.Done():
			break produce
		case <-r.calls.Done():
			break produce
		}
		if r.stopped() {
			<-sem
			break
		}
		g.Go(func() error {
			defer func() { <-sem }()
			r.runOp(op)
			return nil
		})
	}
	g.Wait()
}

// markStale re-reads the targets of ops that have one and marks those
// whose account changed since planning.
func (r *runner) markStale(ops []*plan.Op, skip map[int]bool) error {
	var targets []plan.Op
	for _, op := range ops {
		if op.AccountID != "" && !skip[op.ID] {
			targets = append(targets, *op)
		}
	}
	if len(targets) == 0 {
		return nil
	}
	stale, err := plan.Stale(r.calls, r.c, targets, nil)
	if err != nil {
		if isFatal(err) {
			r.setFatal(err)
			return err
		}
		// Without the re-read these ops cannot be trusted: leave them for
		// the next run; creates need no re-read and go ahead.
		for _, op := range targets {
			r.finish(&Outcome{Op: op.ID, Status: StatusNotAttempted, AccountID: op.AccountID,
				Message: "not attempted: its account could not be re-read (" + errorText(err) + "); run apply again"}, false)
		}
		return nil
	}
	for _, op := range targets {
		if why := stale[op.ID]; why != "" {
			r.finish(&Outcome{Op: op.ID, Status: StatusStale, AccountID: op.AccountID,
				Message: why + ": skipped; make a new plan to include it"}, true)
		}
	}
	return nil
}

// do makes one call (paced by the client's layer) and retries it on
// transient errors: for writes that are safe to repeat, and for reads the
// layer gave up on. It counts calls into o. A retry the run's stop cuts
// short returns an error that is errCutOff too: the call did not fail, the
// run stopped.
func (r *runner) do(o *Outcome, fn func(ctx context.Context) error) error {
	var t tries
	for {
		o.Calls++
		err := fn(r.calls)
		if err == nil {
			return nil
		}
		if isFatal(err) {
			r.setFatal(err)
			return err
		}
		if errors.Is(err, context.Canceled) || !workplace.IsTransient(err) || !t.again(r.layer.Retry, err) {
			return err
		}
		if r.halt.Err() != nil || r.layer.Retry.Sleep(r.halt, r.layer.sleepFor(t.n(), err)) != nil {
			return &cutOffError{err}
		}
	}
}

type nopHooks struct{}

func (nopHooks) Start(int)       {}
func (nopHooks) Phase(string)    {}
func (nopHooks) OpDone(*Outcome) {}
func (nopHooks) Note(string)     {}
func (nopHooks) Finish()         {}
