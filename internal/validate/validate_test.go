package validate

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/parse"
	"github.com/wpimport/wpimport/internal/roster"
)

func validateCSV(t *testing.T, data string) *Result {
	t.Helper()
	p := filepath.Join(t.TempDir(), "r.csv")
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	rd, err := parse.Open(p, parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	res, err := Validate(rd)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// codes returns "code/severity" of every issue of the row at spreadsheet row.
func codes(res *Result, row int) []string {
	var out []string
	for _, r := range res.Rows {
		if r.Row == row {
			for _, is := range r.Issues {
				out = append(out, is.Code+"/"+string(is.Severity))
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestFieldRules(t *testing.T) {
	tests := []struct {
		field, value string
		want         string // "" = no issue
		norm         string // normalized value, if checked
	}{
		{"email", "ana@acme.example", "", ""},
		{"email", "ana@acme", "email.invalid/error", ""},
		{"email", "ana.acme.example", "email.invalid/error", ""},
		{"email", "@acme.example", "email.invalid/error", ""},
		{"email", "a b@acme.example", "email.invalid/error", ""},
		{"email", "a@b@acme.example", "email.invalid/error", ""},
		{"external_id", "000123", "", "000123"},
		{"external_id", "1.23457E+18", "external_id.scientific/error", ""},
		{"external_id", "1e5", "external_id.scientific/error", ""},
		{"external_id", "E12e3", "", ""},
		{"work_locale", "en_US", "", "en_US"},
		{"work_locale", "en-US", "work_locale.normalized/warning", "en_US"},
		{"work_locale", "EN_us", "work_locale.normalized/warning", "en_US"},
		{"work_locale", "pt_BR", "", "pt_BR"},
		{"work_locale", "xx_US", "work_locale.invalid/error", ""},
		{"work_locale", "en_XX", "work_locale.invalid/error", ""},
		{"work_locale", "eng_US", "work_locale.invalid/error", ""},
		{"work_locale", "english", "work_locale.invalid/error", ""},
		{"work_locale", "en_EU", "work_locale.invalid/error", ""},
		{"auth_method", "SSO", "", "sso"},
		{"auth_method", "Password", "", "password"},
		{"auth_method", "magic link", "auth_method.invalid/error", ""},
		{"active", "Yes", "", "true"},
		{"active", "n", "", "false"},
		{"active", "0", "", "false"},
		{"active", "TRUE", "", "true"},
		{"active", "maybe", "active.invalid/error", ""},
		{"invited", "x", "invited.invalid/error", ""},
		{"start_date", "2024-03-04", "", "2024-03-04"},
		{"start_date", "2024-03-04T09:30:00Z", "", "2024-03-04"},
		{"start_date", "2024-03-04 09:30:00", "", "2024-03-04"},
		{"start_date", "2024-02-30", "start_date.invalid/error", ""},
		{"start_date", "2023-02-29", "start_date.invalid/error", ""},
		{"start_date", "2024-02-29", "", "2024-02-29"},
		{"start_date", "03/04/2024", "start_date.ambiguous/error", ""},
		{"start_date", "3.4.2024", "start_date.ambiguous/error", ""},
		{"start_date", "March 4th", "start_date.invalid/error", ""},
		{"start_date", "45383", "start_date.invalid/error", ""},
		{"phone", "+44 7236 123459", "", "+447236123459"},
		{"phone", "+1 (212) 555-0102", "", "+12125550102"},
		{"phone", "+1.212.555.0102", "", "+12125550102"},
		{"phone", "447236123459", "phone.invalid/error", ""},
		{"phone", "+44 723", "phone.invalid/error", ""},
		{"phone", "+1234567890123456", "phone.invalid/error", ""},
		{"phone", "+44 7236 12345x", "phone.invalid/error", ""},
	}
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.value, func(t *testing.T) {
			norm, p := rules[roster.Field(tt.field)](tt.value)
			got := ""
			if p != nil {
				got = p.code + "/" + string(p.severity)
				if p.msg == "" || !strings.Contains(p.msg, tt.value) && tt.field != "phone" {
					t.Errorf("message %q does not quote the value", p.msg)
				}
			}
			if got != tt.want {
				t.Errorf("issue = %q, want %q", got, tt.want)
			}
			if tt.norm != "" && norm != tt.norm {
				t.Errorf("normalized = %q, want %q", norm, tt.norm)
			}
		})
	}
}

func TestRowRules(t *testing.T) {
	res := validateCSV(t, "first_name,last_name,email,external_id,is_frontline,has_access,title\n"+
		"Ana,Lima,ana@x.example,,,,\n"+ // 2: name built from first+last
		",,bo@x.example,,,,\n"+ // 3: no name
		"Cy,,,,,,\n"+ // 4: no identity
		"Di,,di@x.example,,false,true,\n"+ // 5: has_access without frontline
		"Ed,,ed@x.example,,true,true,\n"+ // 6: fine
		"Fa,,fa@x.example,,,,\"Dev\tOps\"\n"+ // 7: a tab, folded
		"Gu,,gu@x.example,,,,\"Senior Engineer\r\nPlatform\"\n"+ // 8: Alt+Enter in Excel, folded
		"Ha,,ha@x.example,,,,\"Dev\x01Ops\"\n") // 9: a control character
	want := map[int][]string{
		2: nil,
		3: {"name.missing/error"},
		4: {"identity.missing/error"},
		5: {"has_access.requires_frontline/error"},
		6: nil,
		7: {"text.folded/warning"},
		8: {"text.folded/warning"},
		9: {"text.control_chars/error"},
	}
	for row, w := range want {
		if got := codes(res, row); strings.Join(got, ",") != strings.Join(w, ",") {
			t.Errorf("row %d: %v, want %v", row, got, w)
		}
	}
	if d := res.Desired(0); d.Values[roster.Name] != "Ana Lima" {
		t.Errorf("built name = %q", d.Values[roster.Name])
	}
	if d := res.Desired(6); d.Values[roster.Title] != "Senior Engineer Platform" {
		t.Errorf("folded title = %q: the plan must show and send the folded value", d.Values[roster.Title])
	}
}

// Value gives one field exactly as Desired does, for every field and row.
func TestValueMatchesDesired(t *testing.T) {
	res := validateCSV(t, "first_name,last_name,email,external_id,is_frontline,has_access,title,locale,groups\n"+
		"Ana,Lima, ana@x.example ,e1,TRUE,no,\"Dev\tOps\",en-us,\"Eng; Ops\"\n"+
		",,bo@x.example,,,,,,\n"+
		"Cy,,,,yes,,\"Senior\r\nEngineer\",FR_fr,\n")
	for i := range res.Rows {
		d := res.Desired(i)
		for _, f := range append([]roster.Field{roster.Name, roster.Phone}, roster.Fields...) {
			if got, want := res.Value(i, f), d.Values[f]; got != want {
				t.Errorf("row %d, %s: Value %q, Desired %q", i, f, got, want)
			}
		}
	}
	if v := res.Value(0, roster.Email); v != "ana@x.example" {
		t.Errorf("email = %q, want it trimmed", v)
	}
}

func TestDuplicates(t *testing.T) {
	res := validateCSV(t, "name,email,external_id\n"+
		"A,ana@x.example,1\n"+
		"B,ANA@X.example,2\n"+ // same email, other case
		"C,cy@x.example,3\n"+
		"D,di@x.example,3\n"+ // same external_id
		"E,,3\n"+ // same external_id again
		"F,fa@x.example,6\n")
	want := map[int][]string{
		2: {"email.duplicate/error"}, 3: {"email.duplicate/error"},
		4: {"external_id.duplicate/error"}, 5: {"external_id.duplicate/error"}, 6: {"external_id.duplicate/error"},
		7: nil,
	}
	for row, w := range want {
		if got := codes(res, row); strings.Join(got, ",") != strings.Join(w, ",") {
			t.Errorf("row %d: %v, want %v", row, got, w)
		}
	}
	msg := res.Rows[2].Issues[0].Message
	if !strings.Contains(msg, "row 5, 6") {
		t.Errorf("duplicate message should name the other rows: %q", msg)
	}
}

func TestManagers(t *testing.T) {
	res := validateCSV(t, "name,email,external_id,manager\n"+
		"Boss,boss@x.example,1,\n"+ // 2
		"Self,self@x.example,2,self@x.example\n"+ // 3: self by email
		"A,a@x.example,3,4\n"+ // 4: cycle A→B→C→A (by external_id)
		"B,b@x.example,4,C@X.EXAMPLE\n"+ // 5: (by email, any case)
		"C,c@x.example,5,3\n"+ // 6
		"D,d@x.example,6,3\n"+ // 7: reports into the cycle but is not on it
		"E,e@x.example,7,ghost@x.example\n"+ // 8: not in the file
		"F,f@x.example,8,boss@x.example\n") // 9: fine
	want := map[int][]string{
		2: nil, 3: {"manager.self/error"},
		4: {"manager.cycle/error"}, 5: {"manager.cycle/error"}, 6: {"manager.cycle/error"},
		7: nil, 8: {"manager.not_found/warning"}, 9: nil,
	}
	for row, w := range want {
		if got := codes(res, row); strings.Join(got, ",") != strings.Join(w, ",") {
			t.Errorf("row %d: %v, want %v", row, got, w)
		}
	}
	if valid, invalid := res.Counts(); valid != 4 || invalid != 4 {
		t.Errorf("counts = %d valid, %d invalid", valid, invalid)
	}
	if got := res.ManagerRow(7); got != 0 {
		t.Errorf("ManagerRow(F) = %d, want 0", got)
	}
}

// A 10k-deep management chain must not blow the stack or take quadratic time.
func TestDeepChain(t *testing.T) {
	var b strings.Builder
	b.WriteString("name,external_id,manager\n")
	for i := 0; i < 10000; i++ {
		mgr := ""
		if i > 0 {
			mgr = "e" + strconv.Itoa(i-1)
		}
		b.WriteString("P,e" + strconv.Itoa(i) + "," + mgr + "\n")
	}
	res := validateCSV(t, b.String())
	if _, invalid := res.Counts(); invalid != 0 {
		t.Errorf("%d invalid rows in a plain chain", invalid)
	}
}

// Every code the package can emit is documented in the README.
func TestCodesDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range CodeList() {
		if !strings.Contains(string(readme), "`"+c+"`") {
			t.Errorf("README does not document the issue code %s", c)
		}
	}
}

// A large duplicate group is named by its size and first row, in time
// linear in the rows.
func TestLargeDuplicateGroup(t *testing.T) {
	var b strings.Builder
	b.WriteString("name,email\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "P%d,shared@x.example\n", i)
	}
	res := validateCSV(t, b.String())
	for _, i := range []int{0, 4999} {
		is := res.Rows[i].Issues
		if len(is) != 1 || is[0].Code != "email.duplicate" || !strings.Contains(is[0].Message, "is on 5000 rows, the first row 2") || len(is[0].Message) > 200 {
			t.Errorf("row %d: %+v", res.Rows[i].Row, is)
		}
	}
}
