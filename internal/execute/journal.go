package execute

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/wpimport/wpimport/internal/plan"
)

// Record is one line of the journal. Intent and done records name their
// change by kind and ID; a done record holds the change's whole Outcome,
// so that results can be rebuilt from the journal alone.
type Record struct {
	Event  string    `json:"e"`            // start, run, intent, done, end
	Kind   plan.Kind `json:"k,omitempty"`  // intent, done: the change's kind
	Change int       `json:"op,omitempty"` // intent, done: the change's ID
	Plan   string    `json:"plan,omitempty"`
	// Outcome is a done record's outcome.
	Outcome   *Outcome  `json:"outcome,omitempty"`
	Version   string    `json:"version,omitempty"`   // run: the tool's version
	Calls     int       `json:"calls,omitempty"`     // end: API calls of the run
	Throttles int       `json:"throttles,omitempty"` // end: throttled calls of the run
	Time      time.Time `json:"t"`
}

// RunInfo is one apply run of a plan, as the journal recorded it.
type RunInfo struct {
	Start, End       time.Time // End is zero for a run that died
	Version          string
	Calls, Throttles int
}

// OpState is what the journal knows of one change: its intent was
// recorded (a write may have been sent), and its outcome, if it finished.
type OpState struct {
	Intent bool
	Done   *Outcome
}

// JournalView is a journal as read, without opening it for writing.
type JournalView struct {
	Plan string    // the identity of the plan it was written for (its digest)
	Runs []RunInfo // the runs it recorded, oldest first
	// Done are the outcomes of the finished changes, by change ID (the
	// last one recorded), each marked Resumed.
	Done map[int]*Outcome
	// Intents are the changes whose intent was recorded, finished or not.
	Intents map[int]bool
}

// States returns what the journal knows of each change, by change ID.
func (v *JournalView) States() map[int]*OpState {
	out := map[int]*OpState{}
	st := func(id int) *OpState {
		if out[id] == nil {
			out[id] = &OpState{}
		}
		return out[id]
	}
	for id := range v.Intents {
		st(id).Intent = true
	}
	for id, o := range v.Done {
		st(id).Done = o
	}
	return out
}

// ErrJournalMismatch means the journal belongs to another plan.
var ErrJournalMismatch = errors.New("journal belongs to another plan")

// JournalPlan returns the identity of the plan the journal at path was
// written for, from its first record, without changing it. A missing
// journal is an error wrapping os.ErrNotExist.
func JournalPlan(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, _ := bufio.NewReaderSize(f, 64<<10).ReadSlice('\n')
	var r Record
	if json.Unmarshal(line, &r) != nil || r.Event != "start" {
		return "", fmt.Errorf("%s is not a wpimport journal (its first line names no plan)", path)
	}
	return r.Plan, nil
}

// ReadJournal reads the journal at path without creating, changing or
// locking it: for undo, and for tests. A missing journal is an error
// wrapping os.ErrNotExist; a torn last line (a crash while writing) is
// skipped.
func ReadJournal(path string) (*JournalView, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	v := &JournalView{Done: map[int]*Outcome{}, Intents: map[int]bool{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	first := true
	for sc.Scan() {
		var r Record
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue
		}
		if first {
			first = false
			if r.Event != "start" {
				return nil, fmt.Errorf("%s is not a wpimport journal (its first line names no plan)", path)
			}
			v.Plan = r.Plan
			continue
		}
		switch r.Event {
		case "run":
			v.Runs = append(v.Runs, RunInfo{Start: r.Time, Version: r.Version})
		case "end":
			if n := len(v.Runs); n > 0 {
				v.Runs[n-1].End, v.Runs[n-1].Calls, v.Runs[n-1].Throttles = r.Time, r.Calls, r.Throttles
			}
		case "intent":
			v.Intents[r.Change] = true
		case "done":
			if r.Outcome != nil {
				o := *r.Outcome
				o.Change, o.Resumed = r.Change, true
				if o.Kind == "" {
					o.Kind = r.Kind
				}
				v.Done[r.Change] = &o
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read journal %s: %w", path, err)
	}
	if first {
		return nil, fmt.Errorf("%s is not a wpimport journal (it is empty)", path)
	}
	return v, nil
}

// Journal is an append-only, fsynced log of change intents and outcomes.
// Writers wait until their record is on disk; one fsync covers every
// record written meanwhile (group commit).
type Journal struct {
	f      *os.File
	mu     sync.Mutex // guards buf, seq
	buf    []byte
	seq    uint64
	syncMu sync.Mutex // one flusher at a time
	synced uint64
	err    error
	runs   []RunInfo // the runs before this one
}

// Runs returns the earlier runs the journal recorded, oldest first.
func (j *Journal) Runs() []RunInfo { return j.runs }

// StartRun records that a run starts.
func (j *Journal) StartRun(version string) error {
	return j.Write(Record{Event: "run", Version: version})
}

// EndRun records a run's figures.
func (j *Journal) EndRun(calls, throttles int) error {
	return j.Write(Record{Event: "end", Calls: calls, Throttles: throttles})
}

// OpenJournal opens (or creates) the journal at path for the plan with this
// identity and returns what it already holds, by change ID. A journal of
// another plan (or a file that is no journal) is refused with an error
// wrapping ErrJournalMismatch.
func OpenJournal(path, planID string) (*Journal, map[int]*OpState, error) {
	states := map[int]*OpState{}
	var runs []RunInfo
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		v, err := ReadJournal(path)
		switch {
		case err != nil:
			return nil, nil, fmt.Errorf("%s: %w (%v)", path, ErrJournalMismatch, err)
		case v.Plan != planID:
			return nil, nil, fmt.Errorf("%s: %w (it was written for plan %q)", path, ErrJournalMismatch, v.Plan)
		}
		states, runs = v.States(), v.Runs
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open journal: %w", err)
	}
	j := &Journal{f: f, runs: runs}
	if st, _ := f.Stat(); st.Size() == 0 {
		if err := j.Write(Record{Event: "start", Plan: planID}); err != nil {
			f.Close()
			return nil, nil, err
		}
	}
	return j, states, nil
}

// Write appends r and returns once it is on disk.
func (j *Journal) Write(r Record) error {
	if r.Time.IsZero() {
		r.Time = time.Now().UTC()
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	j.mu.Lock()
	j.buf = append(append(j.buf, line...), '\n')
	j.seq++
	mine := j.seq
	j.mu.Unlock()

	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.synced >= mine {
		return j.err
	}
	j.mu.Lock()
	data, upto := j.buf, j.seq
	j.buf = nil
	j.mu.Unlock()
	if _, err := j.f.Write(data); err != nil && j.err == nil {
		j.err = fmt.Errorf("write journal: %w", err)
	}
	if err := j.f.Sync(); err != nil && j.err == nil {
		j.err = fmt.Errorf("sync journal: %w", err)
	}
	j.synced = upto
	return j.err
}

// Close closes the journal file.
func (j *Journal) Close() error { return j.f.Close() }
