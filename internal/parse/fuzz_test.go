package parse

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// checkReader opens data as a roster and reads it to the end: it must never
// panic, fail with anything but a *FileError, or number rows out of order.
func checkReader(t *testing.T, name string, data []byte) {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(p, Options{MaxUnzipBytes: 64 << 20})
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("Open: %T %v, want *FileError", err, err)
		}
		return
	}
	defer r.Close()
	last := r.Header.Row
	for r.Next() {
		row := r.Row()
		if row.Row <= last {
			t.Fatalf("row %d after row %d", row.Row, last)
		}
		last = row.Row
	}
	if err := r.Err(); err != nil {
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("Err: %T %v, want *FileError", err, err)
		}
	}
}

func FuzzCSV(f *testing.F) {
	seeds := []string{
		"name,email\nAna,a@x.example\n",
		"Title\n\nname;email;title\r\nAna;a@x.example;\"x\ny\"\r\n",
		"name\temail\n\"Bo\"\"\tb@x\n",
		"\xef\xbb\xbfname|email\nA|b\n",
		"\xff\xfen\x00a\x00m\x00e\x00,\x00e\x00m\x00a\x00i\x00l\x00\n\x00A\x00,\x00b\x00\n\x00",
		"name,email\n\"unterminated,a@x\nB,b@x\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile("testdata/fuzz-seed.csv"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReader(t, "r.csv", data)
	})
}

func FuzzXLSX(f *testing.F) {
	for _, p := range []string{"../../samples/roster.xlsx"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReader(t, "r.xlsx", data)
	})
}
