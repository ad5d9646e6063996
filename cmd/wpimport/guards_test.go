package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/testkit"
)

var staffFirst = []string{"Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas"}
var staffLast = []string{"Chen", "Garcia", "Smith", "Okafor", "Novak", "Patel", "Kim", "Rossi", "Silva", "Nguyen"}

// staff is an emulator holding n active accounts, person i named
// staffFirst[i%10] staffLast[(i/10+i)%10], with the external id E01….
func staff(t *testing.T, n int) (*emulator.Server, [][3]string) {
	var accounts []*emulator.Account
	var people [][3]string // first, last, external id
	for i := 0; i < n; i++ {
		first, last := staffFirst[i%len(staffFirst)], staffLast[(i/len(staffFirst)+i)%len(staffLast)]
		ext := fmt.Sprintf("E%02d", i+1)
		people = append(people, [3]string{first, last, ext})
		accounts = append(accounts, &emulator.Account{ID: fmt.Sprint(100000000000001 + i), Name: first + " " + last,
			Email: fmt.Sprintf("%s.%s%d@acme.example", strings.ToLower(first), strings.ToLower(last), i), ExternalID: ext, Title: "Clerk", Active: true})
	}
	return testkit.Emulator(t, emulator.Config{State: &emulator.State{Accounts: accounts}}), people
}

func namesOf(srv *emulator.Server) map[string]string {
	out := map[string]string{}
	for _, a := range srv.Snapshot().Accounts {
		out[a.ExternalID] = a.Name
	}
	return out
}

// A csv whose name column holds surnames only (an HR export's "Name"; a
// misspelt first-name header is refused before planning, by the roster's
// own check) names everyone by surname: the plan would rename all 29
// accounts. Refused, exit 3, with the counts, three examples
// and the option; raised for the run, it is accepted; apply --yes refuses
// it the same way.
func TestBinaryMassRenameRefused(t *testing.T) {
	srv, people := staff(t, 29)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Given,Name,Email,Employee ID,Title\n")
	for i, p := range people {
		fmt.Fprintf(&b, "%s,%s,%s.%s%d@acme.example,%s,Clerk\n", p[0], p[1], strings.ToLower(p[0]), strings.ToLower(p[1]), i, p[2])
	}
	roster := filepath.Join(dir, "roster.csv")
	mapping := filepath.Join(dir, "mapping.csv")
	os.WriteFile(roster, []byte(b.String()), 0o644)
	os.WriteFile(mapping, []byte("header,field\nGiven,ignore\n"), 0o644)
	before := namesOf(srv)
	planPath := filepath.Join(dir, "plan.json")

	r := runBinary(t, targetEnv(srv), "plan", roster, "--mapping", mapping, "--out", planPath)
	want := []string{"Plan: 0 to create, 29 to update, 0 to deactivate, 0 to reactivate; 0 unchanged",
		"REFUSED: the plan renames 29 of the 29 accounts it matched, over the limit of 1 (--max-renames 5% of 29 matched accounts), " +
			"e.g. row 2 (E01): Olivia Chen → Chen; row 3 (E02): Liam Garcia → Garcia; row 4 (E03): Emma Smith → Smith. " +
			"Check the roster (a misspelt first- or last-name header, or the wrong column mapped to name?) or, if this is intended, " +
			"raise the limit for this run with --max-renames 29",
		"No change was made, and apply will not run this plan."}
	if r.code != exitRefused || r.stdout != "" {
		t.Fatalf("plan: exit %d, want 3\n%s", r.code, r.stderr)
	}
	for _, s := range want {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "To apply exactly this plan") {
		t.Errorf("a refused plan offers the apply command:\n%s", r.stderr)
	}
	if got := planFact(t, filepath.Join(dir, "plan.xlsx"), "rename guard"); got != "29 renames, limit 1 (--max-renames 5% of 29 matched accounts); OVER THE LIMIT" {
		t.Errorf("plan.xlsx rename guard: %q", got)
	}
	guards := changeGuards(t, planPath)
	if g := guards["name"]; g["changes"] != 29.0 || g["limit"] != 1.0 || g["matched"] != 29.0 || g["tripped"] != true || g["spec"] != "5%" {
		t.Errorf("recorded guard: %v", g)
	}
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--results", filepath.Join(dir, "results.json"))
	if r.code != exitRefused || !strings.Contains(r.stderr, "it was refused when planned: the plan renames 29") {
		t.Errorf("apply of the refused plan: %d\n%s", r.code, r.stderr)
	}
	// Edited to pass: refused again from its own ops, no call made.
	for name, edit := range map[string]func(p map[string]any){
		"refused dropped": func(p map[string]any) { delete(p, "refused") },
		"option raised": func(p map[string]any) {
			delete(p, "refused")
			p["options"].(map[string]any)["max_renames"] = "100%"
		},
	} {
		edited := filepath.Join(dir, "edited.json")
		data, _ := os.ReadFile(planPath)
		os.WriteFile(edited, data, 0o644)
		editPlan(t, edited, edit)
		srv.ResetStats()
		r = runBinary(t, targetEnv(srv), "apply", edited, "--results", filepath.Join(dir, "results.json"))
		want := map[string]string{"refused dropped": "the plan renames 29 of the 29 accounts it matched, over its own limit of 1 (--max-renames 5%)",
			"option raised": `the plan's --max-renames guard for name ("5%") is not its option ("100%"): the file was edited`}[name]
		if r.code != exitRefused || !strings.Contains(r.stderr, want) || srv.Stats().Calls != 0 {
			t.Errorf("%s: exit %d, %d calls, want 3 and %q\n%s", name, r.code, srv.Stats().Calls, want, r.stderr)
		}
	}

	// apply --yes plans the same and refuses the same, before any write.
	srv.ResetStats()
	r = runBinary(t, targetEnv(srv), "apply", roster, "--yes", "--mapping", mapping, "--results", filepath.Join(dir, "yes.json"))
	if r.code != exitRefused || !strings.Contains(r.stderr, "the plan was refused and will not be applied: the plan renames 29 of the 29 accounts it matched") ||
		!strings.Contains(r.stderr, "--max-renames 29") {
		t.Errorf("apply --yes: %d\n%s", r.code, r.stderr)
	}
	if st := srv.Stats(); st.ByRoute["POST /{id}"] != 0 {
		t.Errorf("write calls after a refusal: %v", st.ByRoute)
	}
	if got := namesOf(srv); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("names changed: %v", got)
	}

	// Intended (say the names were wrong in Workplace): raised for this run.
	r = runBinary(t, targetEnv(srv), "plan", roster, "--mapping", mapping, "--max-renames", "100%", "--out", planPath)
	if r.code != 0 || strings.Contains(r.stderr, "REFUSED") || !strings.Contains(r.stderr, "Plan: 0 to create, 29 to update") {
		t.Fatalf("--max-renames 100%%: %d\n%s", r.code, r.stderr)
	}
	if got := planFact(t, filepath.Join(dir, "plan.xlsx"), "rename guard"); got != "29 renames, limit 29 (--max-renames 100% of 29 matched accounts); raised above the default for this run" {
		t.Errorf("plan.xlsx rename guard: %q", got)
	}
	if g := changeGuards(t, planPath)["name"]; g["raised"] != true || g["tripped"] != false || g["spec"] != "100%" {
		t.Errorf("recorded guard: %v", g)
	}
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--results", filepath.Join(dir, "results.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "29 updated") {
		t.Fatalf("apply: %d\n%s", r.code, r.stderr)
	}
	if got := namesOf(srv); got["E01"] != "Chen" || got["E29"] != people[28][1] {
		t.Errorf("names after the raised apply: %v", got)
	}
}

// A typo in a login email is reported and not planned: the rest of the row
// is, and the account keeps its email.
func TestBinaryEmailTypoNotPlanned(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{State: &emulator.State{Accounts: []*emulator.Account{
		{ID: "100000000000001", Name: "Tom Walsh", Email: "tom.walsh@acme.example", ExternalID: "E1", Title: "Clerk", Active: true}}}})
	dir := t.TempDir()
	roster := filepath.Join(dir, "roster.csv")
	os.WriteFile(roster, []byte("name,email,external_id,title\nTom Walsh,tom.wlash@acme.example,E1,Manager\n"), 0o644)
	planPath := filepath.Join(dir, "plan.json")
	r := runBinary(t, targetEnv(srv), "plan", roster, "--out", planPath)
	want := `roster.csv: row 2, column "email": warning: the roster's email tom.wlash@acme.example differs from the account's, tom.walsh@acme.example ` +
		`(account 100000000000001, matched by external_id E1); the login email is not changed by the email column: ` +
		`if the roster is wrong, correct the cell; to change the login, put the new address in a new_email column [email.differs]`
	if r.code != 0 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "Plan: 0 to create, 1 to update") {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	data, _ := os.ReadFile(planPath)
	var p struct {
		Changes []struct {
			Fields []string `json:"fields"`
			After  struct {
				Email string `json:"email"`
				Title string `json:"title"`
			} `json:"after"`
		} `json:"changes"`
	}
	json.Unmarshal(data, &p)
	if len(p.Changes) != 1 || !slices.Equal(p.Changes[0].Fields, []string{"title"}) || p.Changes[0].After.Title != "Manager" || p.Changes[0].After.Email != "" {
		t.Errorf("changes: %+v", p.Changes)
	}
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--results", filepath.Join(dir, "results.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "1 updated") {
		t.Fatalf("apply: %d\n%s", r.code, r.stderr)
	}
	a := srv.Snapshot().Accounts[0]
	if a.Email != "tom.walsh@acme.example" || a.Title != "Manager" {
		t.Errorf("account after apply: %s, %s", a.Email, a.Title)
	}
}

// planFact is the value of a fact on the Summary sheet of a plan workbook.
func planFact(t *testing.T, path, name string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Summary")
	for _, r := range rows {
		if len(r) >= 2 && r[0] == name {
			return r[1]
		}
	}
	t.Fatalf("%s: no fact %q", path, name)
	return ""
}

// changeGuards are a plan file's recorded mass-update guards by field.
func changeGuards(t *testing.T, path string) map[string]map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Guards []map[string]any `json:"change_guards"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, g := range p.Guards {
		out[g["field"].(string)] = g
	}
	return out
}
