package main

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/testkit"
	"github.com/xuri/excelize/v2"
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
	if r.code != 0 || !strings.Contains(r.stderr, "Plan: 60 to create, 0 to update") || !strings.Contains(r.stderr, "Reading a SCIM 2.0 service") {
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
		"1 row gives is_frontline, which the SCIM service at 127.0.0.1:"} {
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
	metaEnv := append(scimEnv(srv), "WPIMPORT_SCIM_DIALECT=meta")
	dir := t.TempDir()
	roster := writeRoster(t, 80)
	planPath := filepath.Join(dir, "plan.json")
	r := runBinary(t, metaEnv, "plan", roster, "--out", planPath)
	if r.code != 0 || !strings.Contains(r.stderr, "Plan: 80 to create") {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, metaEnv, "apply", planPath, "--rate", "500", "--results", filepath.Join(dir, "results.json"))
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
	r = runBinary(t, metaEnv, "apply", planPath, "--bulk", "--results", filepath.Join(dir, "again.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "takes no /Bulk requests") {
		t.Fatalf("--bulk on Meta: %d\n%s", r.code, r.stderr)
	}
}

func groupsOf(t *testing.T, srv *emulator.Server) map[string][]string {
	t.Helper()
	st := srv.Snapshot()
	email := map[string]string{}
	for _, a := range st.Accounts {
		email[a.ID] = a.Email
	}
	out := map[string][]string{}
	for _, ps := range st.PeopleSets {
		var who []string
		for _, id := range ps.Members {
			who = append(who, strings.TrimSuffix(email[id], "@acme.example"))
		}
		slices.Sort(who)
		out[ps.Name] = who
	}
	return out
}

// The groups column: groups are created and members added; a mover is
// added to the new group and, with --sync-groups, removed from the old one,
// behind its guard; plan and results have a Groups sheet.
func TestBinarySCIMGroups(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{DropRate: 0.05, Seed: 2})
	dir := t.TempDir()
	q1 := writeText(t, "q1.csv", "name,email,external_id,groups\n"+
		"Ann,ann@acme.example,E1,Engineering; All staff\n"+
		"Bob,bob@acme.example,E2,Sales;All staff\n"+
		"Cat,cat@acme.example,E3,Engineering\n"+
		"Dan,dan@acme.example,E4,Sales ; all staff\n"+
		"Eve,eve@acme.example,E5,Engineering\n")
	r := runBinary(t, scimEnv(srv), "apply", q1, "--yes", "--results", filepath.Join(dir, "r1.xlsx"))
	if r.code != 0 || !strings.Contains(r.stderr, "groups: 3 to create") || !strings.Contains(r.stderr, "Groups: 3 created") {
		t.Fatalf("q1: %d\n%s", r.code, r.stderr)
	}
	want := map[string][]string{"Engineering": {"ann", "cat", "eve"}, "All staff": {"ann", "bob", "dan"}, "Sales": {"bob", "dan"}}
	if got := groupsOf(t, srv); !maps.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	// Cat moves to Sales; Dan leaves All staff; Ann's row is invalid, so her
	// groups are left as they are.
	q2 := writeText(t, "q2.csv", "name,email,external_id,work_locale,groups\n"+
		"Ann,ann@acme.example,E1,english,\n"+
		"Bob,bob@acme.example,E2,,Sales;All staff\n"+
		"Cat,cat@acme.example,E3,,Sales\n"+
		"Dan,dan@acme.example,E4,,Sales\n"+
		"Eve,eve@acme.example,E5,,Engineering\n")
	plan2 := filepath.Join(dir, "q2.json")
	r = runBinary(t, scimEnv(srv), "plan", q2, "--sync-groups", "--out", plan2)
	if r.code != exitRefused || !strings.Contains(r.stderr, "--sync-groups would remove 2 group members, over the limit of 0") {
		t.Fatalf("the guard: %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, scimEnv(srv), "plan", q2, "--sync-groups", "--max-group-removals", "2", "--out", plan2)
	if r.code != exitRows || !strings.Contains(r.stderr, "groups: 0 to create, 3 to update (1 member to add, 2 to remove)") {
		t.Fatalf("q2 plan: %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, scimEnv(srv), "apply", plan2, "--results", filepath.Join(dir, "r2.xlsx"))
	if r.code != exitRows || !strings.Contains(r.stderr, "1 member added, 2 removed") {
		t.Fatalf("q2 apply: %d\n%s", r.code, r.stderr)
	}
	want = map[string][]string{"Engineering": {"ann", "eve"}, "All staff": {"ann", "bob"}, "Sales": {"bob", "cat", "dan"}}
	if got := groupsOf(t, srv); !maps.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	for _, f := range []string{"q2.xlsx", "r2.xlsx"} {
		x, err := excelize.OpenFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if idx, _ := x.GetSheetIndex("Groups"); idx < 0 {
			t.Errorf("%s has no Groups sheet: %v", f, x.GetSheetList())
		}
		x.Close()
	}
	// The Graph target has no groups: the column is reported, not dropped in silence.
	r = runBinary(t, targetEnv(srv), "plan", q2, "--out", filepath.Join(dir, "graph.json"))
	if r.code != exitRows || !strings.Contains(r.stderr, "4 rows give groups, which Workplace's Graph API cannot carry") {
		t.Fatalf("graph: %d\n%s", r.code, r.stderr)
	}
}

// Offboarding over SCIM: the claimed account is deactivated, the unclaimed
// one deleted (Meta's accountstatusdetails says which); --erase has no SCIM
// form and is refused.
func TestBinarySCIMOffboard(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{State: &emulator.State{Accounts: []*emulator.Account{
		{ID: "100000000000001", Name: "Claimed", Email: "c@acme.example", ExternalID: "E1", Active: true, Claimed: true},
		{ID: "100000000000002", Name: "Unclaimed", Email: "u@acme.example", ExternalID: "E2", Active: true},
		{ID: "100000000000003", Name: "Stays", Email: "s@acme.example", ExternalID: "E3", Active: true, Claimed: true},
	}}})
	dir := t.TempDir()
	list := filepath.Join(dir, "leavers.csv")
	os.WriteFile(list, []byte("Employee ID,Email\nE1,\n,u@acme.example\n"), 0o600)
	planPath := filepath.Join(dir, "offboard.json")
	if r := runBinary(t, scimEnv(srv), "offboard", list, "--erase", "--out", planPath); r.code != exitUsage || !strings.Contains(r.stderr, "has no form of it") {
		t.Fatalf("--erase: %d\n%s", r.code, r.stderr)
	}
	r := runBinary(t, scimEnv(srv), "offboard", list, "--delete-unclaimed", "--max-deactivate", "2", "--out", planPath)
	if r.code != 0 || !strings.Contains(r.stderr, "1 to deactivate") || !strings.Contains(r.stderr, "1 to delete") {
		t.Fatalf("offboard: %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, scimEnv(srv), "apply", planPath, "--results", filepath.Join(dir, "r.json"))
	if r.code != 0 {
		t.Fatalf("apply: %d\n%s", r.code, r.stderr)
	}
	left := activeByEmail(srv)
	if active, ok := left["c@acme.example"]; !ok || active {
		t.Error("the claimed account is not deactivated")
	}
	if _, ok := left["u@acme.example"]; ok {
		t.Error("the unclaimed account is not deleted")
	}
	if !left["s@acme.example"] {
		t.Error("an unlisted account was touched")
	}
}

// writeText writes a small input file in a fresh folder.
func writeText(t *testing.T, name, text string) string {
	t.Helper()
	return testkit.WriteFile(t, name, []byte(text))
}
