package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/testkit"
)

func scimEnv(srv *emulator.Server) []string {
	return []string{"WPIMPORT_API=scim", "WPIMPORT_API_URL=" + srv.URL() + emulator.SCIMPrefix, "WPIMPORT_TOKEN=" + srv.Token()}
}

// The whole pipeline over SCIM: plan, apply with faults, a re-plan that
// finds nothing to do, and a plan for one target refused by the other.
func TestBinarySCIMPlanApply(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{FailRate: 0.1, DropRate: 0.05, Seed: 3})
	dir := t.TempDir()
	roster := writeRoster(t, 60)
	planPath := filepath.Join(dir, "plan.json")
	r := runBinary(t, scimEnv(srv), "plan", roster, "--out", planPath)
	if r.code != 0 || !strings.Contains(r.stderr, "Plan: 60 to create, 0 to update") || !strings.Contains(r.stderr, "Reading the SCIM service") {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	results := filepath.Join(dir, "results.json")
	r = runBinary(t, scimEnv(srv), "apply", planPath, "--rate", "500", "--results", results)
	if r.code != 0 || !strings.Contains(r.stderr, "60 created") {
		data, _ := os.ReadFile(results)
		t.Log(string(data))
		t.Fatalf("apply: %d\n%s", r.code, r.stderr)
	}
	st := srv.Snapshot()
	if len(st.Accounts) != 60 {
		t.Fatalf("%d accounts, want 60 (no duplicates)", len(st.Accounts))
	}
	withMgr := 0
	for _, a := range st.Accounts {
		if a.Manager != "" {
			withMgr++
		}
		if a.Department == "" || a.AuthMethod != "sso" || len(a.Phones) != 1 {
			t.Fatalf("account %+v lacks what the roster gave", a)
		}
	}
	if withMgr == 0 {
		t.Fatal("no manager was set")
	}
	srv.SetFaults(0, 0)
	again := filepath.Join(dir, "again.json")
	r = runBinary(t, scimEnv(srv), "plan", roster, "--out", again)
	if r.code != 0 || !strings.Contains(r.stderr, "Plan: 0 to create, 0 to update") {
		t.Fatalf("re-plan: %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--results", filepath.Join(dir, "x.json"))
	if r.code != exitRefused || !strings.Contains(r.stderr, "made for the scim API") {
		t.Fatalf("a SCIM plan applied over Graph: %d\n%s", r.code, r.stderr)
	}
}

// The demo provisions the same samples over the emulator's SCIM side,
// faults included.
func TestBinaryDemoSCIM(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := runBinary(t, nil, "demo", "--api", "scim", "--dir", dir)
	if r.code != 0 || strings.TrimSpace(r.stdout) != dir {
		t.Fatalf("demo: %d stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	for _, s := range []string{"a SCIM 2.0 service", "10 created, 1 updated, 1 reactivated, 1 deactivated, 1 unchanged; NOT DONE: 9 skipped",
		"1 rows give is_frontline, which the SCIM service cannot carry"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("demo output lacks %q:\n%s", s, r.stderr)
		}
	}
}

// --bulk: creates and updates go in /Bulk requests; lost and failed Bulk
// answers are resolved by look-ups, never a duplicate.
func TestBinarySCIMBulk(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{FailRate: 0.1, DropRate: 0.05, Seed: 5, SCIMBulkMaxOps: 50})
	dir := t.TempDir()
	roster := writeRoster(t, 300)
	planPath := filepath.Join(dir, "plan.json")
	if r := runBinary(t, scimEnv(srv), "plan", roster, "--out", planPath); r.code != 0 {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	srv.ResetStats()
	r := runBinary(t, scimEnv(srv), "apply", planPath, "--bulk", "--rate", "200", "--results", filepath.Join(dir, "results.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "300 created") || !strings.Contains(r.stderr, "Bulk: creates and updates go in /Bulk requests of at most 50") {
		t.Fatalf("apply: %d\n%s", r.code, r.stderr)
	}
	st := srv.Snapshot()
	if len(st.Accounts) != 300 {
		t.Fatalf("%d accounts, want 300", len(st.Accounts))
	}
	stats := srv.Stats()
	bulk, posts := stats.ByRoute["SCIM POST /Bulk"], stats.ByRoute["SCIM POST /Users"]
	if bulk == 0 || posts != 0 {
		t.Fatalf("%d Bulk requests, %d single POSTs: %v", bulk, posts, stats.ByRoute)
	}
	t.Logf("%d Bulk requests for 300 creates and their follow-ups; all routes %v", bulk, stats.ByRoute)
}

// Meta's profile: no discovery, userName the only filter, no ETags; lost
// answers are still resolved without a duplicate (by userName).
func TestBinarySCIMMetaProfile(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{SCIMProfile: emulator.ProfileMeta, DropRate: 0.1, Seed: 11})
	dir := t.TempDir()
	roster := writeRoster(t, 80)
	planPath := filepath.Join(dir, "plan.json")
	r := runBinary(t, scimEnv(srv), "plan", roster, "--out", planPath)
	if r.code != 0 || !strings.Contains(r.stderr, "Plan: 80 to create") {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, scimEnv(srv), "apply", planPath, "--rate", "500", "--results", filepath.Join(dir, "results.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "80 created") {
		t.Fatalf("apply: %d\n%s", r.code, r.stderr)
	}
	st := srv.Snapshot()
	if len(st.Accounts) != 80 {
		t.Fatalf("%d accounts, want 80", len(st.Accounts))
	}
	for _, a := range st.Accounts {
		if !a.Invited || a.AuthMethod != "sso" {
			t.Fatalf("%+v: Meta invites at once, and the auth method goes in its extension", a)
		}
	}
	r = runBinary(t, scimEnv(srv), "apply", planPath, "--bulk", "--results", filepath.Join(dir, "again.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "does not support /Bulk") {
		t.Fatalf("--bulk on Meta: %d\n%s", r.code, r.stderr)
	}
}
