package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/rostergen"
	"github.com/wpimport/wpimport/internal/testkit"
)

// A stale $WPIMPORT_TOKEN wins over a correct $WORKPLACE_ACCESS_TOKEN:
// apply says so once, stops naming $WPIMPORT_TOKEN (never the token), and
// fails no row; the plain rerun with the right token does them all.
func TestBinaryStaleTokenNamed(t *testing.T) {
	srv, dir, planPath := planned(t, 13)
	results := filepath.Join(dir, "results.json")
	env := []string{"WPIMPORT_API_URL=" + srv.URL(), "WPIMPORT_TOKEN=stale-token-0123456789", "WORKPLACE_ACCESS_TOKEN=" + srv.Token()}
	r := runBinary(t, env, "apply", planPath, "--results", results)
	for _, want := range []string{
		"Note: WPIMPORT_TOKEN and WORKPLACE_ACCESS_TOKEN are both set, to different tokens; using $WPIMPORT_TOKEN",
		"NOT DONE: 13 not attempted",
		"The API refused the token from $WPIMPORT_TOKEN: it is wrong, expired or revoked",
		"Once that is fixed, run: wpimport apply " + planPath + " --results " + results,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stale token: no %q in\n%s", want, r.stderr)
		}
	}
	if r.code != exitFatal || strings.Count(r.stderr, "both set") != 1 || strings.Contains(r.stderr, "stale-token-0123456789") || strings.Contains(r.stderr, srv.Token()) {
		t.Errorf("stale token: exit %d, a token printed or the note not once:\n%s", r.code, r.stderr)
	}
	if c := statusCounts(t, results); c["not_attempted"] != 13 {
		t.Errorf("after the stop: %v", c)
	}
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--results", results)
	if c := statusCounts(t, results); r.code != 0 || c["created"] != 13 || c["failed"] != 0 || len(srv.Snapshot().Accounts) != 13 ||
		strings.Contains(r.stderr, "Note: WPIMPORT_TOKEN") {
		t.Errorf("rerun with the right token: %d %v\n%s", r.code, c, r.stderr)
	}
}

// The token is revoked in the middle of a run whose creates lose their
// answers: the creates waiting on their look-ups are not attempted, not
// failed, and the plain rerun, looking them up first, makes every account
// once.
func TestBinaryTokenRevokedMidRun(t *testing.T) {
	const n = 40
	srv := testkit.Emulator(t, emulator.Config{Latency: 20 * time.Millisecond})
	dir := t.TempDir()
	planPath := filepath.Join(dir, "plan.json")
	var roster strings.Builder // no phones: one call per create
	roster.WriteString(strings.Join(rostergen.Header[:12], ",") + "\n")
	for i := range n {
		roster.WriteString(strings.Join(rostergen.Row(i, 0)[:12], ",") + "\n")
	}
	if r := runBinary(t, targetEnv(srv), "plan", writeText(t, "roster.csv", roster.String()), "--out", planPath); r.code != 0 {
		t.Fatalf("plan: %s", r.stderr)
	}
	results := filepath.Join(dir, "results.json")
	srv.SetFaults(0, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
			if srv.Stats().Dropped >= 8 {
				srv.SetToken("the-new-token")
				return
			}
		}
	}()
	r := runBinary(t, []string{"WPIMPORT_API_URL=" + srv.URL(), "WPIMPORT_TOKEN=" + srv.Token(), "WORKPLACE_ACCESS_TOKEN=the-new-token"},
		"apply", planPath, "--results", results)
	<-done
	first := statusCounts(t, results)
	if r.code != exitFatal || first["failed"] != 0 || first["not_attempted"] == 0 || !strings.Contains(r.stderr, "refused the token from $WPIMPORT_TOKEN") {
		t.Fatalf("revoked mid-run: %d %v\n%s", r.code, first, r.stderr)
	}
	var doc struct {
		Rows []struct {
			Status       string `json:"status"`
			ErrorMessage string `json:"error_message"`
		} `json:"rows"`
	}
	data, _ := os.ReadFile(results)
	json.Unmarshal(data, &doc)
	unknown := 0
	for _, row := range doc.Rows {
		if row.Status == "not_attempted" && strings.Contains(row.ErrorMessage, "so the rerun looks the account up first") {
			unknown++
		}
	}
	if unknown == 0 {
		t.Errorf("no create was cut off with its outcome unknown: the test proves nothing\n%s", data)
	}
	srv.SetFaults(0, 0)
	existing := len(srv.Snapshot().Accounts)
	creates := srv.Stats().ByRoute["POST /community/accounts"]
	r = runBinary(t, []string{"WPIMPORT_API_URL=" + srv.URL(), "WORKPLACE_ACCESS_TOKEN=the-new-token"}, "apply", planPath, "--results", results)
	c := statusCounts(t, results)
	if r.code != 0 || c["created"] != n || c["failed"] != 0 || strings.Contains(r.stderr, "NOT DONE") {
		t.Fatalf("plain rerun: %d %v\n%s", r.code, c, r.stderr)
	}
	if len(srv.Snapshot().Accounts) != n {
		t.Errorf("%d accounts, want %d", len(srv.Snapshot().Accounts), n)
	}
	if got := srv.Stats().ByRoute["POST /community/accounts"] - creates; got != n-existing {
		t.Errorf("the rerun sent %d creates for %d accounts missing", got, n-existing)
	}
}

// A people set the service refuses is named in the closing line's NOT DONE
// and makes the exit code 1; --only-failed, with no row to retry, still
// does the set. The plan line says what the plan leaves out.
func TestBinaryPeopleSetFailureCounted(t *testing.T) {
	srv := testkit.Emulator(t, emulator.Config{})
	dir := t.TempDir()
	roster := writeText(t, "roster.csv", "name,email,department\nAnn,ann@acme.example,Engineering\nBob,bob@acme.example,Sales\nCat,cat@acme,Sales\n")
	sets := writeText(t, "sets.csv", "people_set,field,operator,values\nEngineers,DEPARTMENT,IS,Engineering\n")
	planPath := filepath.Join(dir, "plan.json")
	r := runBinary(t, targetEnv(srv), "plan", roster, "--people-sets", sets, "--out", planPath)
	if r.code != exitRows || !strings.Contains(r.stderr, " (it leaves out 1 invalid row: fix it and plan again to include it)\n") {
		t.Fatalf("plan: %d\n%s", r.code, r.stderr)
	}
	srv.Refuse("POST /community/people_sets")
	results := filepath.Join(dir, "results.json")
	r = runBinary(t, targetEnv(srv), "apply", planPath, "--results", results)
	retry := "wpimport apply " + planPath + " --only-failed " + results
	for _, want := range []string{"Done in", ": 2 created; NOT DONE: 1 skipped, 1 people set failed (", "People sets: 1 failed.",
		"1 people set did not go through: see the Failures sheet of " + results + "; retry with: " + retry} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("apply: no %q in\n%s", want, r.stderr)
		}
	}
	if r.code != exitRows {
		t.Errorf("apply: exit %d, want %d", r.code, exitRows)
	}
	srv.Refuse("")
	r = runBinary(t, targetEnv(srv), strings.Fields(retry)[1:]...)
	if r.code != exitRows || !strings.Contains(r.stderr, "People sets: 1 created.") || strings.Contains(r.stderr, "Nothing to retry") ||
		strings.Contains(r.stderr, "people set failed") {
		t.Errorf("--only-failed: %d\n%s", r.code, r.stderr)
	}
	if n := len(srv.Snapshot().PeopleSets); n != 1 || len(srv.Snapshot().Accounts) != 2 {
		t.Errorf("%d sets, %d accounts; want 1 and 2", n, len(srv.Snapshot().Accounts))
	}
	r = runBinary(t, targetEnv(srv), strings.Fields(retry)[1:]...)
	if r.code != 0 || !strings.Contains(r.stderr, "Nothing to retry") {
		t.Errorf("--only-failed once all is done: %d\n%s", r.code, r.stderr)
	}
}

// The demo says everything went through only when it did: a people set
// refused makes it say what did not, and exit 1.
func TestDemoSaysWhatFailed(t *testing.T) {
	var out, errb testkit.SyncBuffer
	state := stateDir(t)
	getenv := func(k string) string {
		if k == "WPIMPORT_STATE_DIR" {
			return state
		}
		return ""
	}
	e := &env{stdout: &out, stderr: &errb, getenv: getenv,
		demoEmulator: func(srv *emulator.Server) { srv.Refuse("POST /community/people_sets") }}
	code := runEnv(context.Background(), []string{"demo", "--fast", "--dir", filepath.Join(t.TempDir(), "out")}, e)
	got := errb.String()
	for _, want := range []string{"NOT DONE: 9 skipped, 4 people sets failed (", "4 people sets did not go through",
		"NOT everything went through: 4 people sets failed (apply's lines above and the Failures sheet of results.xlsx say why); no account or people set was made twice"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	if code != exitRows || strings.Contains(got, "every row has a status") {
		t.Errorf("exit %d, want %d, and no word of success:\n%s", code, exitRows, got)
	}
	if !bytes.HasSuffix([]byte(out.String()), []byte("out\n")) {
		t.Errorf("stdout %q: the output folder", out.String())
	}
}
