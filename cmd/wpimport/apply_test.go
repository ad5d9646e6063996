package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/rostergen"
	"github.com/wpimport/wpimport/internal/testkit"
)

func targetEnv(srv *emulator.Server) []string {
	return []string{"WPIMPORT_API_URL=" + srv.URL(), "WORKPLACE_ACCESS_TOKEN=" + srv.Token()}
}

func writeRoster(t *testing.T, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "roster.csv")
	f, _ := os.Create(p)
	rostergen.WriteCSV(f, n)
	f.Close()
	return p
}

type resultsFile struct {
	Rows []struct {
		Row       int    `json:"row"`
		Status    string `json:"status"`
		AccountID string `json:"account_id"`
	} `json:"rows"`
}

func readResults(t *testing.T, path string) resultsFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r resultsFile
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBinaryPlanApply(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	dir := t.TempDir()
	roster := writeRoster(t, 50)
	planPath := filepath.Join(dir, "plan.json")
	r := runBinary(t, targetEnv(srv), "plan", roster, "--out", planPath)
	if r.code != 0 || !strings.Contains(r.stderr, "Plan: 50 to create, 0 to update") || r.stdout != "" {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "plan.xlsx")); err != nil {
		t.Errorf("no plan.xlsx: %v", err)
	}
	results := filepath.Join(dir, "results.json")
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--rate", "500", "--results", results)
	if r.code != 0 || !strings.Contains(r.stderr, "50 created") || r.stdout != "" {
		t.Fatalf("apply: %d\n%s", r.code, r.stderr)
	}
	res := readResults(t, results)
	if len(res.Rows) != 50 || res.Rows[0].Status != "created" || res.Rows[0].AccountID == "" {
		t.Errorf("results: %+v", res.Rows[:1])
	}
	// Applying the same plan to another target is refused.
	other := testkit.Emulator(t, emulator.Config{})
	r = runBinary(t, targetEnv(other), "apply", planPath, "--results", filepath.Join(dir, "x.json"))
	if r.code != exitRefused || !strings.Contains(r.stderr, "the plan was made against") {
		t.Errorf("other target: %d\n%s", r.code, r.stderr)
	}
	// A roster without --yes is refused with advice.
	r = runBinary(t, targetEnv(srv), "apply", roster)
	if r.code != exitUsage || !strings.Contains(r.stderr, "make a plan first") {
		t.Errorf("apply roster without --yes: %d\n%s", r.code, r.stderr)
	}
}

func TestBinaryGuardRefuses(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	roster := writeRoster(t, 40)
	dir := t.TempDir()
	r := runBinary(t, targetEnv(srv), "apply", roster, "--yes", "--rate", "1000", "--results", filepath.Join(dir, "first.json"))
	if r.code != 0 {
		t.Fatalf("first load: %d\n%s", r.code, r.stderr)
	}
	// Next quarter's file lost half the people: --sync would deactivate 20 of 40.
	half := writeRoster(t, 20)
	srv.ResetStats()
	r = runBinary(t, targetEnv(srv), "plan", half, "--sync", "--out", filepath.Join(dir, "plan.json"))
	if r.code != exitRefused || !strings.Contains(r.stderr, "deactivates 20 accounts, over the limit of 2") {
		t.Fatalf("guard: %d\n%s", r.code, r.stderr)
	}
	if st := srv.Stats(); st.ByRoute["POST /{id}"] > 0 {
		t.Errorf("write calls after a refused plan: %v", st.ByRoute)
	}
	r = runBinary(t, targetEnv(srv), "apply", filepath.Join(dir, "plan.json"))
	if r.code != exitRefused || !strings.Contains(r.stderr, "refused") {
		t.Errorf("apply of a refused plan: %d\n%s", r.code, r.stderr)
	}
}

func TestBinaryBadToken(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	env := []string{"WPIMPORT_API_URL=" + srv.URL(), "WORKPLACE_ACCESS_TOKEN=not-the-token"}
	r := runBinary(t, env, "plan", writeRoster(t, 5), "--out", filepath.Join(t.TempDir(), "p.json"))
	if r.code != exitFatal || strings.Contains(r.stderr, "not-the-token") || !strings.Contains(r.stderr, "190") {
		t.Errorf("bad token: %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, []string{"WPIMPORT_API_URL=" + srv.URL()}, "plan", writeRoster(t, 5), "--out", filepath.Join(t.TempDir(), "p.json"))
	if r.code != exitUsage || !strings.Contains(r.stderr, "WORKPLACE_ACCESS_TOKEN") {
		t.Errorf("no token: %d\n%s", r.code, r.stderr)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte(srv.Token()+"\n"), 0o600)
	r = runBinary(t, []string{"WPIMPORT_API_URL=" + srv.URL()}, "plan", writeRoster(t, 5), "--token-file", tokenFile, "--out", filepath.Join(t.TempDir(), "p.json"))
	if r.code != 0 || strings.Contains(r.stderr, "Warning: the token file") {
		t.Errorf("--token-file: %d\n%s", r.code, r.stderr)
	}
	os.Chmod(tokenFile, 0o644)
	r = runBinary(t, []string{"WPIMPORT_API_URL=" + srv.URL()}, "plan", writeRoster(t, 5), "--token-file", tokenFile, "--out", filepath.Join(t.TempDir(), "p.json"))
	if !strings.Contains(r.stderr, "can be read by other users") || strings.Contains(r.stderr, srv.Token()) {
		t.Errorf("world-readable token file:\n%s", r.stderr)
	}
}

// Kill the apply process outright, run it again: every row ends created,
// none twice.
func TestBinaryKillAndResume(t *testing.T) {
	srv, dir, planPath := planned(t, 300)
	results := filepath.Join(dir, "results.json")
	cmd, _ := startApply(t, srv, results, 60, planPath, "--rate", "200", "--concurrency", "8")
	cmd.Process.Kill() // SIGKILL: no cleanup, calls cut off mid-flight
	cmd.Wait()
	if _, err := os.Stat(results); err == nil {
		t.Fatal("the killed run wrote results: it was not killed mid-run")
	}
	before := len(srv.Snapshot().Accounts)
	if before == 0 || before == 300 {
		t.Fatalf("%d accounts after the kill: kill came too early or too late", before)
	}
	r := runBinary(t, targetEnv(srv), "apply", planPath, "--rate", "500", "--results", results)
	if r.code != 0 || !strings.Contains(r.stderr, "Resuming from") {
		t.Fatalf("resume: %d\n%s", r.code, r.stderr)
	}
	seen := map[string]bool{}
	for _, a := range srv.Snapshot().Accounts {
		if seen[a.ExternalID] {
			t.Fatalf("%s created twice", a.ExternalID)
		}
		seen[a.ExternalID] = true
	}
	res := readResults(t, results)
	created := 0
	for _, row := range res.Rows {
		if row.Status == "created" {
			created++
		}
	}
	if len(seen) != 300 || len(res.Rows) != 300 || created != 300 {
		t.Errorf("%d accounts, %d rows, %d created (killed with %d accounts made)", len(seen), len(res.Rows), created, before)
	}
	t.Logf("killed after %d creates; resumed to 300 with no duplicate\n%s", before, r.stderr)
}

func TestBinaryOnlyFailed(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	dir := t.TempDir()
	planPath := filepath.Join(dir, "plan.json")
	roster := filepath.Join(dir, "roster.csv")
	os.WriteFile(roster, []byte("name,email,external_id,work_locale\nAna,ana@acme.example,E1,en_US\nBo,bo@acme.example,E2,en_US\n"), 0o600)
	if r := runBinary(t, targetEnv(srv), "plan", roster, "--out", planPath); r.code != 0 {
		t.Fatalf("plan: %s", r.stderr)
	}
	// Bo's email gets taken between plan and apply: its create goes stale;
	// Ana is created. Then --only-failed has nothing failed to retry.
	c := runBinary(t, targetEnv(srv), "apply", planPath, "--results", filepath.Join(dir, "r.csv"))
	if c.code != 0 {
		t.Fatalf("apply: %d %s", c.code, c.stderr)
	}
	r := runBinary(t, targetEnv(srv), "apply", planPath, "--only-failed", filepath.Join(dir, "r.csv"))
	if r.code != exitOK || !strings.Contains(r.stderr, "Nothing to retry") {
		t.Errorf("--only-failed with nothing failed: %d\n%s", r.code, r.stderr)
	}
}

func TestBinaryDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := runBinary(t, nil, "demo", "--fast", "--dir", dir)
	if r.code != 0 || strings.TrimSpace(r.stdout) != dir {
		t.Fatalf("demo: %d stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	for _, f := range []string{"validation.xlsx", "plan.json", "plan.xlsx", "results.xlsx"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("demo did not write %s", f)
		}
	}
	for _, s := range []string{"10 created, 1 updated, 1 reactivated, 1 deactivated, 1 unchanged; NOT DONE: 9 skipped (", "Open the workbooks in",
		" (it leaves out 9 invalid rows: fix them and plan again to include them)\n", "People sets: 4 created, 1 deleted.",
		"every row has a status, and no account or people set was made twice."} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("demo output lacks %q:\n%s", s, r.stderr)
		}
	}
}

func TestBinaryOffboard(t *testing.T) {
	deactivated := time.Now().Add(-10 * 24 * time.Hour)
	srv := testkit.Emulator(t, emulator.Config{State: &emulator.State{Accounts: []*emulator.Account{
		{ID: "100000000000001", Name: "Claimed", Email: "c@acme.example", ExternalID: "E1", Active: true, Claimed: true},
		{ID: "100000000000002", Name: "Unclaimed", Email: "u@acme.example", ExternalID: "E2", Active: true},
		{ID: "100000000000003", Name: "Gone", Email: "g@acme.example", ExternalID: "E3", Active: false, Claimed: true, DeactivateAt: deactivated},
		{ID: "100000000000004", Name: "Stays", Email: "s@acme.example", ExternalID: "E4", Active: true, Claimed: true},
	}}})
	dir := t.TempDir()
	list := filepath.Join(dir, "leavers.csv")
	os.WriteFile(list, []byte("Employee ID,Email\nE1,\nE2,\n,g@acme.example\n"), 0o600)
	planPath := filepath.Join(dir, "offboard.json")
	r := runBinary(t, targetEnv(srv), "offboard", list, "--delete-unclaimed", "--erase", "--max-deactivate", "2", "--out", planPath)
	for _, s := range []string{"1 to deactivate", "1 to delete", "1 to erase", "IRREVERSIBLE", "[offboard.claimed]", "[offboard.erase_later]"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("offboard output lacks %q:\n%s", s, r.stderr)
		}
	}
	if r.code != 0 {
		t.Fatalf("offboard: %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--results", filepath.Join(dir, "r.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "1 deactivated") {
		t.Fatalf("apply: %d\n%s", r.code, r.stderr)
	}
	left := activeByEmail(srv)
	if active, ok := left["c@acme.example"]; !ok || active {
		t.Error("the claimed account is not deactivated")
	}
	if _, ok := left["u@acme.example"]; ok {
		t.Error("the unclaimed account is not deleted")
	}
	if _, ok := left["g@acme.example"]; ok {
		t.Error("the erased account kept its email")
	}
	if !left["s@acme.example"] {
		t.Error("an unlisted account was touched")
	}
}

// Ctrl-C: calls in flight finish, the results are written with the rest
// not_attempted, exit 130; the same command then finishes the job.
func TestBinaryInterrupt(t *testing.T) {
	srv, dir, planPath := planned(t, 300)
	results := filepath.Join(dir, "results.json")
	cmd, stderr := startApply(t, srv, results, 30, planPath, "--rate", "100", "--concurrency", "8")
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit = %v, want 130\n%s", err, stderr.String())
	}
	res := readResults(t, results)
	counts := map[string]int{}
	for _, row := range res.Rows {
		counts[row.Status]++
	}
	if len(res.Rows) != 300 || counts["not_attempted"] == 0 || counts["created"] == 0 || counts["created"]+counts["not_attempted"] != 300 {
		t.Fatalf("interrupted results: %v\n%s", counts, stderr.String())
	}
	if !strings.Contains(stderr.String(), "Run the same command again") {
		t.Errorf("no advice after the interrupt:\n%s", stderr.String())
	}
	r := runBinary(t, targetEnv(srv), "apply", planPath, "--rate", "1000", "--results", results)
	if r.code != 0 || len(srv.Snapshot().Accounts) != 300 {
		t.Fatalf("resume: %d, %d accounts\n%s", r.code, len(srv.Snapshot().Accounts), r.stderr)
	}
}

// planned starts an emulator with 20 ms latency and plans n people on it.
func planned(t *testing.T, n int) (srv *emulator.Server, dir, planPath string) {
	t.Helper()
	srv = testkit.Emulator(t, emulator.Config{Latency: 20 * time.Millisecond})
	dir = t.TempDir()
	planPath = filepath.Join(dir, "plan.json")
	if r := runBinary(t, targetEnv(srv), "plan", writeRoster(t, n), "--out", planPath); r.code != 0 {
		t.Fatalf("plan: %s", r.stderr)
	}
	return srv, dir, planPath
}

// startApply starts "wpimport apply ARGS --results results" in the
// background and returns once its journal records done outcomes (or after
// 20 s).
func startApply(t *testing.T, srv *emulator.Server, results string, done int, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, append(append([]string{"apply"}, args...), "--results", results)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "WPIMPORT_STATE_DIR=" + stateDir(t)}, targetEnv(srv)...)
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	journal := strings.TrimSuffix(results, filepath.Ext(results)) + "-plan.journal" // apply ROSTER --yes
	if strings.HasSuffix(args[0], ".json") {
		journal = strings.TrimSuffix(args[0], ".json") + ".journal"
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		data, _ := os.ReadFile(journal)
		if strings.Count(string(data), `"e":"done"`) >= done {
			break
		}
	}
	return cmd, stderr
}

// Next quarter's plan under the same names: the old journal is moved aside.
func TestBinaryNewPlanSameResults(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	dir := t.TempDir()
	planPath, results := filepath.Join(dir, "plan.json"), filepath.Join(dir, "results.json")
	for i, n := range []int{10, 15} {
		if r := runBinary(t, targetEnv(srv), "plan", writeRoster(t, n), "--out", planPath); r.code != 0 {
			t.Fatalf("plan %d: %s", i, r.stderr)
		}
		r := runBinary(t, targetEnv(srv), "apply", planPath, "--results", results)
		if r.code != 0 {
			t.Fatalf("apply %d: %d\n%s", i, r.code, r.stderr)
		}
		if i == 1 && (!strings.Contains(r.stderr, "belonged to another plan") || !strings.Contains(r.stderr, "5 created")) {
			t.Errorf("second quarter:\n%s", r.stderr)
		}
	}
}

// apply --yes re-plans on every run: after an interrupted run the next one
// must not take the new plan's ops for the old journal's.
func TestBinaryYesResume(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{Latency: 20 * time.Millisecond})
	dir := t.TempDir()
	roster := writeRoster(t, 200)
	results := filepath.Join(dir, "results.json")
	cmd, _ := startApply(t, srv, results, 40, roster, "--yes", "--rate", "100")
	cmd.Process.Kill()
	cmd.Wait()
	r := runBinary(t, targetEnv(srv), "apply", roster, "--yes", "--rate", "1000", "--results", results)
	if r.code != 0 {
		t.Fatalf("second --yes run: %d\n%s", r.code, r.stderr)
	}
	seen := map[string]bool{}
	for _, a := range srv.Snapshot().Accounts {
		if seen[a.ExternalID] {
			t.Fatalf("%s created twice", a.ExternalID)
		}
		seen[a.ExternalID] = true
	}
	if len(seen) != 200 {
		t.Errorf("%d accounts after the second run, want 200\n%s", len(seen), r.stderr)
	}
}

// An outage fails the updates; once it is over, --only-failed redoes just
// those rows and the results file holds every row.
func TestBinaryOnlyFailedAfterOutage(t *testing.T) {
	var accounts []*emulator.Account
	for i := 0; i < 20; i++ {
		r := rostergen.Row(i, 0)
		accounts = append(accounts, &emulator.Account{ID: fmt.Sprint(100000000000100 + i), Name: r[0], Email: r[1], ExternalID: r[2], Title: r[3], Active: true})
	}
	srv := testkit.Emulator(t, emulator.Config{State: &emulator.State{Accounts: accounts}})
	dir := t.TempDir()
	roster := filepath.Join(dir, "roster.csv")
	var b strings.Builder
	b.WriteString("name,email,external_id,title\n")
	for i := 0; i < 20; i++ {
		r := rostergen.Row(i, 0)
		title := r[3]
		if i < 10 {
			title = "Promoted"
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s\n", r[0], r[1], r[2], title)
	}
	os.WriteFile(roster, []byte(b.String()), 0o600)
	planPath, results := filepath.Join(dir, "plan.json"), filepath.Join(dir, "results.json")
	if r := runBinary(t, targetEnv(srv), "plan", roster, "--out", planPath); r.code != 0 || !strings.Contains(r.stderr, "10 to update") {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	// An outage: every call fails, and this run gives up at once.
	srv.SetFaults(1, 0)
	r := runBinary(t, targetEnv(srv), "apply", planPath, "--max-tries", "1", "--results", results)
	srv.SetFaults(0, 0)
	if r.code != exitRows {
		t.Fatalf("apply during the outage: %d\n%s", r.code, r.stderr)
	}
	failed := 0
	for _, row := range readResults(t, results).Rows {
		if row.Status == "failed" || row.Status == "not_attempted" {
			failed++
		}
	}
	if failed != 10 {
		t.Fatalf("%d rows failed during the outage, want the 10 updates\n%s", failed, r.stderr)
	}
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--only-failed", results)
	if r.code != 0 || !strings.Contains(r.stderr, "10 updated") {
		t.Fatalf("--only-failed: %d\n%s", r.code, r.stderr)
	}
	// The results it read are kept; the retry's results go beside them.
	if old := readResults(t, results); len(old.Rows) != 20 || old.Rows[0].Status == "updated" {
		t.Errorf("the results --only-failed read were changed: %+v", old.Rows[0])
	}
	res := readResults(t, filepath.Join(dir, "results.retry.json"))
	counts := map[string]int{}
	for _, row := range res.Rows {
		counts[row.Status]++
	}
	if len(res.Rows) != 20 || counts["updated"] != 10 || counts["unchanged"] != 10 {
		t.Errorf("results after the retry: %v", counts)
	}
	promoted := 0
	for _, a := range srv.Snapshot().Accounts {
		if a.Title == "Promoted" {
			promoted++
		}
	}
	if promoted != 10 {
		t.Errorf("%d accounts promoted, want 10", promoted)
	}
}

// activeByEmail says, for each account the emulator holds, whether it is active.
func activeByEmail(srv *emulator.Server) map[string]bool {
	left := map[string]bool{}
	for _, a := range srv.Snapshot().Accounts {
		left[a.Email] = a.Active
	}
	return left
}
