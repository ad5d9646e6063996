//go:build unix

package safefile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWriteIsAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.xlsx")
	os.WriteFile(p, []byte("old"), 0o600)
	err := Write(p, func(w io.Writer) error {
		w.Write([]byte("half"))
		return errors.New("disk full")
	})
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("err = %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("a failed write changed the file: %q", b)
	}
	func() {
		defer func() { recover() }()
		Write(p, func(io.Writer) error { panic("boom") })
	}()
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if err := Write(p, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if b, _ := os.ReadFile(p); string(b) != "new" || st.Mode().Perm()&^0o644 != 0 {
		t.Errorf("%q, mode %v", b, st.Mode())
	}
}

func TestClash(t *testing.T) {
	dir := t.TempDir()
	roster := filepath.Join(dir, "q.xlsx")
	os.WriteFile(roster, []byte("x"), 0o600)
	os.Symlink(roster, filepath.Join(dir, "link.xlsx"))
	var in Inputs
	in.Add(roster)
	for _, out := range []string{roster, filepath.Join(dir, ".", "q.xlsx"), filepath.Join(dir, "link.xlsx")} {
		if in.Clash(out) == "" {
			t.Errorf("%s is the roster", out)
		}
	}
	if got := in.Derive(roster, "plan"); got != filepath.Join(dir, "q.plan.xlsx") {
		t.Errorf("derive: %s", got)
	}
	if got := in.Derive(roster, "plan", filepath.Join(dir, "q.plan.xlsx")); got != filepath.Join(dir, "q.plan-2.xlsx") {
		t.Errorf("derive past a taken name: %s", got)
	}
}

func TestOpenRefusesFIFOAndDevices(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	syscall.Mkfifo(fifo, 0o600)
	start := time.Now()
	for _, p := range []string{fifo, "/dev/zero", t.TempDir()} {
		if _, err := ReadFile(p, 1<<20); err == nil {
			t.Errorf("%s was read", p)
		}
	}
	if time.Since(start) > time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

func TestLockIsExclusiveAndTakenOver(t *testing.T) {
	p := filepath.Join(t.TempDir(), "plan.journal.lock")
	l, err := TryLock(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TryLock(p); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "pid") {
		t.Errorf("second lock: %v", err)
	}
	l.Unlock()
	l2, err := TryLock(p)
	if err != nil {
		t.Errorf("after unlock: %v", err)
	}
	l2.Unlock()
}
