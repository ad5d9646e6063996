package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/testkit"
)

func statusCounts(t *testing.T, results string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, row := range readResults(t, results).Rows {
		counts[row.Status]++
	}
	return counts
}

// A run stopped by a fatal error leaves its rows for a plain rerun, which
// creates them all: nothing "failed" because the run stopped.
func TestBinaryResumeAfterFatal(t *testing.T) {
	srv, dir, planPath := planned(t, 13)
	results := filepath.Join(dir, "results.json")
	bad := []string{"WPIMPORT_API_URL=" + srv.URL(), "WORKPLACE_ACCESS_TOKEN=expired-token-0123456789"}
	r := runBinary(t, bad, "apply", planPath, "--results", results)
	if r.code != exitFatal || !strings.Contains(r.stderr, "NOT DONE: 13 not attempted") || !strings.Contains(r.stderr, "Once that is fixed, run: wpimport apply") {
		t.Fatalf("bad token: %d\n%s", r.code, r.stderr)
	}
	if c := statusCounts(t, results); c["not_attempted"] != 13 {
		t.Errorf("after the fatal stop: %v", c)
	}
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--results", results)
	if r.code != 0 || statusCounts(t, results)["created"] != 13 || len(srv.Snapshot().Accounts) != 13 {
		t.Errorf("rerun: %d %v\n%s", r.code, statusCounts(t, results), r.stderr)
	}
}

// A row whose phone step failed is "partial"; a plain rerun redoes just
// that step, and --only-failed retries what failed outright.
func TestBinaryPartialStepsRedone(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{Seed: 7})
	dir := t.TempDir()
	planPath := filepath.Join(dir, "plan.json")
	if r := runBinary(t, targetEnv(srv), "plan", writeRoster(t, 20), "--out", planPath); r.code != 0 {
		t.Fatalf("plan: %s", r.stderr)
	}
	results := filepath.Join(dir, "results.json")
	srv.SetFaults(0.4, 0)
	r := runBinary(t, targetEnv(srv), "apply", planPath, "--max-tries", "1", "--results", results)
	srv.SetFaults(0, 0)
	first := statusCounts(t, results)
	if r.code != exitRows || first["partial"] == 0 || !strings.Contains(r.stderr, "partial") {
		t.Fatalf("faulty run: %d %v\n%s", r.code, first, r.stderr)
	}
	calls := srv.Stats().ByRoute["POST /community/accounts"]
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--results", results)
	second := statusCounts(t, results)
	if second["partial"] != 0 || second["not_attempted"] != 0 || second["created"] != 20-first["failed"] {
		t.Errorf("plain rerun: %v after %v\n%s", second, first, r.stderr)
	}
	if got := srv.Stats().ByRoute["POST /community/accounts"]; got-calls > first["not_attempted"]+first["failed"] {
		t.Errorf("the rerun made %d creates for %d rows left to create", got-calls, first["not_attempted"])
	}
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--only-failed", results, "--results", filepath.Join(dir, "retry.json"))
	if first["failed"] > 0 && (r.code != 0 || statusCounts(t, filepath.Join(dir, "retry.json"))["created"] != 20) ||
		first["failed"] == 0 && (r.code != 0 || !strings.Contains(r.stderr, "Nothing to retry")) {
		t.Errorf("--only-failed: %d\n%s", r.code, r.stderr)
	}
	accounts := srv.Snapshot().Accounts
	withPhone := 0
	for _, a := range accounts {
		if len(a.Phones) > 0 {
			withPhone++
		}
	}
	if len(accounts) != 20 || withPhone != 20 {
		t.Errorf("%d accounts, %d with their phone; want 20 and 20", len(accounts), withPhone)
	}
}

// Results describe the plan's whole history: a no-op rerun keeps the first
// run's figures and adds its own.
func TestBinaryResultsKeepHistory(t *testing.T) {
	srv, dir, planPath := planned(t, 10)
	results := filepath.Join(dir, "results.json")
	for i := range 2 {
		if r := runBinary(t, targetEnv(srv), "apply", planPath, "--results", results); r.code != 0 || i == 1 && !strings.Contains(r.stderr, "Nothing left to do") {
			t.Fatalf("apply %d: %d\n%s", i, r.code, r.stderr)
		}
	}
	data, _ := os.ReadFile(results)
	var doc struct {
		Summary struct {
			Facts map[string]string `json:"facts"`
		} `json:"summary"`
	}
	json.Unmarshal(data, &doc)
	f := doc.Summary.Facts
	if !strings.HasPrefix(f["API calls, all runs"], "20 ") || !strings.Contains(f["API calls, all runs"], "in 2 runs") ||
		!strings.HasPrefix(f["plan digest"], "sha256:") || f["plan file"] != planPath || f["wpimport version"] == "" ||
		!strings.Contains(f["runs"], "run 1:") || !strings.Contains(f["runs"], "run 2:") {
		t.Errorf("facts: %v", f)
	}
	if c := statusCounts(t, results); c["created"] != 10 {
		t.Errorf("rerun statuses: %v", c)
	}
}

// Offboarding lists as admins have them: one column under a header, or no
// header at all; the list's own cells stay in the plan workbook.
func TestBinaryOffboardLists(t *testing.T) {
	for name, list := range map[string]string{
		"one column":  "Email\nc@acme.example\nu@acme.example\n",
		"no header":   "c@acme.example\nE2\n",
		"employee id": "Employee ID\nE1\nE2\n",
	} {
		t.Run(name, func(t *testing.T) {
			srv := testkit.Emulator(t, emulator.Config{State: &emulator.State{Accounts: []*emulator.Account{
				{ID: "100000000000001", Name: "Cy", Email: "c@acme.example", ExternalID: "E1", Active: true, Claimed: true},
				{ID: "100000000000002", Name: "Uma", Email: "u@acme.example", ExternalID: "E2", Active: true, Claimed: true},
				{ID: "100000000000003", Name: "Stays", Email: "s@acme.example", ExternalID: "E3", Active: true},
			}}})
			dir := t.TempDir()
			path := filepath.Join(dir, "leavers.csv")
			os.WriteFile(path, []byte(list), 0o600)
			planPath := filepath.Join(dir, "offboard.json")
			r := runBinary(t, targetEnv(srv), "offboard", path, "--max-deactivate", "2", "--out", planPath)
			if r.code != 0 || !strings.Contains(r.stderr, "2 to deactivate") {
				t.Fatalf("offboard: %d\n%s", r.code, r.stderr)
			}
			f, err := excelize.OpenFile(filepath.Join(dir, "offboard.xlsx"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, _ := f.GetRows("Plan")
			last := len(rows[0]) - 1 // the list's own column comes last
			if len(rows) != 3 || rows[1][last] == "" || !strings.Contains(list, rows[1][last]) {
				t.Errorf("plan rows: %v", rows)
			}
		})
	}
}

// A plan made with a relative roster path applies from another folder, and
// its results still carry the roster's own columns.
func TestBinaryApplyFromAnotherFolder(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "roster.csv"), []byte("name,email,external_id,title\nAda,ada@x.example,E1,Countess\n"), 0o600)
	cmd := exec.Command(binary, "plan", "roster.csv", "--out", "plan.json")
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "WPIMPORT_STATE_DIR=" + stateDir(t)}, targetEnv(srv)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	results := filepath.Join(t.TempDir(), "results.csv")
	r := runBinary(t, targetEnv(srv), "apply", filepath.Join(dir, "plan.json"), "--results", results) // from the repository root
	data, _ := os.ReadFile(results)
	if r.code != 0 || strings.Contains(r.stderr, "missing or changed") || !strings.Contains(string(data), "Countess") {
		t.Errorf("apply from another folder: %d\n%s\n%s", r.code, r.stderr, data)
	}
}
