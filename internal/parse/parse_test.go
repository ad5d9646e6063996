package parse

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/wpimport/wpimport/internal/roster"
)

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type gotRow struct {
	Row   int
	Cells []string
	Codes []string
}

func readAll(t *testing.T, path string, opts Options) (*Reader, []gotRow) {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	var rows []gotRow
	for r.Next() {
		row := r.Row()
		g := gotRow{Row: row.Row, Cells: row.Cells()}
		for _, is := range row.Issues {
			g.Codes = append(g.Codes, is.Code)
		}
		rows = append(rows, g)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("Err: %v", err)
	}
	return r, rows
}

func utf16(t *testing.T, s string, order unicode.Endianness) []byte {
	t.Helper()
	b, err := unicode.UTF16(order, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const simple = "name,email,external_id\nZoë Ünal,zoe@x.example,7\n"

func TestCSVEncodings(t *testing.T) {
	cp1252, _ := charmap.Windows1252.NewEncoder().Bytes([]byte(simple))
	tests := []struct {
		name     string
		data     []byte
		wantWarn bool
	}{
		{"utf8", []byte(simple), false},
		{"utf8 bom", append([]byte{0xEF, 0xBB, 0xBF}, simple...), false},
		{"utf16le bom", utf16(t, simple, unicode.LittleEndian), false},
		{"utf16be bom", utf16(t, simple, unicode.BigEndian), false},
		{"windows-1252", cp1252, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, rows := readAll(t, writeFile(t, "r.csv", tt.data), Options{})
			if len(rows) != 1 || rows[0].Cells[0] != "Zoë Ünal" || rows[0].Row != 2 {
				t.Fatalf("rows = %+v", rows)
			}
			if got := r.Header.Columns[0].Field; got != roster.Name {
				t.Errorf("first header field = %q (BOM not stripped?)", got)
			}
			warned := len(r.FileIssues) > 0 && r.FileIssues[0].Code == "file.encoding"
			if warned != tt.wantWarn {
				t.Errorf("encoding warning = %v, want %v (%v)", warned, tt.wantWarn, r.FileIssues)
			}
		})
	}
}

func TestCSVDelimiters(t *testing.T) {
	for _, d := range []string{",", ";", "\t", "|"} {
		t.Run(strings.ReplaceAll(d, "\t", "tab"), func(t *testing.T) {
			data := strings.NewReplacer(",", d).Replace("name,email,title\r\nAna,ana@x.example,\"Lead, Sales\"\r\nBo,bo@x.example,Dev\r\n")
			if d != "," {
				data = strings.ReplaceAll(data, "Lead"+d+" Sales", "Lead, Sales")
			}
			_, rows := readAll(t, writeFile(t, "r.csv", []byte(data)), Options{})
			if len(rows) != 2 || rows[0].Cells[2] != "Lead, Sales" || rows[1].Cells[1] != "bo@x.example" {
				t.Fatalf("rows = %+v", rows)
			}
		})
	}
}

// Row numbers are what a spreadsheet shows: blank lines count, a quoted
// newline does not start a row, title rows above the header count.
func TestCSVRowNumbers(t *testing.T) {
	data := "Acme export\n\nname,email,title\n" + // header on row 3
		"Ana,ana@x.example,\"two\nlines\"\n" + // row 4, spans 2 lines
		"\n" + // row 5, blank: skipped
		"Bo,bo@x.example,Dev\n" + // row 6
		",,\n" + // row 7, empty cells: skipped
		"Cy,cy@x.example,Ops\n" // row 8
	r, rows := readAll(t, writeFile(t, "r.csv", []byte(data)), Options{})
	if r.Header.Row != 3 {
		t.Errorf("header row = %d, want 3", r.Header.Row)
	}
	want := []int{4, 6, 8}
	if len(rows) != len(want) {
		t.Fatalf("rows = %+v", rows)
	}
	for i, w := range want {
		if rows[i].Row != w {
			t.Errorf("record %d: row %d, want %d", i, rows[i].Row, w)
		}
	}
	if rows[0].Cells[2] != "two\nlines" {
		t.Errorf("quoted newline: %q", rows[0].Cells[2])
	}
}

func TestCSVRaggedAndBadQuotes(t *testing.T) {
	data := "name,email,title\n" +
		"Ana,ana@x.example,Dev,extra\n" + // row 2: too many cells
		"Bo,bo@x.example\n" + // row 3: short
		"Cy \"CJ\" Doe,cy@x.example,Dev\n" + // row 4: bare quote
		"Di,di@x.example,Ops\n" // row 5: fine after the bad one
	_, rows := readAll(t, writeFile(t, "r.csv", []byte(data)), Options{})
	if len(rows) != 4 {
		t.Fatalf("rows = %+v", rows)
	}
	wantCodes := [][]string{{"row.ragged"}, {"row.ragged"}, {"row.unreadable"}, nil}
	for i, w := range wantCodes {
		if strings.Join(rows[i].Codes, ",") != strings.Join(w, ",") {
			t.Errorf("row %d codes = %v, want %v", rows[i].Row, rows[i].Codes, w)
		}
	}
	if rows[2].Row != 4 || rows[3].Row != 5 || rows[3].Cells[0] != "Di" {
		t.Errorf("rows after a bad quote: %+v", rows[2:])
	}
}

func TestMappingFile(t *testing.T) {
	csvMap := writeFile(t, "m.csv", []byte("header,field\nPersonal Nr,external_id\nFull Legal Name,name\n"))
	yamlMap := writeFile(t, "m.yaml", []byte("Personal Nr: external_id\nFull Legal Name: name\n"))
	roster := writeFile(t, "r.csv", []byte("Full Legal Name,Personal Nr\nAna,0042\n"))
	for _, m := range []string{csvMap, yamlMap} {
		mapping, err := LoadMapping(m)
		if err != nil {
			t.Fatal(err)
		}
		r, rows := readAll(t, roster, Options{Mapping: mapping})
		if !r.Header.Has("external_id") || rows[0].Cells[1] != "0042" {
			t.Errorf("%s: header %+v rows %+v", m, r.Header.Columns, rows)
		}
	}
	if _, err := LoadMapping(writeFile(t, "bad.csv", []byte("header,field\nX,shoe_size\n"))); err == nil || !strings.Contains(err.Error(), "shoe_size") {
		t.Errorf("unknown field in mapping: err = %v", err)
	}
}

// A header that looks misspelt is accepted when a mapping names it (to a
// field, or as a column to ignore), and when its field has a column already.
func TestMisspeltHeaderAccepted(t *testing.T) {
	typo := writeFile(t, "r.csv", []byte("Frist Name,Last Name,Work Emial\nOlivia,Chen,o@x.example\n"))
	mapping, err := LoadMapping(writeFile(t, "m.csv", []byte("header,field\nFrist Name,first_name\nWork Emial,email\n")))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := readAll(t, typo, Options{Mapping: mapping})
	if !r.Header.Has("first_name") || !r.Header.Has("email") || len(r.FileIssues) != 0 {
		t.Errorf("mapped: header %+v, file issues %v", r.Header.Columns, r.FileIssues)
	}
	ignore, err := LoadMapping(writeFile(t, "m.yaml", []byte("Frist Name: IGNORE\nFirst: first_name\nWork Emial: email\n")))
	if err != nil {
		t.Fatal(err)
	}
	extra := writeFile(t, "r2.csv", []byte("First,Frist Name,Last Name,Work Emial\nOlivia,x,Chen,o@x.example\n"))
	r, _ = readAll(t, extra, Options{Mapping: ignore})
	if len(r.FileIssues) != 1 || r.FileIssues[0].Code != "file.unknown_columns" || !strings.Contains(r.FileIssues[0].Message, `"Frist Name"`) {
		t.Errorf("ignored: file issues %v", r.FileIssues)
	}
	both := writeFile(t, "r3.csv", []byte("First Name,Frist Name,Last Name,Email,Work Emial\nOlivia,x,Chen,o@x.example,y\n"))
	r, _ = readAll(t, both, Options{})
	if len(r.FileIssues) != 1 || r.FileIssues[0].Code != "file.unknown_columns" ||
		!strings.Contains(r.FileIssues[0].Message, `2 columns not imported (kept in the outputs): "Frist Name", "Work Emial"`) {
		t.Errorf("extra columns: file issues %v", r.FileIssues)
	}
}

func xlsxFile(t *testing.T, build func(f *excelize.File)) string {
	t.Helper()
	f := excelize.NewFile()
	build(f)
	p := filepath.Join(t.TempDir(), "r.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestXLSXTypedCells(t *testing.T) {
	p := xlsxFile(t, func(f *excelize.File) {
		date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		custom := "dd/mm/yyyy"
		euro, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
		num2, _ := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
		f.SetCellValue("Sheet1", "A1", "Roster as of today")
		f.SetSheetRow("Sheet1", "A3", &[]any{"Name", "Employee ID", "Start Date", "Active", "Phone", "Hire date"})
		f.SetSheetRow("Sheet1", "A4", &[]any{"Ana", 42, time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), true, 447236123459, time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)})
		f.SetCellStyle("Sheet1", "C4", "C4", date)
		f.SetCellStyle("Sheet1", "F4", "F4", euro)
		f.SetCellStyle("Sheet1", "B4", "B4", num2)
		f.SetSheetRow("Sheet1", "A5", &[]any{"Bo", 1.2345678901234568e+25, "2024-01-02", false, "+1 555", nil})
	})
	r, rows := readAll(t, p, Options{})
	if r.Header.Row != 3 {
		t.Errorf("header row = %d", r.Header.Row)
	}
	want := []gotRow{
		{Row: 4, Cells: []string{"Ana", "42", "2024-03-04", "TRUE", "447236123459", "2024-12-31"}},
		{Row: 5, Cells: []string{"Bo", "12345678901234500000000000", "2024-01-02", "FALSE", "+1 555"}},
	}
	for i := range want {
		if strings.Join(rows[i].Cells, "|") != strings.Join(want[i].Cells, "|") || rows[i].Row != want[i].Row {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
}

func TestXLSXSheets(t *testing.T) {
	p := xlsxFile(t, func(f *excelize.File) {
		f.SetCellValue("Sheet1", "A1", "hidden")
		f.NewSheet(PeopleSetsSheet)
		f.SetSheetRow(PeopleSetsSheet, "A1", &[]any{"people_set", "field"})
		f.NewSheet("Staff")
		f.SetSheetRow("Staff", "A1", &[]any{"Name", "Email"})
		f.SetSheetRow("Staff", "A2", &[]any{"Ana", "ana@x.example"})
		f.NewSheet("Other")
		f.SetSheetRow("Other", "A1", &[]any{"Name", "Email"})
		f.SetSheetRow("Other", "A2", &[]any{"Zed", "zed@x.example"})
		f.SetActiveSheet(2)
		if err := f.SetSheetVisible("Sheet1", false); err != nil {
			t.Fatal(err)
		}
	})
	r, rows := readAll(t, p, Options{})
	if r.Sheet != "Staff" || rows[0].Cells[0] != "Ana" {
		t.Errorf("default sheet %q rows %+v", r.Sheet, rows)
	}
	r, rows = readAll(t, p, Options{Sheet: "other"})
	if r.Sheet != "Other" || rows[0].Cells[0] != "Zed" {
		t.Errorf("--sheet other: %q rows %+v", r.Sheet, rows)
	}
	_, err := Open(p, Options{Sheet: "Nope"})
	if err == nil || !strings.Contains(err.Error(), `no sheet named "Nope"`) || !strings.Contains(err.Error(), `"Staff"`) {
		t.Errorf("missing sheet: %v", err)
	}
}

func validXLSX(t *testing.T) []byte {
	p := xlsxFile(t, func(f *excelize.File) {
		f.SetSheetRow("Sheet1", "A1", &[]any{"Name", "Email"})
		for i := 2; i < 200; i++ {
			cell, _ := excelize.CoordinatesToCellName(1, i)
			f.SetSheetRow("Sheet1", cell, &[]any{"Person", "p@x.example"})
		}
	})
	b, _ := os.ReadFile(p)
	return b
}

func TestRefusals(t *testing.T) {
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)
	encrypted := append(append([]byte{}, ole...), utf16le("EncryptionInfo")...)
	good := validXLSX(t)
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	w.Write(bytes.Repeat([]byte{' '}, 8<<20))
	zw.Close()
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i * 7 % 256)
	}
	tests := []struct {
		name, file string
		data       []byte
		opts       Options
		want       string
	}{
		{"empty", "r.csv", nil, Options{}, "the file is empty"},
		{"header only", "r.csv", []byte("name,email\n"), Options{}, "no data rows"},
		{"header and blank lines", "r.csv", []byte("name,email\n,\n\n"), Options{}, "no data rows"},
		{"no header", "r.csv", []byte("a,b,c\n1,2,3\n"), Options{}, "no header row found"},
		{"no name column", "r.csv", []byte("email,title\na@x.example,Dev\n"), Options{}, "no name column"},
		{"no identity column", "r.csv", []byte("name,title\nAna,Dev\n"), Options{}, "neither an email nor an external_id column"},
		{"misspelt header", "r.csv", []byte("Frist Name,Last Name,Email\nOlivia,Chen,o@x.example\n"), Options{},
			`the column "Frist Name" looks like a misspelling of "First Name" (first_name): rename it, or map it with --mapping FILE if it is another column`},
		{"misspelt headers", "r.csv", []byte("Frist Name,Last Name,Work Emial,Emplyee Number,Status\nOlivia,Chen,o@x.example,E1,x\n"), Options{},
			`3 columns look like misspellings: "Frist Name" of "First Name" (first_name), "Work Emial" of "Work Email" (email), ` +
				`"Emplyee Number" of "Employee Number" (external_id); rename them`},
		{"last name only", "r.csv", []byte("Last Name,Email\nChen,o@x.example\n"), Options{},
			`names would come from the last name alone (column "Last Name"): there is no first name column; add one ("First name"), or a full-name column ("Name"), or map`},
		{"first name only", "r.csv", []byte("email,first_name\no@x.example,Olivia\n"), Options{},
			`names would come from the first name alone (column "first_name"): there is no last name column`},
		{"encrypted", "r.xlsx", encrypted, Options{}, "protected with a password"},
		{"legacy xls", "r.xls", ole, Options{}, "legacy Excel 97-2003"},
		{"truncated xlsx", "r.xlsx", good[:len(good)/2], Options{}, "damaged or truncated"},
		{"zip bomb", "r.xlsx", bomb.Bytes(), Options{MaxUnzipBytes: 1 << 20}, "unpacks to more than"},
		{"binary garbage", "r.csv", garbage, Options{}, "not a spreadsheet or CSV"},
		{"directory", "", nil, Options{}, "is a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p string
			if tt.file == "" {
				p = t.TempDir()
			} else {
				p = writeFile(t, tt.file, tt.data)
			}
			_, err := Open(p, tt.opts)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FileError", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), p) {
				t.Errorf("err = %q, want it to name the file and say %q", err, tt.want)
			}
		})
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.csv"), Options{}); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
}

func TestDateKind(t *testing.T) {
	tests := []struct {
		id   int
		code string
		want fmtKind
	}{
		{14, "", isDate}, {22, "", isDateTime}, {0, "", notDate}, {2, "", notDate}, {49, "", notDate},
		{164, "dd/mm/yyyy", isDate}, {165, `[$-409]mmmm d, yyyy;@`, isDate}, {166, "yyyy-mm-dd hh:mm", isDateTime},
		{167, `"Day "0`, notDate}, {168, "#,##0.00", notDate}, {169, "General", notDate}, {170, "0.00E+00", notDate},
	}
	for _, tt := range tests {
		if got := dateKind(tt.id, tt.code); got != tt.want {
			t.Errorf("dateKind(%d, %q) = %v, want %v", tt.id, tt.code, got, tt.want)
		}
	}
}
