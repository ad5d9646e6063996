//go:build scimmy

package testkit

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// SCIMMYToken is the token the SCIMMY server accepts.
const SCIMMYToken = "scimmy-test-token"

// SCIMMY starts the independent SCIM server (tools/scimmy: SCIMMY and
// scimmy-routers on express) for the test's lifetime and returns its base
// URL. Its npm packages must be installed (.ci/run does: npm ci); when
// they are not, the test fails saying how, it never skips.
func SCIMMY(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "tools", "scimmy")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "scimmy-routers")); err != nil {
		t.Fatalf("the SCIMMY server's packages are not installed: run (cd %s && npm ci), as .ci/run does", dir)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "node", "server.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TOKEN="+SCIMMYToken, "PORT=0")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start node: %v", err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "LISTENING "); ok {
				lines <- u
			}
		}
	}()
	select {
	case u := <-lines:
		return u
	case <-time.After(20 * time.Second):
		t.Fatal("the SCIMMY server did not start in 20 s")
	}
	return ""
}

func repoRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}
