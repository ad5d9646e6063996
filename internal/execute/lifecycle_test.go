package execute_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/pace"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/testkit"
	"github.com/wpimport/wpimport/internal/validate"
)

// rosterCSV validates a roster written to a temp folder, with files beside
// it (picture_file paths are relative to the roster).
func rosterCSV(t *testing.T, csv string, files map[string][]byte) *validate.Result {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		os.WriteFile(filepath.Join(dir, name), data, 0o600)
	}
	p := filepath.Join(dir, "roster.csv")
	os.WriteFile(p, []byte(csv), 0o600)
	return testkit.Validate(t, p)
}

// Phones, frontline status and pictures (files and URLs) are Workplace's.
func TestPhonesFrontlinePictures(t *testing.T) {
	w := newWorld(t, graphT, emulator.Config{})
	png := []byte("\x89PNG\r\n\x1a\n....")
	res := rosterCSV(t, "name,email,external_id,phone,phone_type,mobile_phone,is_frontline,has_access,picture_url,picture_file\n"+
		"Ana,ana@acme.example,E1,+44 20 7946 0001,work,+44 7700 900001,true,true,https://cdn.acme.example/ana.jpg,\n"+
		"Bo,bo@acme.example,E2,,,,false,,,bo.png\n", map[string][]byte{"bo.png": png})
	p, r := w.apply(t, res, plan.Options{})
	if s := statuses(r); s[plan.Created] != 2 {
		t.Fatalf("statuses %v", s)
	}
	ana, bo := w.account("ana@acme.example"), w.account("bo@acme.example")
	if len(ana.Phones) != 2 || !ana.Phones[0].Primary || ana.Phones[0].Number != "+442079460001" || ana.Phones[1].Type != "mobile" {
		t.Errorf("Ana's phones = %+v", ana.Phones)
	}
	if !ana.IsFrontline || !ana.HasAccess || bo.IsFrontline {
		t.Errorf("frontline: Ana %v/%v, Bo %v", ana.IsFrontline, ana.HasAccess, bo.IsFrontline)
	}
	if ana.Picture != "https://cdn.acme.example/ana.jpg" || bo.Picture != "upload:bo.png" {
		t.Errorf("pictures: %q %q", ana.Picture, bo.Picture)
	}
	if n := changeOfRow(p, 2).Calls(); n != 4 {
		t.Errorf("Ana's create takes %d calls, want 4 (create, 2 phones, picture)", n)
	}
	if o := r.Outcomes[changeOfRow(p, 2).ID]; o.Calls != 4 || o.Attempts != 1 {
		t.Errorf("Ana's outcome: %d calls, %d attempts; want 4 and 1", o.Calls, o.Attempts)
	}
	// Next run: same roster, nothing to do; pictures are not sent again.
	if again := w.plan(t, res, plan.Options{}); work(again) != 0 {
		t.Errorf("second plan: %s", again.Summary())
	}
	// A new primary phone and frontline access removed: shown old → new.
	res = rosterCSV(t, "name,email,external_id,phone,has_access\nAna,ana@acme.example,E1,+44 20 7946 0002,false\n", nil)
	p, _ = w.apply(t, res, plan.Options{})
	if c := diffs(changeOfRow(p, 2)); c["phone"] != [2]string{"+442079460001", "+442079460002"} || c["frontline"] != [2]string{"true/true", "true/false"} {
		t.Errorf("changes = %v", c)
	}
	ana = w.account("ana@acme.example")
	if ana.HasAccess || ana.Phones[len(ana.Phones)-1].Number != "+442079460002" || !ana.Phones[len(ana.Phones)-1].Primary {
		t.Errorf("after update: %+v", ana)
	}
	// Bad picture files are caught at validate time.
	bad := rosterCSV(t, "name,email,picture_file\nCy,cy@acme.example,missing.png\nDi,di@acme.example,fake.png\n",
		map[string][]byte{"fake.png": []byte("GIF89a")})
	for i := range bad.Rows {
		if bad.Rows[i].Valid() || bad.Rows[i].Issues[0].Code != "picture_file.invalid" {
			t.Errorf("row %d: %+v", bad.Rows[i].Row, bad.Rows[i].Issues)
		}
	}
}

func TestClearAndNewEmail(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{State: &emulator.State{Accounts: []*emulator.Account{
			{ID: "100000000000001", Name: "Ana", Email: "ana@old.example", ExternalID: "E1", Title: "Lead", Department: "Ops", Active: true},
			{ID: "100000000000002", Name: "Bo", Email: "bo@acme.example", ExternalID: "E2", Active: true},
		}}})
		res := rosterCSV(t, "name,email,external_id,title,department,new_email\n"+
			"Ana,ana@old.example,E1,,Ops,ana@new.example\n"+
			"Bo,bo@acme.example,E2,,,ana@old.example\n", nil) // Bo asks for Ana's current email
		p, r := w.apply(t, res, plan.Options{Empty: "clear"})
		if p.Rows[1].Status != plan.Invalid || p.Rows[1].Issues[0].Code != "new_email.duplicate" {
			t.Errorf("Bo: %+v", p.Rows[1])
		}
		if s := statuses(r); s[plan.Updated] != 1 {
			t.Errorf("statuses %v", s)
		}
		ana := w.account("ana@new.example")
		if ana == nil || ana.Title != "" || ana.Department != "Ops" {
			t.Errorf("Ana after apply: %+v", ana)
		}
		c := changeOfRow(p, 2)
		if d := diffs(c); d["title"] != [2]string{"Lead", ""} || d["email"] != [2]string{"ana@old.example", "ana@new.example"} {
			t.Errorf("changes = %v", d)
		}
		if o := r.Outcomes[c.ID]; o.After == nil || o.After.Email != "ana@new.example" || o.After.Title != "" || o.After.Department != "Ops" {
			t.Errorf("outcome's After = %+v", o.After)
		}
	})
}

// Offboarding on Workplace: claimed accounts are deactivated, unclaimed
// ones deleted, long-deactivated ones erased.
func TestOffboard(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	clock := now
	w := newWorld(t, graphT, emulator.Config{Now: func() time.Time { return clock }, State: &emulator.State{Accounts: []*emulator.Account{
		{ID: "100000000000001", Name: "Claimed", Email: "c@acme.example", ExternalID: "E1", Active: true, Claimed: true},
		{ID: "100000000000002", Name: "Unclaimed", Email: "u@acme.example", ExternalID: "E2", Active: true},
		{ID: "100000000000003", Name: "Long gone", Email: "g@acme.example", ExternalID: "E3", Active: false, Claimed: true, DeactivateAt: now.Add(-10 * 24 * time.Hour)},
		{ID: "100000000000004", Name: "Just left", Email: "j@acme.example", ExternalID: "E4", Active: false, Claimed: true, DeactivateAt: now.Add(-24 * time.Hour)},
		{ID: "100000000000005", Name: "Stays", Email: "s@acme.example", ExternalID: "E5", Active: true, Claimed: true},
	}}})
	in := plan.OffboardInput{Now: now, Entries: []plan.OffboardEntry{
		{Row: 2, Key: "c@acme.example"}, {Row: 3, Key: "E2"}, {Row: 4, Key: "100000000000003"}, {Row: 5, Key: "j@acme.example"},
		{Row: 6, Key: "nobody@acme.example"}, {Row: 7, Key: "E1"},
	}}
	p, err := plan.Offboard(context.Background(), in, w.tgt, plan.Options{DeleteUnclaimed: true, Erase: true, MaxDeactivate: "100%"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]string{}
	for _, r := range p.Rows {
		var codes []string
		for _, is := range r.Issues {
			codes = append(codes, is.Code)
		}
		got[r.Row] = string(r.Action) + " " + strings.Join(codes, ",")
	}
	want := map[int]string{
		2: "deactivate offboard.claimed,offboard.erase_later",
		3: "delete ",
		4: "erase ",
		5: "none offboard.erase_later,plan.note",
		6: "skip offboard.not_found",
		7: "none offboard.duplicate",
	}
	for row, w := range want {
		if got[row] != w {
			t.Errorf("row %d: %q, want %q", row, got[row], w)
		}
	}
	if len(p.Warnings) == 0 || !strings.Contains(p.Warnings[0], "IRREVERSIBLE") {
		t.Errorf("no irreversibility warning: %v", p.Warnings)
	}
	for _, r := range p.Rows {
		if r.Row == 5 && !strings.Contains(r.Issues[0].Message, "2026-03-13 12:00 UTC") {
			t.Errorf("eligibility date missing: %s", r.Issues[0].Message)
		}
	}
	r, err := w.run(context.Background(), p, execute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(r); s[plan.Deactivated] != 1 || s[plan.Deleted] != 1 || s[plan.Erased] != 1 {
		t.Errorf("statuses %v", s)
	}
	if a := w.account("c@acme.example"); a == nil || a.Active {
		t.Errorf("claimed account: %+v", a)
	}
	if w.account("u@acme.example") != nil || w.account("g@acme.example") != nil {
		t.Error("the unclaimed account was not deleted, or the erased one kept its email")
	}
	if a := w.account("s@acme.example"); !a.Active {
		t.Error("an unlisted account was touched")
	}
	if o := r.Outcomes[changeOfRow(p, 2).ID]; o.After == nil || o.After.Active || o.After.Email != "c@acme.example" {
		t.Errorf("the deactivation's After: %+v", o.After)
	}
	if o := r.Outcomes[changeOfRow(p, 3).ID]; o.After != nil || o.Version != plan.Fingerprint(nil) {
		t.Errorf("the deletion's After: %+v, version %q; want none, absent", o.After, o.Version)
	}

	// The service refuses an erasure inside the grace period even if a
	// plan (made with a wrong clock) asks for it: the row fails, with the
	// date in the message, and Graph's own code.
	future := in
	future.Now = now.Add(5 * 24 * time.Hour)
	future.Entries = []plan.OffboardEntry{{Row: 2, Key: "j@acme.example"}}
	p2, _ := plan.Offboard(context.Background(), future, w.tgt, plan.Options{Erase: true})
	if work(p2) != 1 || p2.Changes[0].Action != plan.Erase {
		t.Fatalf("future plan: %s", p2.Summary())
	}
	r2, _ := w.run(context.Background(), p2, execute.Options{})
	o := r2.Outcomes[1]
	if o.Status != plan.Failed || o.Error == nil || !strings.HasPrefix(o.Error.Code, "100") || o.Error.Kind != "invalid" ||
		o.Error.Target != "graph" || !strings.Contains(o.Message, "less than 4 days") {
		t.Errorf("erasure inside the grace period: %+v %+v", o, o.Error)
	}
}

// A service that never answers stops the run after UnreachableAfter with
// an error naming the URL; every row is left not_attempted, and a rerun
// once it is back creates them.
func TestUnreachableStopsAndResumes(t *testing.T) {
	forEach(t, bothTargets, func(t *testing.T, f flavor) {
		w := newWorld(t, f, emulator.Config{})
		p := w.plan(t, generated(t, 20, false, 0), plan.Options{})
		dead := httptest.NewServer(http.NotFoundHandler())
		deadURL := dead.URL
		dead.Close()
		tgt, layer := openAt(t, f, deadURL, w.srv.Token(), 50, pace.DefaultRetry)
		layer.SetUnreachableAfter(time.Second)
		start := time.Now()
		r, err := execute.Run(context.Background(), tgt, layer, p, execute.Options{Concurrency: 4})
		var ue *target.Unreachable
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), deadURL) || time.Since(start) > 5*time.Second {
			t.Fatalf("err = %v after %v", err, time.Since(start))
		}
		if len(r.Outcomes) != 20 {
			t.Errorf("%d outcomes, want 20", len(r.Outcomes))
		}
		for _, o := range r.Outcomes {
			if o.Status != plan.NotAttempted || !strings.Contains(o.Message, "did not answer") {
				t.Errorf("change %d: %s %s", o.Change, o.Status, o.Message)
			}
		}
		if _, err = w.run(context.Background(), p, execute.Options{}); err != nil || len(w.srv.Snapshot().Accounts) != 20 {
			t.Errorf("rerun: %v, %d accounts", err, len(w.srv.Snapshot().Accounts))
		}
	})
}

// A write the service answers as done but does not keep (a server that
// ignores the manager in every PATCH form) is not_applied: the other
// fields went through, the outcome names the field and both values, and a
// rerun of the plan does not send it again.
func TestManagerNotKept(t *testing.T) {
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	w := newWorld(t, scimRFC, emulator.Config{
		SCIMIgnoredPatchPaths: []string{ent + ":manager", ent + ":manager.value"},
		State: &emulator.State{Accounts: []*emulator.Account{
			{ID: "100000000000001", Name: "Ann", Email: "ann@acme.example", ExternalID: "E1", Active: true},
			{ID: "100000000000002", Name: "Bob", Email: "bob@acme.example", ExternalID: "E2", Title: "Clerk", Active: true},
		}}})
	res := rosterCSV(t, "name,email,external_id,title,manager\n"+
		"Ann,ann@acme.example,E1,,\n"+
		"Bob,bob@acme.example,E2,Lead,E1\n", nil)
	p := w.plan(t, res, plan.Options{})
	path := filepath.Join(t.TempDir(), "plan.journal")
	j, _, err := execute.OpenJournal(path, "plan-1")
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.run(context.Background(), p, execute.Options{Journal: j})
	j.Close()
	if err != nil {
		t.Fatal(err)
	}
	c := changeOfRow(p, 3)
	o := r.Outcomes[c.ID]
	if o.Status != plan.NotApplied || !strings.Contains(o.Message, "manager") || !strings.Contains(o.Message, "100000000000001") {
		t.Fatalf("Bob: %s: %s", o.Status, o.Message)
	}
	bob := w.account("bob@acme.example")
	if bob.Title != "Lead" || bob.Manager != "" {
		t.Errorf("Bob is %q under %q: want the title kept and the manager not", bob.Title, bob.Manager)
	}
	if o.After == nil || o.After.Title != "Lead" || o.After.ManagerID() != "" {
		t.Errorf("the outcome's After is the account as kept: %+v", o.After)
	}
	if s := statuses(r); s[plan.NotApplied] != 1 || s[plan.Failed] != 0 {
		t.Errorf("statuses %v", s)
	}
	// The journal has it: the same plan again sends nothing.
	j, resumed, err := execute.OpenJournal(path, "plan-1")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	w.srv.ResetStats()
	r2, err := w.run(context.Background(), p, execute.Options{Journal: j, Resumed: resumed})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Outcomes[c.ID].Status != plan.NotApplied || w.srv.Stats().ByRoute["SCIM PATCH /Users/{id}"] != 0 {
		t.Errorf("rerun: %s, %v", r2.Outcomes[c.ID].Status, w.srv.Stats().ByRoute)
	}
}
