package execute_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/execute"
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
	j.Write(execute.Record{Event: "done", Op: 1, Status: "created"})
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
}
