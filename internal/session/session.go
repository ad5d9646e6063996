// Package session is one apply of one plan, as apply and undo both run
// it: the plan's lock (one apply at a time), its journal (what earlier
// runs did, so a rerun resumes), the run itself through a target, and the
// results written from it.
//
// The command decides everything before (which plan, whether it may run,
// which target) and says everything after (the closing lines, the exit
// code); the session holds what lies between, so that both commands do it
// the same way.
package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/report"
	"github.com/wpimport/wpimport/internal/safefile"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/validate"
)

// ErrBusy is another apply of the same plan running now.
var ErrBusy = errors.New("another apply of this plan is running")

// Session holds one plan's lock and journal while it is applied.
type Session struct {
	Plan    *plan.Plan
	Digest  string
	Journal *execute.Journal
	// Resumed is what the journal held when opened, by change ID.
	Resumed     map[int]*execute.OpState
	JournalPath string
	lock        *safefile.Lock
}

// Open takes the plan's lock and opens its journal for the plan with this
// digest. A journal of another plan (last quarter's, under the same name)
// is moved aside, and note hears where it went. A lock held by a running
// apply gives ErrBusy.
func Open(p *plan.Plan, digest, lockPath, journalPath string, note func(string)) (*Session, error) {
	lock, err := safefile.TryLock(lockPath)
	if errors.Is(err, safefile.ErrLocked) {
		return nil, fmt.Errorf("%w (%v); wait for it to finish. If no wpimport is running, the lock is taken over on the next try", ErrBusy, err)
	}
	if err != nil {
		return nil, err
	}
	j, resumed, err := execute.OpenJournal(journalPath, digest)
	if errors.Is(err, execute.ErrJournalMismatch) {
		// A journal of an earlier plan: keep it aside. This plan was made
		// from the current state, so nothing the old run did is repeated.
		old := journalPath + "." + time.Now().Format("20060102-150405")
		if rerr := os.Rename(journalPath, old); rerr != nil {
			lock.Unlock()
			return nil, fmt.Errorf("%v; moving it aside failed: %v", err, rerr)
		}
		if note != nil {
			note(fmt.Sprintf("%s belonged to another plan; kept as %s.", journalPath, old))
		}
		j, resumed, err = execute.OpenJournal(journalPath, digest)
	}
	if err != nil {
		lock.Unlock()
		return nil, err
	}
	return &Session{Plan: p, Digest: digest, Journal: j, Resumed: resumed, JournalPath: journalPath, lock: lock}, nil
}

// Close closes the journal and releases the lock.
func (s *Session) Close() {
	s.Journal.Close()
	s.lock.Unlock()
}

// Run is how to apply the plan and where to write its results.
type Run struct {
	Target      target.Target
	Layer       *pace.Layer
	Concurrency int
	Rate        float64 // as asked, for the results' facts
	Only        map[int]bool
	RetryFailed bool
	Hooks       execute.Hooks
	Abort       context.Context // cancels calls in flight (a second Ctrl-C)

	Results  string           // the results file (.xlsx, .csv or .json)
	Roster   *validate.Result // for the results' original columns; may be nil
	PlanPath string
	Version  string // wpimport's
	// Rerun is the command that retries what did not go through.
	Rerun string
	// Stopped describes a stop for the results, as the admin is told it.
	Stopped func(error) string
}

// Apply runs the plan and writes its results. It returns the run's result
// and the error that stopped it (a fatal one: the token, a permission, the
// service unreachable); the results are written either way.
func (s *Session) Apply(ctx context.Context, r Run) (*execute.Result, error) {
	started := time.Now()
	if err := s.Journal.StartRun(r.Version); err != nil {
		return nil, err
	}
	earlier := s.Journal.Runs()
	result, runErr := execute.Run(ctx, r.Target, r.Layer, s.Plan, execute.Options{Concurrency: r.Concurrency, Journal: s.Journal,
		Resumed: s.Resumed, RetryFailed: r.RetryFailed, Only: r.Only, Hooks: r.Hooks, Abort: r.Abort})
	if result == nil {
		return nil, runErr
	}
	if err := s.Journal.EndRun(result.Calls, result.Throttles); err != nil && runErr == nil {
		runErr = err
	}
	run := report.Run{Plan: s.Plan, Roster: r.Roster, Result: result, Rate: r.Rate, Concurrency: r.Concurrency, Rerun: r.Rerun,
		PlanPath: r.PlanPath, Digest: s.Digest, Version: r.Version, Earlier: earlier, Started: started}
	if runErr != nil && r.Stopped != nil {
		run.Stopped = r.Stopped(runErr)
	}
	if err := report.Write(r.Results, report.FromResults(run)); err != nil {
		return result, fmt.Errorf("write results: %w (the journal %s still holds every outcome)", err, s.JournalPath)
	}
	return result, runErr
}
