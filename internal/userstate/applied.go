package userstate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/safefile"
)

// Run is one apply of a plan that the record holds: from which plan file,
// with which journal.
type Run struct {
	Plan    string    `json:"plan"`    // absolute path of the plan file
	Journal string    `json:"journal"` // absolute path of its journal
	Started time.Time `json:"started"`
}

// Applied is the record of one plan applied by this user.
type Applied struct {
	Digest string    `json:"digest"`
	First  time.Time `json:"first_applied"`
	// Runs are the applies of the plan, one per journal, oldest first
	// (the first and the latest maxRuns-1 of them).
	Runs []Run `json:"runs"`
}

// maxRuns bounds a record: a plan is normally applied from one folder.
const maxRuns = 20

// maxRecordBytes bounds a record when read.
const maxRecordBytes = 64 << 10

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Has says whether the record holds a run with this journal.
func (a *Applied) Has(journal string) bool {
	for _, r := range a.Runs {
		if r.Journal == journal {
			return true
		}
	}
	return false
}

func (s *Store) appliedPath(digest string) (string, error) {
	if !digestRE.MatchString(digest) {
		return "", fmt.Errorf("not a plan digest: %q", digest)
	}
	return filepath.Join(s.dir, "applied", strings.TrimPrefix(digest, "sha256:")+".json"), nil
}

// Applied returns the record of the plan with this digest, or nil if this
// user never applied it.
func (s *Store) Applied(digest string) (*Applied, error) {
	path, err := s.appliedPath(digest)
	if err != nil {
		return nil, err
	}
	data, err := safefile.ReadFile(path, maxRecordBytes)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the record of applied plans: %w", err)
	}
	var a Applied
	if err := json.Unmarshal(data, &a); err != nil || a.Digest != digest {
		return nil, fmt.Errorf("%s is damaged (not the record of plan %s): remove it, and apply the plan again with --reapply if it is to be applied again", path, digest)
	}
	return &a, nil
}

// Claim records that the plan with this digest is about to be applied
// from plan with journal (absolute paths). If the plan was applied before,
// allow decides, from that record, whether this apply may go ahead: its
// error is returned as it is, and nothing is recorded. The first record of
// a digest is made exclusively, so two applies of copies of one plan
// cannot both take it for new.
func (s *Store) Claim(digest, plan, journal string, now time.Time, allow func(*Applied) error) error {
	path, err := s.appliedPath(digest)
	if err != nil {
		return err
	}
	run := Run{Plan: plan, Journal: journal, Started: now.UTC()}
	for range 2 {
		a, err := s.Applied(digest)
		if err != nil {
			return err
		}
		if a == nil {
			a = &Applied{Digest: digest, First: now.UTC(), Runs: []Run{run}}
			data, _ := json.MarshalIndent(a, "", " ")
			err := writeNew(path, append(data, '\n'))
			if errors.Is(err, os.ErrExist) {
				continue
			}
			if err != nil {
				return fmt.Errorf("record the plan as applied: %w", err)
			}
			return nil
		}
		if err := allow(a); err != nil {
			return err
		}
		if a.Has(journal) {
			return nil
		}
		a.Runs = append(a.Runs, run)
		if len(a.Runs) > maxRuns {
			a.Runs = append(a.Runs[:1], a.Runs[len(a.Runs)-maxRuns+1:]...)
		}
		data, _ := json.MarshalIndent(a, "", " ")
		err = safefile.WriteMode(path, 0o600, func(w io.Writer) error {
			_, err := w.Write(append(data, '\n'))
			return err
		})
		if err != nil {
			return fmt.Errorf("record the plan as applied: %w", err)
		}
		return nil
	}
	return fmt.Errorf("record the plan as applied: %s keeps changing", path)
}
