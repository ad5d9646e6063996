package execute_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
)

// JournalPlan names the plan a journal belongs to, without changing it.
func TestJournalPlan(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.journal")
	if _, err := execute.JournalPlan(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no journal: %v", err)
	}
	j, _, err := execute.OpenJournal(path, "sha256:abc")
	if err != nil {
		t.Fatal(err)
	}
	j.Write(execute.Record{Event: "done", Kind: plan.KindAccount, Change: 1, Outcome: &execute.Outcome{Status: plan.Created}})
	j.Close()
	before, _ := os.ReadFile(path)
	if id, err := execute.JournalPlan(path); err != nil || id != "sha256:abc" {
		t.Errorf("JournalPlan = %q, %v", id, err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("JournalPlan changed the journal")
	}
	other := filepath.Join(dir, "other.journal")
	os.WriteFile(other, []byte("not json\n"), 0o600)
	if _, err := execute.JournalPlan(other); err == nil || !strings.Contains(err.Error(), "is not a wpimport journal") {
		t.Errorf("not a journal: %v", err)
	}
	if _, _, err := execute.OpenJournal(other, "sha256:abc"); !errors.Is(err, execute.ErrJournalMismatch) {
		t.Errorf("OpenJournal of a file that is no journal: %v, want a mismatch", err)
	}
}

// ReadJournal reads back, without opening the journal for writing, every
// run and every finished change's whole outcome, keyed by change: the
// results can be rebuilt from the journal alone.
func TestReadJournal(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.journal")
	if _, err := execute.ReadJournal(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no journal: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Error("ReadJournal created the journal")
	}
	w := newWorld(t, graphT, emulator.Config{})
	p := setsPlan(t, w, 4, "Engineers,DEPARTMENT,IS,Engineering\n")
	j, _, err := execute.OpenJournal(path, "sha256:abc")
	if err != nil {
		t.Fatal(err)
	}
	j.StartRun("v1.2.3")
	r, err := w.run(context.Background(), p, execute.Options{Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	j.EndRun(r.Calls, r.Throttles)
	j.Close()
	before, _ := os.ReadFile(path)
	// A crash while writing leaves a torn last line.
	os.WriteFile(path, append(before, []byte(`{"e":"done","k":"acc`)...), 0o600)
	v, err := execute.ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if v.Plan != "sha256:abc" || len(v.Runs) != 1 || v.Runs[0].Version != "v1.2.3" || v.Runs[0].Calls != r.Calls || v.Runs[0].End.IsZero() {
		t.Errorf("view: plan %q, runs %+v", v.Plan, v.Runs)
	}
	if len(v.Done) != 5 || len(v.Intents) != 5 {
		t.Fatalf("%d done, %d intents; want the 4 accounts and the set", len(v.Done), len(v.Intents))
	}
	for id, o := range r.Outcomes {
		got := v.Done[id]
		if got == nil || !got.Resumed {
			t.Fatalf("change %d: %+v not read back", id, got)
		}
		want := *o
		want.Resumed = true
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("change %d read back as\n%+v\nwant\n%+v", id, *got, want)
		}
		if o.Kind == plan.KindAccount && (got.After == nil || got.After.ID != o.ObjectID || got.Version == "") {
			t.Errorf("change %d: After %+v, version %q", id, got.After, got.Version)
		}
	}
	if st := v.States()[firstOf(t, p, plan.KindPeopleSet).ID]; st == nil || !st.Intent || st.Done == nil || st.Done.Kind != plan.KindPeopleSet {
		t.Errorf("the set's state: %+v", st)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before)+`{"e":"done","k":"acc` {
		t.Error("ReadJournal changed the journal")
	}
}
