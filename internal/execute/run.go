package execute

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/target"
)

type runner struct {
	t     target.Target
	layer *pace.Layer
	p     *plan.Plan
	caps  *target.Capabilities
	opts  Options
	stop  context.Context // Ctrl-C: start nothing new
	// calls is the context of every call; a fatal error or Abort cancels
	// it.
	calls  context.Context
	cancel context.CancelFunc
	// halt is done once the run stops for any reason (Ctrl-C, a fatal
	// error, Abort): retry waits end on it.
	halt    context.Context
	mu      sync.Mutex
	out     map[int]*Outcome
	created map[int]string // create change ID → account id
	fatal   error
	calls0  int // pacer counts at start
	thr0    int
	// pictureDir is the roster's folder: picture files are read from it.
	pictureDir string
}

// Run applies the plan's changes through t, whose every call goes through
// layer (t opened with layer.Wrap: pace.Open). ctx is the stop signal:
// when it is done no new change starts, calls in flight finish, and the
// rest stay not_attempted. The error is the one that stopped the run
// (Result.Fatal), if any; a change that failed is an outcome, not an
// error.
func Run(ctx context.Context, t target.Target, layer *pace.Layer, p *plan.Plan, opts Options) (*Result, error) {
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
		defer context.AfterFunc(opts.Abort, cancel)()
	}
	halt, cancelHalt := context.WithCancel(callCtx)
	defer cancelHalt()
	defer context.AfterFunc(ctx, cancelHalt)()
	// Retries end when the run stops, whatever stops it.
	layer.StopRetries(halt)
	defer layer.StopRetries(ctx)
	calls0, thr0 := layer.Pacer.Counts()
	r := &runner{t: t, layer: layer, p: p, opts: opts, stop: ctx, calls: callCtx, cancel: cancel, halt: halt,
		calls0: calls0, thr0: thr0, out: map[int]*Outcome{}, created: map[int]string{}, pictureDir: p.Roster.Folder()}
	if caps, err := t.Capabilities(callCtx); err != nil {
		r.setFatal(fmt.Errorf("read what %s can do: %w", t.URL(), err))
	} else {
		r.caps = caps
	}
	todo := r.given()
	opts.Hooks.Start(len(todo))
	defer opts.Hooks.Finish()
	r.apply(todo)
	res := r.result(start)
	return res, res.Fatal
}

// apply runs the changes: those the journal finished are kept, the
// accounts are re-read, then account changes run phase by phase, then
// groups, then people sets. Whatever the run's stop left is not_attempted.
func (r *runner) apply(todo []*plan.Change) {
	fresh, recheck := r.resume(todo)
	r.opts.Hooks.Phase(PhaseChecking)
	r.markStale(fresh, recheck)
	var accounts, groups, sets []*plan.Change
	for _, c := range fresh {
		if r.outcome(c.ID) != nil { // stale, or not re-read
			continue
		}
		switch c.Kind {
		case plan.KindGroup:
			groups = append(groups, c)
		case plan.KindPeopleSet:
			sets = append(sets, c)
		default:
			accounts = append(accounts, c)
		}
	}
	r.opts.Hooks.Phase(PhaseApplying)
	for _, phase := range phases(accounts) {
		if r.stopped() {
			break
		}
		r.runPhase(phase)
	}
	// Groups and people sets come after every account change: their
	// members and MANAGER values may be accounts made in this run.
	if len(groups) > 0 {
		r.opts.Hooks.Phase(PhaseGroups)
		r.oneByOne(groups, r.runGroup)
	}
	if len(sets) > 0 {
		r.opts.Hooks.Phase(PhasePeopleSets)
		r.oneByOne(sets, r.runSet)
	}
	for _, c := range todo {
		if r.outcome(c.ID) == nil {
			r.finish(&Outcome{Change: c.ID, Kind: c.Kind, Status: plan.NotAttempted, ObjectID: objectID(c), Message: r.notAttemptedWhy()}, false)
		}
	}
}

// given returns the changes this run is given (Options.Only); those
// outside it that the journal finished keep their outcome in the result.
// Creates finished in an earlier run give their accounts' ids to the
// managers, members and set values that need them.
func (r *runner) given() []*plan.Change {
	var todo []*plan.Change
	for i := range r.p.Changes {
		c := &r.p.Changes[i]
		done := r.journaled(c.ID)
		if done != nil && c.Kind == plan.KindAccount && c.Action == plan.Create && done.ObjectID != "" &&
			(done.Status == plan.Created || done.Status == plan.Partial) {
			r.created[c.ID] = done.ObjectID
		}
		if r.opts.Only != nil && !r.opts.Only[c.ID] {
			if done != nil {
				r.record(done)
			}
			continue
		}
		todo = append(todo, c)
	}
	return todo
}

// journaled is the outcome the journal recorded for change id, or nil.
func (r *runner) journaled(id int) *Outcome {
	if st := r.opts.Resumed[id]; st != nil && st.Done != nil {
		o := *st.Done
		o.Change, o.Resumed = id, true
		return &o
	}
	return nil
}

func (r *runner) fatalErr() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fatal
}

func (r *runner) setFatal(err error) {
	r.mu.Lock()
	if r.fatal == nil {
		r.fatal = err
	}
	r.mu.Unlock()
	r.cancel()
}

// fatalOr is the error that stopped the run, else err.
func (r *runner) fatalOr(err error) error {
	if f := r.fatalErr(); f != nil {
		return f
	}
	return err
}

func (r *runner) stopped() bool {
	return r.stop.Err() != nil || r.calls.Err() != nil || r.fatalErr() != nil
}

func (r *runner) result(start time.Time) *Result {
	calls, thr := r.layer.Pacer.Counts()
	r.mu.Lock()
	defer r.mu.Unlock()
	return &Result{Outcomes: r.out, Interrupted: r.stop.Err() != nil, Fatal: r.fatal, Calls: calls - r.calls0,
		Throttles: thr - r.thr0, Elapsed: time.Since(start)}
}

func (r *runner) outcome(id int) *Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out[id]
}

// record files an outcome without telling anyone.
func (r *runner) record(o *Outcome) {
	r.mu.Lock()
	r.out[o.Change] = o
	r.mu.Unlock()
}

// finish records an outcome, in the journal too when journal is true, and
// tells the hooks. A journal that cannot be written stops the run, as for
// an intent: the change's intent is on disk, so the next run checks it
// before anything else. A create's account id is noted for the changes
// that need it.
func (r *runner) finish(o *Outcome, journal bool) {
	r.record(o)
	if o.Kind == plan.KindAccount && o.ObjectID != "" && (o.Status == plan.Created || o.Status == plan.Partial) {
		if c := r.p.Change(o.Change); c != nil && c.Action == plan.Create {
			r.mu.Lock()
			r.created[c.ID] = o.ObjectID
			r.mu.Unlock()
		}
	}
	if journal {
		r.journal(Record{Event: "done", Kind: o.Kind, Change: o.Change, Outcome: o})
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

// intent journals that a change is about to write.
func (r *runner) intent(c *plan.Change) bool {
	return r.journal(Record{Event: "intent", Kind: c.Kind, Change: c.ID})
}

// phases orders account changes: creates by level (managers first), then
// updates and reactivations, then deactivations, then deletions and
// erasures.
func phases(changes []*plan.Change) [][]*plan.Change {
	rank := func(c *plan.Change) int {
		switch c.Action {
		case plan.Create:
			return c.Level
		case plan.Update, plan.Reactivate:
			return 1 << 20
		case plan.Deactivate:
			return 1<<20 + 1
		default:
			return 1<<20 + 2
		}
	}
	sorted := append([]*plan.Change(nil), changes...)
	sort.SliceStable(sorted, func(i, j int) bool { return rank(sorted[i]) < rank(sorted[j]) })
	var out [][]*plan.Change
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

// runPhase runs account changes on Concurrency workers. The producer hands
// out work only while neither stop nor the calls context is done.
func (r *runner) runPhase(changes []*plan.Change) {
	var g errgroup.Group
	sem := make(chan struct{}, r.opts.Concurrency)
produce:
	for _, c := range changes {
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
			r.runAccount(c)
			return nil
		})
	}
	g.Wait()
}

// oneByOne runs group or people set changes one at a time; once the run
// has stopped, the rest are not_attempted.
func (r *runner) oneByOne(changes []*plan.Change, run func(*plan.Change)) {
	for _, c := range changes {
		if r.stopped() {
			r.finish(&Outcome{Change: c.ID, Kind: c.Kind, Status: plan.NotAttempted, ObjectID: objectID(c), Message: r.notAttemptedWhy()}, false)
			continue
		}
		run(c)
	}
}

// objectID is the id of the object a change is to, where the plan knows it.
func objectID(c *plan.Change) string {
	switch {
	case c.Group != nil:
		return c.Group.GroupID
	case c.Set != nil:
		return c.Set.SetID
	}
	return c.AccountID
}

// counted is one change's work: its outcome, and the calls made for it
// (pace.WithCounter): the main write's tries, and every other call.
type counted struct {
	o          *Outcome
	main, rest pace.Counter
	mainCtx    context.Context
	ctx        context.Context
}

func (r *runner) start(c *plan.Change) *counted {
	w := &counted{o: &Outcome{Change: c.ID, Kind: c.Kind, ObjectID: objectID(c)}}
	w.mainCtx = pace.WithCounter(r.calls, &w.main)
	w.ctx = pace.WithCounter(r.calls, &w.rest)
	return w
}

// outcome is the change's outcome with its calls counted.
func (w *counted) outcome() *Outcome {
	w.o.Attempts += w.main.N()
	w.o.Calls = w.main.N() + w.rest.N()
	return w.o
}

type nopHooks struct{}

func (nopHooks) Start(int)       {}
func (nopHooks) Phase(string)    {}
func (nopHooks) OpDone(*Outcome) {}
func (nopHooks) Note(string)     {}
func (nopHooks) Finish()         {}
