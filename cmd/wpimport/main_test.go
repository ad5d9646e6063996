package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/testkit"
)

var binary, testRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wpimport-bin")
	if err != nil {
		panic(err)
	}
	testRoot = dir
	// Commands run in this process (the demo's, help) never reach the
	// real user's state folder either.
	os.Setenv("WPIMPORT_STATE_DIR", filepath.Join(dir, "in-process-state"))
	binary = filepath.Join(dir, "wpimport")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build wpimport: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

var stateDirs sync.Map // top-level test name → its state folder

// stateDir is the test's wpimport state folder (the key that seals plans,
// the record of applied plans), shared by its subtests: every command of
// one test runs as one user, never as the real one. A test plays another
// user by giving WPIMPORT_STATE_DIR in runBinary's env.
func stateDir(t *testing.T) string {
	name, _, _ := strings.Cut(t.Name(), "/")
	if d, ok := stateDirs.Load(name); ok {
		return d.(string)
	}
	d, err := os.MkdirTemp(testRoot, "state-")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(t.Name(), "/") {
		t.Cleanup(func() { stateDirs.Delete(name); os.RemoveAll(d) })
	}
	v, _ := stateDirs.LoadOrStore(name, d)
	return v.(string)
}

// runBinary runs the built binary with a clean environment plus env, in
// the test's own state folder (unless env names another).
func runBinary(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = "../.."
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "WPIMPORT_STATE_DIR=" + stateDir(t)}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

func TestBinaryValidate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.xlsx")
	tests := []struct {
		name       string
		args       []string
		code       int
		stderrHas  []string
		stdoutWant string
	}{
		{"canonical csv", []string{"validate", "samples/roster.csv", "--out", out}, 1,
			[]string{"samples/roster.csv: 22 rows: 14 valid, 8 invalid", `row 13, column "email": error:`, "[email.invalid]", "Report written to " + out}, ""},
		{"admin panel template", []string{"validate", "--out", out, "samples/admin-panel-template.csv"}, 1,
			[]string{"7 rows: 4 valid, 3 invalid", `column "Login Method"`, "[auth_method.invalid]"}, ""},
		{"xlsx", []string{"validate", "samples/roster.xlsx"}, 1,
			[]string{`(sheet "Employees"): 6 rows: 4 valid, 2 invalid`, "[external_id.scientific]", `"Badge Colour"`}, ""},
		{"sheet without a roster", []string{"validate", "--sheet", "People Sets", "samples/roster.xlsx"}, 2,
			[]string{"no header row found"}, ""},
		{"missing file", []string{"validate", "nope.csv"}, 2, []string{"nope.csv: no such file"}, ""},
		{"people sets", []string{"validate", "samples/admin-panel-template.csv", "--people-sets", "cmd/wpimport/testdata/bad-sets.csv"}, 1,
			[]string{`people set "Shoes"`, "[people_set.field_invalid]", "2 people sets: 1 valid, 1 invalid"}, ""},
		{"workbook people sets", []string{"validate", "samples/roster.xlsx"}, 1, []string{"samples/roster.xlsx: 2 people sets: 2 valid, 0 invalid"}, ""},
		{"no args", []string{"validate"}, 2, []string{"give exactly one roster file", "Example:"}, ""},
		{"bad out", []string{"validate", "samples/roster.csv", "--out", "x.pdf"}, 2, []string{"unknown output format"}, ""},
		{"help", []string{"validate", "--help"}, 0, []string{"Usage: wpimport validate", "Example:"}, ""},
		{"unknown command", []string{"frobnicate"}, 2, []string{`unknown command "frobnicate"`}, ""},
		{"version", []string{"version"}, 0, nil, "wpimport dev\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runBinary(t, nil, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit code %d, want %d\nstderr:\n%s", r.code, tt.code, r.stderr)
			}
			if r.stdout != tt.stdoutWant {
				t.Errorf("stdout = %q, want %q", r.stdout, tt.stdoutWant)
			}
			for _, s := range tt.stderrHas {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
		})
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("report not written: %v", err)
	}
}

func TestParseValidate(t *testing.T) {
	e := &env{stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }}
	tests := []struct {
		args    []string
		want    validateOptions
		wantErr string
	}{
		{[]string{"r.csv"}, validateOptions{inputOptions: inputOptions{Roster: "r.csv"}, API: "graph"}, ""},
		{[]string{"r.xlsx", "--sheet", "Staff", "--out", "o.json"}, validateOptions{inputOptions: inputOptions{Roster: "r.xlsx", Sheet: "Staff"}, Out: "o.json", API: "graph"}, ""},
		{[]string{"--mapping", "m.csv", "r.csv", "--api", "scim"}, validateOptions{inputOptions: inputOptions{Roster: "r.csv", Mapping: "m.csv"}, API: "scim"}, ""},
		{[]string{"r.csv", "--api", "ldap"}, validateOptions{}, "--api must be graph or scim"},
		{[]string{"a.csv", "b.csv"}, validateOptions{}, "exactly one roster"},
		{[]string{"r.csv", "--out", "o.txt"}, validateOptions{}, "unknown output format"},
		{[]string{"r.csv", "--bogus"}, validateOptions{}, "unknown option --bogus"},
	}
	for _, tt := range tests {
		got, err := parseValidate(e, tt.args)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: err = %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || *got != tt.want {
			t.Errorf("%v: got %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
}

func TestRunInProcess(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"validate", "../../samples/admin-panel-template.csv"}, nil, &out, &errb)
	if code != exitRows || out.Len() != 0 || !strings.Contains(errb.String(), "4 valid, 3 invalid") {
		t.Errorf("code %d stdout %q stderr %q", code, out.String(), errb.String())
	}
}

// The emulator command serves SCIM beside Graph, in the profile asked for.
func TestEmulatorCommandServesSCIM(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &testkit.SyncBuffer{}
	var stderr testkit.SyncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"emulator", "--addr", "127.0.0.1:0", "--scim-profile", "meta"}, nil, out, &stderr)
	}()
	var base string
	for deadline := time.Now().Add(5 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, line := range strings.Split(out.String(), "\n") {
			if v, ok := strings.CutPrefix(line, "WPIMPORT_API_URL="); ok {
				base = v
			}
		}
	}
	if base == "" {
		t.Fatalf("no URL printed: %s", stderr.String())
	}
	get := func(path string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+emulator.DefaultToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if a, b := get("/scim/v2/Users"), get("/scim/v2/Groups"); a != 200 || b != 404 {
		t.Fatalf("meta profile: /Users %d, /Groups %d", a, b)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "SCIM 2.0 (meta profile) at "+base+"/scim/v2") {
		t.Fatalf("banner: %s", stderr.String())
	}
	if code := run(context.Background(), []string{"emulator", "--webhook", "http://127.0.0.1:1/hook"}, nil, out, &stderr); code != exitUsage {
		t.Fatalf("--webhook without --app-secret: exit %d", code)
	}
}
