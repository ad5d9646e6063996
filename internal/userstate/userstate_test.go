package userstate

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDir(t *testing.T) {
	cases := []struct {
		env  map[string]string
		goos string
		want string
		err  string
	}{
		{map[string]string{"WPIMPORT_STATE_DIR": "/s", "XDG_STATE_HOME": "/x", "HOME": "/h"}, "linux", "/s", ""},
		{map[string]string{"XDG_STATE_HOME": "/x", "HOME": "/h"}, "linux", "/x/wpimport", ""},
		{map[string]string{"XDG_STATE_HOME": "relative", "HOME": "/h"}, "linux", "/h/.local/state/wpimport", ""},
		{map[string]string{"HOME": "/h"}, "freebsd", "/h/.local/state/wpimport", ""},
		{map[string]string{}, "linux", "", "set WPIMPORT_STATE_DIR"},
	}
	for _, c := range cases {
		got, err := Dir(envOf(c.env), c.goos)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v: %q, %v; want an error saying %q", c.env, got, err, c.err)
			}
			continue
		}
		if err != nil || got != filepath.FromSlash(c.want) {
			t.Errorf("%v on %s: %q, %v; want %q", c.env, c.goos, got, err, c.want)
		}
	}
	if d, err := Dir(envOf(map[string]string{"WPIMPORT_STATE_DIR": "rel"}), "linux"); err != nil || !filepath.IsAbs(d) {
		t.Errorf("a relative WPIMPORT_STATE_DIR: %q, %v; want it made absolute", d, err)
	}
	if cfg, err := os.UserConfigDir(); err == nil {
		if d, _ := Dir(envOf(nil), "darwin"); d != filepath.Join(cfg, "wpimport") {
			t.Errorf("macOS: %q", d)
		}
	}
}

// The key is made once, 0600 in a 0700 folder, and read back the same.
func TestKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	env := envOf(map[string]string{"WPIMPORT_STATE_DIR": dir})
	s, err := Open(env)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Key()) != KeyBytes || s.Warning() != "" || !s.Created() {
		t.Fatalf("key %d bytes, warning %q", len(s.Key()), s.Warning())
	}
	if runtime.GOOS != "windows" {
		for path, want := range map[string]os.FileMode{dir: 0o700, s.KeyPath(): 0o600} {
			if st, err := os.Stat(path); err != nil || st.Mode().Perm() != want {
				t.Errorf("%s: mode %v, want %v (%v)", path, st.Mode().Perm(), want, err)
			}
		}
	}
	again, err := Open(env)
	if err != nil || string(again.Key()) != string(s.Key()) || again.Created() {
		t.Fatalf("second open: %v; same key %v", err, string(again.Key()) == string(s.Key()))
	}
	if runtime.GOOS != "windows" {
		os.Chmod(s.KeyPath(), 0o644)
		if again, _ := Open(env); again == nil || !strings.Contains(again.Warning(), "chmod 600") {
			t.Errorf("a key others can read gives no warning")
		}
	}
	os.WriteFile(s.KeyPath(), []byte("not a key\n"), 0o600)
	if _, err := Open(env); err == nil || !strings.Contains(err.Error(), "is not a wpimport key") {
		t.Errorf("damaged key: %v", err)
	}
}

func TestClaim(t *testing.T) {
	s, err := Open(envOf(map[string]string{"WPIMPORT_STATE_DIR": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	digest := "sha256:" + strings.Repeat("ab", 32)
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	calls := 0
	allow := func(a *Applied) error { calls++; return nil }
	if a, err := s.Applied(digest); a != nil || err != nil {
		t.Fatalf("before any apply: %v, %v", a, err)
	}
	if err := s.Claim(digest, "/a/plan.json", "/a/plan.journal", t0, allow); err != nil || calls != 0 {
		t.Fatalf("first claim: %v, allow called %d times", err, calls)
	}
	refuse := errors.New("refused")
	if err := s.Claim(digest, "/b/plan.json", "/b/plan.journal", t0.Add(time.Hour), func(*Applied) error { return refuse }); err != refuse {
		t.Fatalf("refused claim: %v", err)
	}
	if err := s.Claim(digest, "/a/plan.json", "/a/plan.journal", t0.Add(2*time.Hour), allow); err != nil || calls != 1 {
		t.Fatalf("claim of the same journal: %v (%d)", err, calls)
	}
	for i := range 30 {
		j := filepath.FromSlash("/c/" + strings.Repeat("x", i) + "/plan.journal")
		if err := s.Claim(digest, "/c/plan.json", j, t0.Add(time.Duration(3+i)*time.Hour), allow); err != nil {
			t.Fatal(err)
		}
	}
	a, err := s.Applied(digest)
	if err != nil || a == nil {
		t.Fatalf("record: %v, %v", a, err)
	}
	if !a.First.Equal(t0) || a.Runs[0].Journal != "/a/plan.journal" || len(a.Runs) != maxRuns || a.Has("/b/plan.journal") {
		t.Errorf("record: first %v, %d runs, first run %+v", a.First, len(a.Runs), a.Runs[0])
	}
	if runtime.GOOS != "windows" {
		path, _ := s.appliedPath(digest)
		if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
			t.Errorf("record mode %v", st.Mode().Perm())
		}
	}
	if _, err := s.Applied("sha256:../../etc/passwd"); err == nil {
		t.Error("a digest that is not one is taken for a file name")
	}
}
