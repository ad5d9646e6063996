package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/rostergen"
	"github.com/wpimport/wpimport/internal/testkit"
)

// writeXLSXRoster writes n generated people to dir/name as a workbook.
func writeXLSXRoster(t *testing.T, dir, name string, n int) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := rostergen.WriteXLSX(p, n); err != nil {
		t.Fatal(err)
	}
	return p
}

func sheetsOf(t *testing.T, path string) []string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return f.GetSheetList()
}

// No command writes over a file it reads: derived names move aside,
// explicit ones are refused before any work.
func TestBinaryOutputsNeverOverwriteInputs(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	dir := t.TempDir()
	q := writeXLSXRoster(t, dir, "q.xlsx", 5)
	before, _ := os.ReadFile(q)

	// plan q.xlsx --out q.json: the workbook beside q.json would be q.xlsx.
	r := runBinary(t, targetEnv(srv), "plan", q, "--out", filepath.Join(dir, "q.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "q.plan.xlsx") {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	if got := sheetsOf(t, filepath.Join(dir, "q.plan.xlsx")); got[0] != "Summary" {
		t.Errorf("q.plan.xlsx sheets %v", got)
	}
	for _, tc := range []struct{ name string }{{"validate"}, {"apply"}, {"plan"}} {
		calls := srv.Stats().Calls
		var args []string
		switch tc.name {
		case "validate":
			args = []string{"validate", q, "--out", q}
		case "apply":
			args = []string{"apply", filepath.Join(dir, "q.json"), "--results", q}
		case "plan":
			args = []string{"plan", q, "--out", filepath.Join(dir, "q.json"), "--protect", filepath.Join(dir, "q.json")}
		}
		r := runBinary(t, targetEnv(srv), args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "would write over") {
			t.Errorf("%s: %d\n%s", tc.name, r.code, r.stderr)
		}
		if srv.Stats().Calls != calls {
			t.Errorf("%s made API calls before refusing", tc.name)
		}
	}
	// A link to the roster is the roster.
	link := filepath.Join(dir, "link.xlsx")
	os.Symlink(q, link)
	if r := runBinary(t, nil, "validate", q, "--out", link); r.code != exitUsage {
		t.Errorf("validate --out LINK-TO-ROSTER: %d\n%s", r.code, r.stderr)
	}
	if after, _ := os.ReadFile(q); string(after) != string(before) {
		t.Fatal("the roster was written over")
	}
	if got := sheetsOf(t, q); got[0] != "Sheet1" {
		t.Errorf("roster sheets %v", got)
	}
	// apply --only-failed RESULTS keeps RESULTS and writes beside it.
	results := filepath.Join(dir, "q-results.json")
	if r := runBinary(t, targetEnv(srv), "apply", filepath.Join(dir, "q.json"), "--results", results); r.code != 0 {
		t.Fatalf("apply: %d\n%s", r.code, r.stderr)
	}
	for _, f := range []string{"q.json", "q.plan.xlsx", "q-results.json"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Mode().Perm()&0o133 != 0 {
			t.Errorf("%s: mode %v, %v: want 0644 at most, never executable", f, st.Mode(), err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// Outputs that cannot be written are found before the first write call.
func TestBinaryUnwritableOutputBeforeCalls(t *testing.T) {
	srv, dir, planPath := planned(t, 10)
	results := filepath.Join(dir, "results.xlsx")
	os.Mkdir(results, 0o755)
	srv.ResetStats()
	r := runBinary(t, targetEnv(srv), "apply", planPath, "--results", results)
	if r.code != exitUsage || !strings.Contains(r.stderr, "not a regular file") {
		t.Errorf("apply --results FOLDER: %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--results", filepath.Join(dir, "no-such-folder", "r.xlsx"))
	if r.code != exitUsage || !strings.Contains(r.stderr, "cannot write") {
		t.Errorf("apply --results MISSING/r.xlsx: %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, targetEnv(srv), "plan", writeRoster(t, 3), "--out", filepath.Join(dir, "none", "p.json"))
	if r.code != exitUsage {
		t.Errorf("plan --out MISSING/p.json: %d\n%s", r.code, r.stderr)
	}
	if st := srv.Stats(); st.Calls != 0 {
		t.Errorf("%d API calls before the outputs were checked", st.Calls)
	}
}

// editPlan rewrites plan.json through edit.
func editPlan(t *testing.T, path string, edit func(p map[string]any)) {
	t.Helper()
	data, _ := os.ReadFile(path)
	var p map[string]any
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	edit(p)
	out, _ := json.MarshalIndent(p, "", " ")
	os.WriteFile(path, out, 0o644)
}

// An edited plan does nothing that nobody signed off.
func TestBinaryEditedPlanRefused(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	dir := t.TempDir()
	if r := runBinary(t, targetEnv(srv), "apply", writeRoster(t, 40), "--yes", "--rate", "1000", "--results", filepath.Join(dir, "first.json")); r.code != 0 {
		t.Fatalf("first load: %d\n%s", r.code, r.stderr)
	}
	tripped := filepath.Join(dir, "tripped.json")
	if r := runBinary(t, targetEnv(srv), "plan", writeRoster(t, 20), "--sync", "--out", tripped); r.code != exitRefused {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	fresh := filepath.Join(dir, "fresh.json")
	if r := runBinary(t, targetEnv(srv), "plan", writeRoster(t, 45), "--out", fresh); r.code != 0 {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	digest := ""
	for _, line := range strings.Split(runBinary(t, targetEnv(srv), "plan", writeRoster(t, 45), "--out", fresh).stderr, "\n") {
		if d, ok := strings.CutPrefix(line, "Plan digest: "); ok {
			digest = d
		}
	}
	if !strings.HasPrefix(digest, "sha256:") || len(digest) != 71 {
		t.Fatalf("plan printed no digest: %q", digest)
	}
	cases := []struct {
		name, plan, want string
		edit             func(p map[string]any)
	}{
		{"refused dropped", tripped, "deactivates or deletes 20 accounts; its own limit is 2", func(p map[string]any) { delete(p, "refused") }},
		{"guard raised", tripped, "guard", func(p map[string]any) {
			delete(p, "refused")
			p["guard"].(map[string]any)["spec"] = "100%"
		}},
		{"email changed", fresh, "field email", func(p map[string]any) {
			c := p["changes"].([]any)[0].(map[string]any)
			c["after"].(map[string]any)["email"] = "not an email"
			c["lookup"].(map[string]any)["email"] = "not an email"
		}},
		{"create's keys changed", fresh, "look-up keys differ", func(p map[string]any) {
			c := p["changes"].([]any)[0].(map[string]any)
			c["after"].(map[string]any)["email"] = "someone.else@example.com"
		}},
		{"change added", fresh, "out of sequence", func(p map[string]any) {
			cs := p["changes"].([]any)
			p["changes"] = append(cs, cs[0])
		}},
		{"unknown field", fresh, "unknown or repeated field", func(p map[string]any) {
			c := p["changes"].([]any)[0].(map[string]any)
			c["fields"] = append(c["fields"].([]any), "impersonate_token")
		}},
		{"value outside its fields", fresh, "does not list in its fields", func(p map[string]any) {
			c := p["changes"].([]any)[0].(map[string]any)
			c["after"].(map[string]any)["cost_center"] = "X1"
			c["fields"] = slices.DeleteFunc(c["fields"].([]any), func(f any) bool { return f == "cost_center" })
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "plan.json")
			data, _ := os.ReadFile(tc.plan)
			os.WriteFile(path, data, 0o644)
			editPlan(t, path, tc.edit)
			srv.ResetStats()
			r := runBinary(t, targetEnv(srv), "apply", path)
			if r.code != exitRefused || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("apply: %d, want 3 and %q\n%s", r.code, tc.want, r.stderr)
			}
			if st := srv.Stats(); st.Calls != 0 {
				t.Errorf("%d API calls for a refused plan: %v", st.Calls, st.ByRoute)
			}
		})
	}
	// --approved binds the sign-off to one file: an edit that passes every
	// rule is still refused; the file signed off runs.
	edited := filepath.Join(dir, "edited.json")
	data, _ := os.ReadFile(fresh)
	os.WriteFile(edited, data, 0o644)
	editPlan(t, edited, func(p map[string]any) {
		p["changes"].([]any)[0].(map[string]any)["after"].(map[string]any)["title"] = "CEO"
	})
	srv.ResetStats()
	r := runBinary(t, targetEnv(srv), "apply", edited, "--approved", digest)
	if r.code != exitRefused || !strings.Contains(r.stderr, "is not the plan that was approved") || srv.Stats().Calls != 0 {
		t.Errorf("edited plan with --approved: %d (%d calls)\n%s", r.code, srv.Stats().Calls, r.stderr)
	}
	r = runBinary(t, targetEnv(srv), "apply", fresh, "--approved", digest)
	if r.code != 0 || !strings.Contains(r.stderr, digest) {
		t.Errorf("approved plan: %d\n%s", r.code, r.stderr)
	}
}

// A second apply of a plan that is being applied refuses at once; a lock
// left by a killed apply is taken over.
func TestBinaryOneApplyPerPlan(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{Latency: 20 * time.Millisecond})
	dir := t.TempDir()
	planPath := filepath.Join(dir, "plan.json")
	if r := runBinary(t, targetEnv(srv), "plan", writeRoster(t, 300), "--out", planPath); r.code != 0 {
		t.Fatalf("plan: %s", r.stderr)
	}
	cmd, _ := startApply(t, srv, filepath.Join(dir, "a.json"), 5, planPath, "--rate", "100")
	r := runBinary(t, targetEnv(srv), "apply", planPath, "--results", filepath.Join(dir, "b.json"))
	if r.code != exitRefused || !strings.Contains(r.stderr, "another apply of this plan is running") || !strings.Contains(r.stderr, "pid") {
		t.Errorf("second apply: %d\n%s", r.code, r.stderr)
	}
	cmd.Process.Kill()
	cmd.Wait()
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--results", filepath.Join(dir, "c.json"))
	if r.code != 0 {
		t.Fatalf("apply after the kill: %d\n%s", r.code, r.stderr)
	}
	if n := len(srv.Snapshot().Accounts); n != 300 {
		t.Errorf("%d accounts, want 300", n)
	}
	if _, err := os.Stat(strings.TrimSuffix(planPath, ".json") + ".journal.lock"); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
}

// SIGTERM and SIGINT stop validate within a second, with exit 130, and
// leave neither the output nor a temporary file behind.
func TestBinaryValidateStopsOnSignal(t *testing.T) {
	roster, err := rostergen.Cached("csv", 300_000)
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		dir, tmp := t.TempDir(), t.TempDir()
		out := filepath.Join(dir, "report.xlsx")
		cmd := exec.Command(binary, "validate", roster, "--out", out)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TMPDIR=" + tmp}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond)
		sent := time.Now()
		cmd.Process.Signal(sig)
		err := cmd.Wait()
		took := time.Since(sent)
		if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || took > time.Second {
			t.Errorf("%v: exit %d after %v (%v)\n%s", sig, code, took, err, stderr.String())
		}
		for _, d := range []string{dir, tmp} {
			if entries, _ := os.ReadDir(d); len(entries) > 0 {
				t.Errorf("%v: left behind in %s: %v", sig, d, entries)
			}
		}
	}
}

// Pictures are named relative to the roster's folder and read again, with
// every check, before the op that uploads them; the plan applies from any
// folder.
func TestBinaryPictureFiles(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	dir := t.TempDir()
	png := []byte("\x89PNG\r\n\x1a\nimage")
	os.WriteFile(filepath.Join(dir, "ada.png"), png, 0o600)
	os.WriteFile(filepath.Join(dir, "alan.png"), png, 0o600)
	roster := filepath.Join(dir, "roster.csv")
	os.WriteFile(roster, []byte("name,email,picture_file\n"+
		"Ada,ada@x.example,ada.png\n"+
		"Alan,alan@x.example,alan.png\n"+
		"Eve,eve@x.example,/etc/passwd\n"+
		"Mal,mal@x.example,../../etc/passwd\n"), 0o600)
	r := runBinary(t, nil, "validate", roster)
	if r.code != exitRows || !strings.Contains(r.stderr, "2 valid, 2 invalid") || !strings.Contains(r.stderr, "absolute path") || !strings.Contains(r.stderr, "outside the roster's folder") {
		t.Fatalf("validate: %d\n%s", r.code, r.stderr)
	}
	planPath := filepath.Join(dir, "plan.json")
	if r := runBinary(t, targetEnv(srv), "plan", roster, "--out", planPath); r.code != exitRows {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	data, _ := os.ReadFile(planPath)
	if !regexp.MustCompile(`"picture": \{\s*"file": "ada.png"\s*\}`).Match(data) {
		t.Errorf("plan.json should keep picture_file relative to the roster's folder")
	}
	// Alan's picture is replaced by a link to /dev/zero after the plan.
	os.Remove(filepath.Join(dir, "alan.png"))
	os.Symlink("/dev/zero", filepath.Join(dir, "alan.png"))
	results := filepath.Join(dir, "results.json")
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--results", results) // runs from the repository root
	if r.code != exitRows {
		t.Fatalf("apply: %d\n%s", r.code, r.stderr)
	}
	st := map[int]string{}
	for _, row := range readResults(t, results).Rows {
		st[row.Row] = row.Status
	}
	if st[2] != "created" || st[3] != "failed" {
		t.Errorf("statuses %v: want Ada created with her picture, Alan failed before any call", st)
	}
	accounts := srv.Snapshot().Accounts
	if len(accounts) != 1 {
		t.Errorf("%d accounts, want only Ada's", len(accounts))
	}
	if srv.Stats().ByRoute["POST /{id}/profile_pictures"] != 1 {
		t.Errorf("picture uploads: %v", srv.Stats().ByRoute)
	}
	// An edited plan that names a file outside the folder is refused.
	editPlan(t, planPath, func(p map[string]any) {
		p["changes"].([]any)[0].(map[string]any)["picture"] = map[string]any{"file": "/etc/shadow"}
	})
	if r := runBinary(t, targetEnv(srv), "apply", planPath, "--results", filepath.Join(dir, "r2.json")); r.code != exitRefused || !strings.Contains(r.stderr, "absolute path") {
		t.Errorf("edited picture path: %d\n%s", r.code, r.stderr)
	}
}
