package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/testkit"
)

// A misspelt header is a file error (exit 2) naming the file, the header
// as written and the column meant, for validate, plan and apply --yes; the
// roster is never planned and nothing is read or written in Workplace.
func TestBinaryMisspeltHeaderRefused(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{State: &emulator.State{Accounts: []*emulator.Account{
		{ID: "100000000000001", Name: "Olivia Chen", Email: "olivia@acme.example", ExternalID: "E1", Active: true},
	}}})
	const hint = "rename it, or map it with --mapping FILE if it is another column"
	for _, tc := range []struct{ header, row, want string }{
		{"Frist Name,Last Name,Email,Employee ID", "Olivia,Chen,olivia@acme.example,E1",
			`the column "Frist Name" looks like a misspelling of "First Name" (first_name): ` + hint},
		{"First Name,Last Name,Work Emial,Employee ID", "Olivia,Chen,olivia@acme.example,E1",
			`the column "Work Emial" looks like a misspelling of "Work Email" (email): ` + hint},
		{"First Name,Last Name,Email,Emplyee Number", "Olivia,Chen,olivia@acme.example,E1",
			`the column "Emplyee Number" looks like a misspelling of "Employee Number" (external_id): ` + hint},
		{"Frist Name,Last Name,Work Emial,Emplyee Number,Status", "Olivia,Chen,olivia@acme.example,E1,x",
			`3 columns look like misspellings: "Frist Name" of "First Name" (first_name), "Work Emial" of "Work Email" (email), ` +
				`"Emplyee Number" of "Employee Number" (external_id); rename them, or map each one that is another column with --mapping FILE`},
	} {
		dir := t.TempDir()
		roster := testkit.WriteFile(t, "roster.csv", []byte(tc.header+"\n"+tc.row+"\n"))
		planPath := filepath.Join(dir, "plan.json")
		srv.ResetStats()
		for _, args := range [][]string{
			{"validate", roster},
			{"plan", roster, "--sync", "--out", planPath},
			{"apply", roster, "--yes", "--results", filepath.Join(dir, "results.json")},
		} {
			r := runBinary(t, targetEnv(srv), args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, roster+": "+tc.want) || r.stdout != "" {
				t.Errorf("%s %s: exit %d, want 2 and %q\n%s", args[0], tc.header, r.code, tc.want, r.stderr)
			}
		}
		if _, err := os.Stat(planPath); err == nil {
			t.Errorf("%s: a plan was written", tc.header)
		}
		if st := srv.Stats(); len(st.ByRoute) != 0 {
			t.Errorf("%s: API calls were made: %v", tc.header, st.ByRoute)
		}
	}
	if st := srv.Snapshot(); st.Accounts[0].Name != "Olivia Chen" || len(st.Accounts) != 1 {
		t.Errorf("Workplace changed: %+v", st.Accounts)
	}
}

// The same header is accepted when --mapping maps it (the name is then
// whole), or when the column it resembles is there too (then it is just a
// column not imported, as before).
func TestBinaryMisspeltHeaderAccepted(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	dir := t.TempDir()
	roster := testkit.WriteFile(t, "roster.csv", []byte("Frist Name,Last Name,Work Emial,Emplyee Number\nOlivia,Chen,olivia@acme.example,E1\n"))
	mapping := testkit.WriteFile(t, "mapping.csv", []byte("header,field\nFrist Name,first_name\nWork Emial,email\nEmplyee Number,external_id\n"))
	r := runBinary(t, targetEnv(srv), "apply", roster, "--mapping", mapping, "--yes", "--results", filepath.Join(dir, "r.json"))
	if r.code != 0 || !strings.Contains(r.stderr, "1 created") {
		t.Fatalf("mapped: %d\n%s", r.code, r.stderr)
	}
	if a := srv.Snapshot().Accounts; len(a) != 1 || a[0].Name != "Olivia Chen" || a[0].Email != "olivia@acme.example" || a[0].ExternalID != "E1" {
		t.Errorf("account: %+v", a[0])
	}
	// "ignore" keeps a near-miss header as a column that is not imported.
	ignore := testkit.WriteFile(t, "ignore.yaml", []byte("Frist Name: first_name\nWork Emial: email\nEmplyee Number: ignore\n"))
	r = runBinary(t, nil, "validate", roster, "--mapping", ignore)
	if r.code != 0 || !strings.Contains(r.stderr, `1 columns not imported (kept in the outputs): "Emplyee Number"`) {
		t.Errorf("ignored: %d\n%s", r.code, r.stderr)
	}
	both := testkit.WriteFile(t, "both.csv", []byte("First Name,Frist Name,Last Name,Email,Work Emial,Employee ID,Emplyee Number\n"+
		"Olivia,O.,Chen,olivia@acme.example,o@old.example,E1,1\n"))
	r = runBinary(t, nil, "validate", both)
	if r.code != 0 || !strings.Contains(r.stderr, both+`: file: warning: 3 columns not imported (kept in the outputs): "Frist Name", "Work Emial", "Emplyee Number"`) {
		t.Errorf("correct column present: %d\n%s", r.code, r.stderr)
	}
}

// Columns admins really add are not typos: still one warning, exit 0.
func TestBinaryUnknownColumnsStayWarnings(t *testing.T) {
	cols := []string{"Status", "Claimed", "timezone", "Badge Colour", "Notes", "Team", "Site", "Grade", "Region", "Level", "Country", "City",
		"Shift", "User Name", "Manager Name", "Department ID", "Email 2", "Location ID", "Nickname", "Home Phone", "End Date"}
	vals := make([]string, len(cols))
	for i := range vals {
		vals[i] = "x"
	}
	roster := testkit.WriteFile(t, "roster.csv", []byte("First Name,Last Name,Email,"+strings.Join(cols, ",")+"\n"+
		"Olivia,Chen,olivia@acme.example,"+strings.Join(vals, ",")+"\n"))
	r := runBinary(t, nil, "validate", roster)
	if r.code != 0 || !strings.Contains(r.stderr, `file: warning: 21 columns not imported (kept in the outputs): "Status", "Claimed", "timezone", `+
		`"Badge Colour", "Notes", "Team", "Site", "Grade", "Region", "Level", "Country", "City" and 9 more`) || !strings.Contains(r.stderr, "1 valid, 0 invalid") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}

// A name from one half only is refused: the plan would rename everyone.
func TestBinaryHalfNameRefused(t *testing.T) {
	for _, tc := range []struct{ csv, want string }{
		{"Last Name,Email\nChen,olivia@acme.example\n", `names would come from the last name alone (column "Last Name"): there is no first name column; ` +
			`add one ("First name"), or a full-name column ("Name"), or map the column that holds first names with --mapping FILE`},
		{"email,first_name\nolivia@acme.example,Olivia\n", `names would come from the first name alone (column "first_name"): there is no last name column; ` +
			`add one ("Last name"), or a full-name column ("Name"), or map the column that holds last names with --mapping FILE`},
	} {
		roster := testkit.WriteFile(t, "roster.csv", []byte(tc.csv))
		for _, cmd := range []string{"validate", "plan"} {
			r := runBinary(t, nil, cmd, roster, "--out", filepath.Join(t.TempDir(), "x.json"))
			if r.code != exitUsage || !strings.Contains(r.stderr, roster+": "+tc.want) {
				t.Errorf("%s: exit %d, want 2 and %q\n%s", cmd, r.code, tc.want, r.stderr)
			}
		}
	}
	// A name column beside a last name is fine.
	ok := testkit.WriteFile(t, "ok.csv", []byte("Name,Last Name,Email\nOlivia Chen,Chen,olivia@acme.example\n"))
	if r := runBinary(t, nil, "validate", ok); r.code != 0 {
		t.Errorf("name and last name: %d\n%s", r.code, r.stderr)
	}
}

// plan and apply ROSTER --yes print the findings about the whole file,
// once, before the plan's summary, as validate does.
func TestBinaryPlanPrintsFileFindings(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	dir := t.TempDir()
	roster := testkit.WriteFile(t, "roster.csv", []byte("name,email,Work Email,Badge Colour\nOlivia Chen,olivia@acme.example,,blue\n"))
	unknown := roster + `: file: warning: 1 columns not imported (kept in the outputs): "Badge Colour"; if one should be imported, rename it or map it with --mapping [file.unknown_columns]`
	dup := roster + `: file: warning: columns "email", "Work Email" all map to email; the first non-empty value of each row is used [file.duplicate_column]`
	for _, args := range [][]string{
		{"validate", roster},
		{"plan", roster, "--out", filepath.Join(dir, "plan.json")},
		{"apply", roster, "--yes", "--results", filepath.Join(dir, "r.json")},
	} {
		r := runBinary(t, targetEnv(srv), args...)
		if r.code != 0 {
			t.Fatalf("%s: %d\n%s", args[0], r.code, r.stderr)
		}
		for _, w := range []string{unknown, dup} {
			if n := strings.Count(r.stderr, w); n != 1 {
				t.Errorf("%s: %q printed %d times\n%s", args[0], w, n, r.stderr)
			}
			if i, j := strings.Index(r.stderr, w), strings.Index(r.stderr, "rows: 1 valid, 0 invalid"); i > j {
				t.Errorf("%s: %q comes after the summary\n%s", args[0], w, r.stderr)
			}
		}
	}
}

// Every column a target does not take is named, once each, with the rows
// that give it, by validate (offline: what no service of the target
// carries), plan (its warnings and plan.xlsx) and check, and nothing is
// sent: location on both targets; start_date on Graph (a SCIM service
// with Meta's start/term dates extension, as the emulator's, carries it).
func TestBinaryStartDateLocationNamed(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	roster := testkit.WriteFile(t, "roster.csv", []byte("name,email,start_date,location\n"+
		"Ann,ann@acme.example,2024-01-02,Paris\nBob,bob@acme.example,2024-03-04,\nCat,cat@acme.example,,\n"))
	for _, tc := range []struct {
		api, target, offline string
		env                  []string
		named                []string // the fields not carried, with the rows that give them
		notCarried           string   // check's line
	}{
		{"graph", "Workplace's Graph API", "Workplace's Graph API", targetEnv(srv), []string{"2 rows give start_date", "1 row gives location"},
			"Not carried: start_date, location, groups"},
		{"scim", "the SCIM service at " + strings.TrimPrefix(srv.URL(), "http://"), "a SCIM 2.0 service", scimEnv(srv), []string{"1 row gives location"},
			"Not carried: is_frontline, has_access, location, picture_file"},
	} {
		dir := t.TempDir()
		r := runBinary(t, nil, "validate", roster, "--api", tc.api)
		for _, f := range tc.named {
			if tc.api == "scim" && strings.Contains(f, "start_date") {
				continue
			}
			w := "file: warning: " + f + ", which " + tc.offline + " cannot carry: plan will name it again and send it nowhere [target.not_carried]"
			if r.code != 0 || strings.Count(r.stderr, w) != 1 {
				t.Errorf("validate --api %s: exit %d, want %q once\n%s", tc.api, r.code, w, r.stderr)
			}
		}
		planPath := filepath.Join(dir, "plan.json")
		r = runBinary(t, tc.env, "plan", roster, "--out", planPath)
		for _, f := range tc.named {
			w := "Warning: " + f + ", which " + tc.target + " cannot carry: it is not sent to any account"
			if r.code != 0 || strings.Count(r.stderr, w) != 1 {
				t.Errorf("plan --api %s: exit %d, want %q once\n%s", tc.api, r.code, w, r.stderr)
			}
		}
		if tc.api == "scim" && strings.Contains(r.stderr, "start_date, which") {
			t.Errorf("plan --api scim names start_date, which the service carries:\n%s", r.stderr)
		}
		facts := planFacts(t, filepath.Join(dir, "plan.xlsx"))
		for _, f := range tc.named {
			field := f[strings.LastIndex(f, " ")+1:]
			if !strings.Contains(facts["not carried by the target"], field) || !strings.Contains(facts["warning"], f) {
				t.Errorf("plan.xlsx --api %s: not carried %q, warnings %q; want %s", tc.api, facts["not carried by the target"], facts["warning"], f)
			}
		}
		code, out, errs := runCheck(t, envMap(tc.env))
		if code != 0 || strings.Count(out, "Not carried: ") != 1 || !strings.Contains(out, tc.notCarried) {
			t.Errorf("check --api %s: %d\n%s%s", tc.api, code, out, errs)
		}
	}
	r := runBinary(t, targetEnv(srv), "apply", roster, "--yes", "--results", filepath.Join(t.TempDir(), "r.json"))
	if r.code != 0 || strings.Count(r.stderr, "Warning: 2 rows give start_date") != 1 || strings.Count(r.stderr, "Warning: 1 row gives location") != 1 {
		t.Fatalf("apply --yes: %d\n%s", r.code, r.stderr)
	}
	for _, a := range srv.Snapshot().Accounts {
		if a.StartDate != "" || a.Location != "" {
			t.Errorf("sent: %s start_date %q location %q", a.Name, a.StartDate, a.Location)
		}
	}
}

// planFacts reads the Facts of plan.xlsx's Summary sheet (a label seen
// several times keeps its values joined by " | ").
func planFacts(t *testing.T, path string) map[string]string {
	t.Helper()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("Summary")
	if err != nil {
		t.Fatal(err)
	}
	facts := map[string]string{}
	in := false
	for _, r := range rows {
		switch {
		case len(r) > 0 && r[0] == "Facts":
			in = true
		case in && len(r) >= 2:
			if facts[r[0]] != "" {
				facts[r[0]] += " | "
			}
			facts[r[0]] += r[1]
		}
	}
	return facts
}

// envMap turns KEY=VALUE pairs into the map runCheck takes.
func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}
