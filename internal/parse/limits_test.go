package parse

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// rosterXLSX writes a workbook of n people and returns its bytes.
func rosterXLSX(t testing.TB, n int) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, _ := f.NewStreamWriter("Sheet1")
	sw.SetRow("A1", []any{"name", "email", "external_id"})
	for i := 1; i <= n; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		sw.SetRow(cell, []any{fmt.Sprintf("Person %d", i), fmt.Sprintf("p%d@example.com", i), fmt.Sprintf("E%04d", i)})
	}
	sw.Flush()
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rewritePart returns the workbook with one part changed by edit.
func rewritePart(t testing.TB, data []byte, part string, edit func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == part {
			b = edit(b)
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	return out.Bytes()
}

// cellOfRow replaces the first text of row n's first cell.
func editRow(n int, from, to string) func([]byte) []byte {
	return func(b []byte) []byte {
		at := bytes.Index(b, fmt.Appendf(nil, `<row r="%d"`, n))
		i := at + bytes.Index(b[at:], []byte(from))
		return append(append(append([]byte{}, b[:i]...), to...), b[i+len(from):]...)
	}
}

// A sheet that does not parse to its end is refused, naming the sheet and
// the row where reading stopped: never a short read.
func TestXLSXShortReadRefused(t *testing.T) {
	base := rosterXLSX(t, 100) // rows 2..101
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"bare ampersand in row 98", "row 98", rewritePart(t, base, "xl/worksheets/sheet1.xml", editRow(98, "Person 97", "Person & 97"))},
		{"undefined entity in row 3", "row 3", rewritePart(t, base, "xl/worksheets/sheet1.xml", editRow(3, "Person 2", "Person &nbsp; 2"))},
		{"cut short", "cut short", rewritePart(t, base, "xl/worksheets/sheet1.xml", func(b []byte) []byte { return b[:len(b)*2/3] })},
		{"mismatched tags", "closed by", rewritePart(t, base, "xl/worksheets/sheet1.xml", editRow(50, "</c>", "</row>"))},
		{"control character", "illegal character", rewritePart(t, base, "xl/worksheets/sheet1.xml", editRow(60, "Person", "Per\x01son"))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "roster.xlsx", tc.data)
			_, err := Open(p, Options{})
			var fe *FileError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `sheet "Sheet1"`) {
				t.Fatalf("Open: %v; want a FileError naming sheet \"Sheet1\" and %q", err, tc.want)
			}
		})
	}
	// The intact workbook reads every row.
	_, rows := readAll(t, writeFile(t, "ok.xlsx", base), Options{})
	if len(rows) != 100 {
		t.Errorf("intact workbook: %d rows", len(rows))
	}
}

// bombXLSX writes a sheet of rows rows of one small cell, compressed.
func bombXLSX(t *testing.T, rows, cols int) string {
	t.Helper()
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"name", "email"})
	var b bytes.Buffer
	f.Write(&b)
	f.Close()
	data := rewritePart(t, b.Bytes(), "xl/worksheets/sheet1.xml", func(x []byte) []byte {
		var s bytes.Buffer
		s.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		s.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>email</t></is></c></row>`)
		for i := 2; i <= rows; i++ {
			fmt.Fprintf(&s, `<row r="%d">`, i)
			for c := 1; c <= cols; c++ {
				s.WriteString(`<c t="inlineStr"><is><t>x</t></is></c>`)
			}
			s.WriteString(`</row>`)
		}
		s.WriteString(`</sheetData></worksheet>`)
		return s.Bytes()
	})
	return writeFile(t, "bomb.xlsx", data)
}

// A sheet past Excel's limits is refused as soon as reading passes them.
func TestXLSXPastExcelLimitsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 1M-row sheet")
	}
	p := bombXLSX(t, MaxSheetRows+10, 1)
	_, err := Open(p, Options{})
	if err == nil || !strings.Contains(err.Error(), "more than 1048576 rows") {
		t.Errorf("too many rows: %v", err)
	}
	wide := bombXLSX(t, 3, MaxSheetCols+1)
	if _, err := Open(wide, Options{}); err == nil || !strings.Contains(err.Error(), "more than 16384 columns") {
		t.Errorf("too many columns: %v", err)
	}
	// Within Excel's limit but too wide for the reports beside it.
	wide = bombXLSX(t, 3, MaxSheetCols-2)
	if _, err := Open(wide, Options{}); err == nil || !strings.Contains(err.Error(), "reads at most 16368") {
		t.Errorf("too wide for the outputs: %v", err)
	}
	entries, _ := os.ReadDir(os.TempDir())
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "excelize-") {
			if st, _ := e.Info(); st != nil && st.ModTime().After(startTime) {
				t.Errorf("excelize temporary file left behind: %s", e.Name())
			}
		}
	}
}

// A csv whose quote never closes would swallow every following row into
// one cell: refused. Invalid UTF-8 and overlong cells are row errors.
func TestCSVShortReadAndBadCells(t *testing.T) {
	p := writeFile(t, "r.csv", []byte("name,email\nA,a@x.io\n\"B,b@x.io\nC,c@x.io\nD,d@x.io\n"))
	r, err := Open(p, Options{})
	if err == nil {
		for r.Next() {
		}
		err = r.Err()
		r.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "never closed") || !strings.Contains(err.Error(), "row 3") {
		t.Errorf("unclosed quote: %v", err)
	}
	var b strings.Builder
	b.WriteString("name,email\n")
	for i := 0; b.Len() < 70<<10; i++ {
		fmt.Fprintf(&b, "Person %d,p%d@example.com\n", i, i)
	}
	b.WriteString("Bad \xff name,bad@example.com\n")
	b.WriteString("Long,long@example.com,")
	b.WriteString(strings.Repeat("x", 40_000))
	b.WriteString("\nAfter,after@example.com\n")
	_, rows := readAll(t, writeFile(t, "r.csv", []byte(b.String())), Options{})
	n := len(rows)
	if got := rows[n-3]; len(got.Codes) != 1 || got.Codes[0] != "row.encoding" || strings.Contains(got.Cells[0], "\xff") {
		t.Errorf("invalid UTF-8 row: %+v", got)
	}
	if got := rows[n-2]; len(got.Codes) != 1 || got.Codes[0] != "row.cell_too_long" {
		t.Errorf("long cell row: %v", got.Codes)
	}
	if got := rows[n-1]; got.Cells[0] != "After" || len(got.Codes) != 0 {
		t.Errorf("row after them: %+v", got)
	}
}

// FuzzXMLScan holds the pre-pass to Go's strict decoder, which excelize
// uses: whatever the decoder stops on, the scan must refuse, or a damaged
// sheet would again be a silent short read.
func FuzzXMLScan(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>`))
	f.Add([]byte(`<a b='1' c="&amp;&#65;&#x42;"><![CDATA[x]]><!-- c --><b/></a>`))
	f.Add([]byte(`<x:a xmlns:x="u"><x:row><x:c>&lt;é</x:c></x:row></x:a>`))
	f.Add([]byte(`<a>& b</a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ours := scanXML(bytes.NewReader(data), 0)
		d := xml.NewDecoder(bytes.NewReader(data))
		var theirs error
		for {
			if _, err := d.Token(); err != nil {
				if err != io.EOF {
					theirs = err
				}
				break
			}
		}
		if theirs != nil && ours == nil && !bytes.Contains(data, []byte("<?")) {
			t.Fatalf("encoding/xml stops (%v) where the scan passes: %q", theirs, data)
		}
	})
}

var startTime = time.Now()

func TestUnknownColumnsWarningIsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("name,email")
	for i := range 9997 {
		fmt.Fprintf(&b, ",extra%d", i)
	}
	b.WriteString("\nA,a@x.io\n")
	r, _ := readAll(t, writeFile(t, "wide.csv", []byte(b.String())), Options{})
	for _, is := range r.FileIssues {
		if is.Code == "file.unknown_columns" && (len(is.Message) > 400 || !strings.Contains(is.Message, "9997 columns") || !strings.Contains(is.Message, "and 9985 more")) {
			t.Errorf("%d characters: %.300s", len(is.Message), is.Message)
		}
	}
}
