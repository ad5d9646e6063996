package report

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/testkit"
	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func sampleDoc(t *testing.T, sample string) *Document {
	t.Helper()
	doc := FromValidation(testkit.Validate(t, filepath.Join("../../samples", sample)))
	doc.Source = sample
	return doc
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+2": "'=1+2", "+44 20": "'+44 20", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"Ana": "Ana", "": "", "a=b": "a=b",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSVReport(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.csv")
	if err := Write(p, sampleDoc(t, "roster.csv")); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(p)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 23 { // header + 22 rows
		t.Fatalf("%d records", len(recs))
	}
	head := strings.Join(recs[0][:len(fixedHeaders)], ",")
	if head != "row,name,key,status,action,changes,issues,account_id,attempts,error_code,error_message" {
		t.Errorf("header = %s", head)
	}
	// Original columns are kept, formula-like cells neutralized.
	ada := recs[1]
	if ada[0] != "2" || ada[3] != "valid" || ada[len(fixedHeaders)] != "Ada Lovelace" {
		t.Errorf("first row = %v", ada)
	}
	if phone := ada[len(fixedHeaders)+12]; phone != "'+44 20 7946 0001" {
		t.Errorf("phone cell = %q, want it prefixed with '", phone)
	}
	for _, r := range recs[1:] {
		if r[0] == "13" && (r[3] != "invalid" || !strings.Contains(r[6], "email.invalid")) {
			t.Errorf("row 13 = %v", r)
		}
	}
}

func TestJSONGolden(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.json")
	if err := Write(p, sampleDoc(t, "roster.csv")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	var parsed struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(got, &parsed); err != nil {
		t.Fatalf("not json: %v", err)
	}
	for _, k := range []string{"row", "key", "action", "status", "account_id", "changes", "issues", "attempts"} {
		if _, ok := parsed.Rows[0][k]; !ok {
			t.Errorf("rows lack %q", k)
		}
	}
	golden := "testdata/roster.validation.json"
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("json differs from %s (run go test ./internal/report -update and review the diff)", golden)
	}
}

func TestXLSXReport(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.xlsx")
	if err := Write(p, sampleDoc(t, "roster.csv")); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Summary,Rows" {
		t.Errorf("sheets = %s", got)
	}
	panes, _ := f.GetPanes("Rows")
	if !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v", panes)
	}
	tables, _ := f.GetTables("Rows")
	if len(tables) != 1 || tables[0].Range != "A1:Z23" {
		t.Errorf("filter table = %+v", tables)
	}
	rows, _ := f.GetRows("Rows")
	if len(rows) != 23 || rows[12][0] != "13" || rows[12][3] != "invalid" {
		t.Fatalf("row 13 = %v", rows[12])
	}
	fill := func(cell string) string {
		id, _ := f.GetCellStyle("Rows", cell)
		st, _ := f.GetStyle(id)
		if st == nil || len(st.Fill.Color) == 0 {
			return ""
		}
		return st.Fill.Color[0]
	}
	if got := fill("D13"); got != "FFC7CE" {
		t.Errorf("invalid status fill = %q", got)
	}
	if got := fill("D2"); got != "C6EFCE" {
		t.Errorf("valid status fill = %q", got)
	}
	if got := fill("M13"); got != "FFC7CE" { // the email cell of row 13
		t.Errorf("invalid email cell fill = %q", got)
	}
	if got := fill("L13"); got != "" { // its name cell is fine
		t.Errorf("valid cell fill = %q", got)
	}
	summary, _ := f.GetRows("Summary")
	if summary[0][0] != "wpimport validation" || summary[4][0] != "valid" || summary[4][1] != "14" || summary[5][1] != "8" {
		t.Errorf("summary = %v", summary[:6])
	}
	zr, _ := zip.OpenReader(p)
	defer zr.Close()
	chart := false
	for _, zf := range zr.File {
		chart = chart || strings.HasPrefix(zf.Name, "xl/charts/chart")
	}
	if !chart {
		t.Error("no chart in the summary")
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := CheckPath("x.pdf"); err == nil || !strings.Contains(err.Error(), ".xlsx, .csv or .json") {
		t.Errorf("CheckPath(x.pdf) = %v", err)
	}
}

// Every cell holding a separator of any locale or a quote is quoted, on
// top of neutralising a leading formula character.
func TestCSVCellsQuotedForEveryLocale(t *testing.T) {
	for in, want := range map[string]string{
		"x;=1+1;y":  `"x;=1+1;y"`,
		"a,b":       `"a,b"`,
		"tab\there": "\"tab\there\"",
		`say "hi"`:  `"say ""hi"""`,
		"=1+1":      `'=1+1`,
		"=1;2":      `"'=1;2"`,
		"plain":     `plain`,
		" padded ":  `" padded "`,
	} {
		if got := string(appendCSVCell(nil, in)); got != want {
			t.Errorf("%q: got %s want %s", in, got, want)
		}
	}
}
