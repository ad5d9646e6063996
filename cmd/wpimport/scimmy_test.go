//go:build scimmy

package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/testkit"
)

// The whole pipeline against SCIMMY, a SCIM server wpimport did not write:
// plan, apply, and a re-plan that finds the service as the roster says.
func TestBinarySCIMMYPlanApply(t *testing.T) {
	base := testkit.SCIMMY(t)
	env := scimmyEnv(base)
	dir := t.TempDir()
	roster := writeRoster(t, 40)
	planPath := filepath.Join(dir, "plan.json")
	r := runBinary(t, env, "plan", roster, "--out", planPath)
	if r.code != 0 || !strings.Contains(r.stderr, "Plan: 40 to create") {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	// SCIMMY has no Meta extension: auth_method is reported, not dropped in silence.
	if !strings.Contains(r.stderr, "40 rows give auth_method, which the SCIM service at 127.0.0.1:") {
		t.Fatalf("no word of auth_method:\n%s", r.stderr)
	}
	r = runBinary(t, env, "apply", planPath, "--rate", "200", "--results", filepath.Join(dir, "results.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "40 created") {
		t.Fatalf("apply: %d\n%s", r.code, r.stderr)
	}
	all := scimmyAccounts(t, base)
	mgrs := 0
	for _, a := range all {
		if a.ManagerID() != "" {
			mgrs++
		}
		if a.Department == "" || len(a.Phones) != 1 {
			t.Fatalf("%+v lacks what the roster gave", a)
		}
	}
	if len(all) != 40 || mgrs == 0 {
		t.Fatalf("%d accounts, %d with a manager", len(all), mgrs)
	}
	r = runBinary(t, env, "plan", roster, "--out", filepath.Join(dir, "again.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "Plan: 0 to create, 0 to update") {
		t.Fatalf("re-plan: %d\n%s", r.code, r.stderr)
	}
}

// Groups against SCIMMY: created with their members, then a mover, with
// --sync-groups; a re-plan finds nothing to do.
func TestBinarySCIMMYGroups(t *testing.T) {
	base := testkit.SCIMMY(t)
	env := scimmyEnv(base)
	dir := t.TempDir()
	q1 := writeText(t, "q1.csv", "name,email,external_id,groups\nAnn,ann@acme.example,E1,Eng;All\nBob,bob@acme.example,E2,Sales;All\nCat,cat@acme.example,E3,Eng\n")
	r := runBinary(t, env, "apply", q1, "--yes", "--results", filepath.Join(dir, "r1.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "Groups: 3 created; 5 members added") {
		t.Fatalf("q1: %d\n%s", r.code, r.stderr)
	}
	q2 := writeText(t, "q2.csv", "name,email,external_id,groups\nAnn,ann@acme.example,E1,Eng;All\nBob,bob@acme.example,E2,Sales;All\nCat,cat@acme.example,E3,Sales\n")
	r = runBinary(t, env, "apply", q2, "--yes", "--sync-groups", "--max-group-removals", "1", "--results", filepath.Join(dir, "r2.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "1 member added, 1 removed") {
		t.Fatalf("q2: %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, env, "plan", q2, "--sync-groups", "--out", filepath.Join(dir, "again.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "groups: 0 to create, 0 to update (0 members to add, 0 to remove), 3 unchanged") {
		t.Fatalf("re-plan: %d\n%s", r.code, r.stderr)
	}
}

// --bulk against SCIMMY's /Bulk: every row created once, managers set.
func TestBinarySCIMMYBulk(t *testing.T) {
	base := testkit.SCIMMY(t)
	env := scimmyEnv(base)
	dir := t.TempDir()
	roster := writeRoster(t, 120)
	planPath := filepath.Join(dir, "plan.json")
	if r := runBinary(t, env, "plan", roster, "--out", planPath); r.code != 0 {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	r := runBinary(t, env, "apply", planPath, "--bulk", "--rate", "200", "--results", filepath.Join(dir, "r.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "120 created") || !strings.Contains(r.stderr, "/Bulk requests of at most 50") {
		t.Fatalf("apply: %d\n%s", r.code, r.stderr)
	}
	all := scimmyAccounts(t, base)
	mgrs := 0
	for _, a := range all {
		if a.ManagerID() != "" {
			mgrs++
		}
	}
	if len(all) != 120 || mgrs != 119 {
		t.Fatalf("%d accounts, %d with a manager; want 120 and 119", len(all), mgrs)
	}
}

// check against SCIMMY says what it finds there: no ETags, no Meta
// extension, paging ignored in the query.
func TestCheckSCIMMY(t *testing.T) {
	base := testkit.SCIMMY(t)
	env := map[string]string{"WPIMPORT_API": "scim", "WPIMPORT_API_URL": base, "WPIMPORT_TOKEN": testkit.SCIMMYToken}
	roster := writeRoster(t, 3)
	if r := runBinary(t, scimmyEnv(base), "apply", roster, "--yes", "--results", filepath.Join(t.TempDir(), "r.json")); r.code != 0 {
		t.Fatalf("apply: %d\n%s", r.code, r.stderr)
	}
	code, out, errs := runCheck(t, env)
	for _, want := range []string{"Versions:    no", "Bulk:        yes (at most 50 operations", "Not carried: auth_method, invited, is_frontline, has_access, start_date, location, picture_file",
		"Users:       3", "startIndex ignored); listed by POST /Users/.search"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("no %q (exit %d):\n%s%s", want, code, out, errs)
		}
	}
}

func scimmyEnv(base string) []string {
	return []string{"WPIMPORT_API=scim", "WPIMPORT_API_URL=" + base, "WPIMPORT_TOKEN=" + testkit.SCIMMYToken}
}

// scimmyAccounts lists every account SCIMMY holds, through our client.
func scimmyAccounts(t *testing.T, base string) []target.Account {
	t.Helper()
	c, err := target.Open("scim", target.Config{URL: base, Token: testkit.SCIMMYToken})
	if err != nil {
		t.Fatal(err)
	}
	var all []target.Account
	if err := c.ListAll(context.Background(), func(p []target.Account) error { all = append(all, p...); return nil }); err != nil {
		t.Fatal(err)
	}
	return all
}
