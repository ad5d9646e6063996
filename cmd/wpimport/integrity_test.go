package main

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/plan"
	rosterpkg "github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/testkit"
)

// fileDigest is the digest of a file, as sign-off approves it.
func fileDigest(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return plan.Digest(data)
}

// copyFile copies a file into dir and returns the copy's path.
func copyFile(t *testing.T, path, dir string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, filepath.Base(path))
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// reseal changes a plan as wpimport itself would write it: edit, then seal
// with the test's own key (its state folder's), as plan does.
func reseal(t *testing.T, path string, edit func(p *plan.Plan)) {
	t.Helper()
	p, _, _, err := plan.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(filepath.Join(stateDir(t), "key"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(text)))
	if err != nil {
		t.Fatal(err)
	}
	edit(p)
	if _, err := p.Save(path, key); err != nil {
		t.Fatal(err)
	}
}

// A plan edited by hand after it was made is refused without --approved,
// whatever the edit; with --approved of the edited file's digest it runs
// (someone signed that file off), but only if its ops pass the plan's
// checks.
func TestBinaryHandEditedPlanRefused(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	dir := t.TempDir()
	planPath := filepath.Join(dir, "plan.json")
	if r := runBinary(t, targetEnv(srv), "plan", writeRoster(t, 5), "--out", planPath); r.code != 0 {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	// A careful edit, changing the value sent and the change shown alike,
	// so that only the seal can tell (a careless one fails Check first).
	editPlan(t, planPath, func(p map[string]any) {
		c := p["changes"].([]any)[0].(map[string]any)
		c["after"].(map[string]any)["title"] = "CEO"
		if !slices.Contains(c["fields"].([]any), any("title")) {
			c["fields"] = append(c["fields"].([]any), "title")
		}
	})
	unsealed := filepath.Join(dir, "unsealed.json")
	os.WriteFile(unsealed, mustRead(t, planPath), 0o644)
	editPlan(t, unsealed, func(p map[string]any) { delete(p, "mac") })
	for _, c := range []struct{ path, want string }{
		{planPath, "plan.json was edited after it was made, or made by another user or on another machine: its seal does not match this user's key"},
		{unsealed, "unsealed.json carries no seal of this user's wpimport: it was made by an older wpimport, or its seal was removed"},
	} {
		srv.ResetStats()
		r := runBinary(t, targetEnv(srv), "apply", c.path)
		for _, s := range []string{c.want, "Nothing was changed. If this exact file was signed off, apply it with --approved and the digest its sign-off names; otherwise make a new plan (wpimport plan "} {
			if !strings.Contains(r.stderr, s) {
				t.Errorf("%s: stderr lacks %q\n%s", c.path, s, r.stderr)
			}
		}
		if r.code != exitRefused || srv.Stats().Calls != 0 {
			t.Errorf("%s: exit %d, %d API calls; want 3 and none", c.path, r.code, srv.Stats().Calls)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "plan.journal")); !os.IsNotExist(err) {
		t.Errorf("a refused plan left a journal: %v", err)
	}
	// An edit the plan's checks refuse stays refused, even signed off.
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, mustRead(t, planPath), 0o644)
	editPlan(t, bad, func(p map[string]any) {
		c := p["changes"].([]any)[0].(map[string]any)
		c["fields"] = append(c["fields"].([]any), "impersonate_token")
	})
	r := runBinary(t, targetEnv(srv), "apply", bad, "--approved", fileDigest(t, bad))
	if r.code != exitRefused || !strings.Contains(r.stderr, `unknown or repeated field "impersonate_token"`) || srv.Stats().Calls != 0 {
		t.Errorf("signed-off plan that fails its checks: %d\n%s", r.code, r.stderr)
	}
	// The edited file, signed off as it is, runs, and says why.
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--approved", fileDigest(t, planPath), "--results", filepath.Join(dir, "r.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "It is applied because --approved names its digest") || !strings.Contains(r.stderr, "5 created") {
		t.Fatalf("edited plan with --approved of its digest: %d\n%s", r.code, r.stderr)
	}
	ceo := 0
	for _, a := range srv.Snapshot().Accounts {
		if a.Title == "CEO" {
			ceo++
		}
	}
	if ceo != 1 {
		t.Errorf("%d accounts with the signed-off title, want 1", ceo)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// A plan made by another user (another state folder: here another HOME,
// with no WPIMPORT_STATE_DIR) is applied only as signed off.
func TestBinaryPlanOfAnotherUser(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	dir := t.TempDir()
	planPath := filepath.Join(dir, "plan.json")
	home := t.TempDir()
	other := append([]string{"HOME=" + home, "WPIMPORT_STATE_DIR=", "XDG_STATE_HOME="}, targetEnv(srv)...)
	r := runBinary(t, other, "plan", writeRoster(t, 3), "--out", planPath)
	if r.code != 0 {
		t.Fatalf("plan as another user: %d\n%s", r.code, r.stderr)
	}
	digest := ""
	for _, line := range strings.Split(r.stderr, "\n") {
		if d, ok := strings.CutPrefix(line, "Plan digest: "); ok {
			digest = d
		}
	}
	keyFile := filepath.Join(home, ".local", "state", "wpimport", "key")
	if st, err := os.Stat(keyFile); err != nil || runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Fatalf("the other user's key %s: %v", keyFile, err)
	}
	if _, err := os.Stat(filepath.Join(stateDir(t), "key")); err == nil {
		t.Fatal("planning as another user made a key in this user's state folder")
	}
	r = runBinary(t, targetEnv(srv), "apply", planPath)
	if r.code != exitRefused || !strings.Contains(r.stderr, "made by another user or on another machine") || len(srv.Snapshot().Accounts) != 0 {
		t.Fatalf("another user's plan without --approved: %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--approved", digest)
	if r.code != 0 || !strings.Contains(r.stderr, "3 created") {
		t.Fatalf("another user's plan, signed off: %d\n%s", r.code, r.stderr)
	}
	// The one who made it applies it again from its folder: the journal
	// resumes it, nothing left to do.
	r = runBinary(t, other, "apply", planPath)
	if r.code != 0 || !strings.Contains(r.stderr, "Nothing left to do") {
		t.Errorf("its maker's rerun: %d\n%s", r.code, r.stderr)
	}
}

// A plan older than --max-plan-age (default 7 days), or made in the
// future, is refused, even signed off; --max-plan-age lets an old one run.
func TestBinaryPlanAge(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	dir := t.TempDir()
	planPath := filepath.Join(dir, "plan.json")
	if r := runBinary(t, targetEnv(srv), "plan", writeRoster(t, 3), "--out", planPath); r.code != 0 {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	made := time.Now().Add(-9*24*time.Hour - time.Hour).UTC()
	reseal(t, planPath, func(p *plan.Plan) { p.CreatedAt = made })
	srv.ResetStats()
	for _, args := range [][]string{{}, {"--approved", fileDigest(t, planPath)}, {"--max-plan-age", "216h"}} {
		r := runBinary(t, targetEnv(srv), append([]string{"apply", planPath}, args...)...)
		want := "plan.json was made 9 days ago (" + made.Local().Format("2006-01-02 15:04 MST") + "); apply refuses plans older than "
		if r.code != exitRefused || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "pass --max-plan-age 11d") || srv.Stats().Calls != 0 {
			t.Errorf("apply %v of a 9-day-old plan: %d\n%s", args, r.code, r.stderr)
		}
	}
	r := runBinary(t, targetEnv(srv), "apply", planPath, "--max-plan-age", "10d")
	if r.code != 0 || !strings.Contains(r.stderr, "3 created") {
		t.Fatalf("--max-plan-age 10d: %d\n%s", r.code, r.stderr)
	}
	future := filepath.Join(t.TempDir(), "future.json")
	os.WriteFile(future, mustRead(t, planPath), 0o644)
	reseal(t, future, func(p *plan.Plan) { p.CreatedAt = time.Now().Add(3 * time.Hour).UTC() })
	r = runBinary(t, targetEnv(srv), "apply", future)
	if r.code != exitRefused || !strings.Contains(r.stderr, "from now: this computer's clock, or the file, is wrong") {
		t.Errorf("a plan from the future: %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--max-plan-age", "a week")
	if r.code != exitUsage || !strings.Contains(r.stderr, "give days like 7d") {
		t.Errorf("--max-plan-age 'a week': %d\n%s", r.code, r.stderr)
	}
}

// The same signed-off plan, copied to another folder without its journal
// after it was applied and partly taken back by hand, is not applied
// again; --reapply applies it on purpose. The original folder's rerun
// still resumes from its journal.
func TestBinaryCopiedPlanRefused(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{State: &emulator.State{Accounts: []*emulator.Account{
		{ID: "100000000000001", Name: "Ana", Email: "ana@acme.example", ExternalID: "E1", Title: "Engineer", Active: true},
		{ID: "100000000000002", Name: "Ben", Email: "ben@acme.example", ExternalID: "E2", Active: true},
		{ID: "100000000000003", Name: "Cy", Email: "cy@acme.example", ExternalID: "E3", Active: true},
	}}})
	dir := t.TempDir()
	roster := filepath.Join(dir, "roster.csv")
	os.WriteFile(roster, []byte("name,email,external_id,title\nAna,ana@acme.example,E1,Lead\nDee,dee@acme.example,E4,Analyst\n"), 0o600)
	planPath := filepath.Join(dir, "plan.json")
	if r := runBinary(t, targetEnv(srv), "plan", roster, "--sync", "--max-deactivate", "2", "--out", planPath); r.code != 0 {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	digest := fileDigest(t, planPath)
	r := runBinary(t, targetEnv(srv), "apply", planPath, "--approved", digest)
	if r.code != 0 || !strings.Contains(r.stderr, "1 created, 1 updated, 2 deactivated") {
		t.Fatalf("apply: %d\n%s", r.code, r.stderr)
	}
	// Taken back by hand: Dee's account deleted, Ana's title and Ben's and
	// Cy's accounts as they were.
	c, _ := target.Open("graph", target.Config{URL: srv.URL(), Token: srv.Token()})
	ctx := context.Background()
	for _, a := range srv.Snapshot().Accounts {
		var err error
		ref := target.Ref{ID: a.ID}
		switch a.ExternalID {
		case "E1":
			_, err = c.Update(ctx, ref, &target.Account{Title: "Engineer"}, []rosterpkg.Field{rosterpkg.Title})
		case "E2", "E3":
			_, err = c.SetActive(ctx, ref, true)
		case "E4":
			err = c.Remove(ctx, ref, target.RemoveDelete)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	before := srv.Snapshot()
	copied := copyFile(t, planPath, t.TempDir())
	srv.ResetStats()
	r = runBinary(t, targetEnv(srv), "apply", copied, "--approved", digest)
	for _, s := range []string{
		"plan.json (" + digest + ") was already applied, on ", " from " + planPath + "; this copy has no journal of that run",
		"Nothing was changed. Applying a plan again redoes its changes, including any undone by hand since",
		"make a new plan (wpimport plan ", "To apply this same plan again on purpose, pass --reapply",
	} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("copied plan: stderr lacks %q\n%s", s, r.stderr)
		}
	}
	if r.code != exitRefused || srv.Stats().Calls != 0 || len(srv.Snapshot().Accounts) != len(before.Accounts) {
		t.Fatalf("copied plan: exit %d, %d calls", r.code, srv.Stats().Calls)
	}
	// In its own folder the plan resumes from its journal: done, nothing
	// repeated.
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--approved", digest)
	if r.code != 0 || !strings.Contains(r.stderr, "Nothing left to do") || srv.Stats().ByRoute["POST /{id}"] > 0 {
		t.Errorf("rerun in the plan's own folder: %d %v\n%s", r.code, srv.Stats().ByRoute, r.stderr)
	}
	// Its journal gone, the original is refused too.
	os.Remove(strings.TrimSuffix(planPath, ".json") + ".journal")
	r = runBinary(t, targetEnv(srv), "apply", planPath)
	if r.code != exitRefused || !strings.Contains(r.stderr, "through which a rerun resumes that run, is gone") {
		t.Errorf("the plan without its journal: %d\n%s", r.code, r.stderr)
	}
	// On purpose.
	r = runBinary(t, targetEnv(srv), "apply", copied, "--approved", digest, "--reapply")
	if r.code != 0 || !strings.Contains(r.stderr, "applying it again, as --reapply says") || !strings.Contains(r.stderr, "1 created, 1 updated, 2 deactivated") {
		t.Errorf("--reapply: %d\n%s", r.code, r.stderr)
	}
}

// apply ROSTER --yes, interrupted, then resumed through the plan it saved:
// the same run, nothing stale, every account created once.
func TestBinaryYesResumedThroughSavedPlan(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{Latency: 20 * time.Millisecond})
	dir := t.TempDir()
	results := filepath.Join(dir, "results.json")
	cmd, stderr := startApply(t, srv, results, 40, writeRoster(t, 200), "--yes", "--rate", "100")
	cmd.Process.Signal(os.Interrupt)
	var ee *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("interrupted --yes: %v\n%s", err, stderr.String())
	}
	saved := filepath.Join(dir, "results-plan.json")
	if !strings.Contains(stderr.String(), "Plan saved to "+saved+" (digest sha256:") {
		t.Errorf("--yes does not say where its plan is:\n%s", stderr.String())
	}
	made := len(srv.Snapshot().Accounts)
	r := runBinary(t, targetEnv(srv), "apply", saved, "--rate", "1000", "--results", results)
	if r.code != 0 || !strings.Contains(r.stderr, "Resuming from") || strings.Contains(r.stderr, "another plan") || strings.Contains(r.stderr, "stale") {
		t.Fatalf("resume through the saved plan: %d\n%s", r.code, r.stderr)
	}
	seen := map[string]bool{}
	for _, a := range srv.Snapshot().Accounts {
		if seen[a.ExternalID] {
			t.Fatalf("%s created twice", a.ExternalID)
		}
		seen[a.ExternalID] = true
	}
	counts := map[string]int{}
	for _, row := range readResults(t, results).Rows {
		counts[row.Status]++
	}
	if len(seen) != 200 || counts["created"] != 200 {
		t.Errorf("%d accounts, results %v; want 200 created (%d made before the interrupt)", len(seen), counts, made)
	}
}

func TestParseAge(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		back string
	}{
		{"7d", 7 * 24 * time.Hour, "7d"},
		{"1.5d", 36 * time.Hour, "36h0m0s"},
		{"36h", 36 * time.Hour, "36h0m0s"},
		{"90m", 90 * time.Minute, "1h30m0s"},
		{" 30d ", 30 * 24 * time.Hour, "30d"},
		{"0d", 0, ""}, {"-1d", 0, ""}, {"7", 0, ""}, {"a week", 0, ""}, {"d", 0, ""}, {"0", 0, ""}, {"99999d", 0, ""},
	} {
		got, err := parseAge(c.in)
		if c.back == "" {
			if err == nil || !strings.Contains(err.Error(), "give days like 7d") {
				t.Errorf("%q: %v, %v; want an error", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want || formatAge(got) != c.back {
			t.Errorf("%q: %v (%s), %v; want %v (%s)", c.in, got, formatAge(got), err, c.want, c.back)
		}
	}
	e := &env{stderr: &strings.Builder{}, getenv: func(string) string { return "" }}
	if _, err := parseApply(e, []string{"roster.csv", "--yes", "--reapply"}); err == nil || !strings.Contains(err.Error(), "--reapply applies a plan file again") {
		t.Errorf("--yes --reapply: %v", err)
	}
	if o, err := parseApply(e, []string{"plan.json"}); err != nil || time.Duration(o.MaxPlanAge) != 7*24*time.Hour || o.Reapply {
		t.Errorf("defaults: %+v, %v", o, err)
	}
}
