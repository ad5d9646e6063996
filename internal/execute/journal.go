package execute

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// Record is one line of the journal.
type Record struct {
	Event     string    `json:"e"` // start, run, intent, done, end
	Op        int       `json:"op,omitempty"`
	Plan      string    `json:"plan,omitempty"` // start: the plan's identity
	Status    string    `json:"status,omitempty"`
	AccountID string    `json:"account_id,omitempty"`
	Attempts  int       `json:"attempts,omitempty"`
	Code      int       `json:"code,omitempty"`
	Message   string    `json:"message,omitempty"`
	Partial   string    `json:"partial,omitempty"`
	Steps     []string  `json:"steps,omitempty"`
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

// Journal is an append-only, fsynced log of op intents and outcomes.
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

// OpState is what the journal knows of one op.
type OpState struct {
	Intent bool
	Done   *Record
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

// OpenJournal opens (or creates) the journal at path for the plan with this
// identity and returns what it already holds.
func OpenJournal(path, planID string) (*Journal, map[int]*OpState, error) {
	states := map[int]*OpState{}
	var runs []RunInfo
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		first := true
		for sc.Scan() {
			var r Record
			if json.Unmarshal(sc.Bytes(), &r) != nil {
				continue // a torn last line after a crash
			}
			if first {
				first = false
				if r.Event != "start" || r.Plan != planID {
					f.Close()
					return nil, nil, fmt.Errorf("%s: %w (it was written for plan %q)", path, ErrJournalMismatch, r.Plan)
				}
				continue
			}
			switch r.Event {
			case "run":
				runs = append(runs, RunInfo{Start: r.Time, Version: r.Version})
				continue
			case "end":
				if n := len(runs); n > 0 {
					runs[n-1].End, runs[n-1].Calls, runs[n-1].Throttles = r.Time, r.Calls, r.Throttles
				}
				continue
			}
			st := states[r.Op]
			if st == nil {
				st = &OpState{}
				states[r.Op] = st
			}
			switch r.Event {
			case "intent":
				st.Intent = true
			case "done":
				rec := r
				st.Done = &rec
			}
		}
		f.Close()
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open journal: %w", err)
	}
	j := &Journal{f: f, runs: runs}
	if st, _ := f.Stat(); st.Size() == 0 {
		if err := j.Write(Record{Event: "start", Plan: planID}); err != nil {
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
	line, _ := json.Marshal(r)
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
