package plan_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/testkit"
	"github.com/wpimport/wpimport/internal/workplace"
)

var update = flag.Bool("update", false, "rewrite golden files")

var ctx = context.Background()

// world is an emulator with accounts, and a client for it.
type world struct {
	srv    *emulator.Server
	client *workplace.Client
}

func newWorld(t *testing.T, accounts ...*emulator.Account) *world {
	t.Helper()
	srv := testkit.Emulator(t, emulator.Config{State: &emulator.State{Accounts: accounts}, PageCap: 25})
	c, err := workplace.New(workplace.Config{BaseURL: srv.URL(), Token: srv.Token()})
	if err != nil {
		t.Fatal(err)
	}
	return &world{srv, c}
}

func (w *world) plan(t *testing.T, csv string, opts plan.Options) *plan.Plan {
	t.Helper()
	p, err := plan.Build(ctx, plan.Input{Result: testkit.ValidateCSV(t, csv), ToolVersion: "test"}, w.client, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// render is a stable text form of a plan for golden files.
func render(p *plan.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nread: %s\nguard: %+v\n", p.Summary(), p.ReadMode, p.Guard)
	for _, g := range p.ChangeGuards {
		fmt.Fprintf(&b, "change guard: %+v\n", g)
	}
	fmt.Fprintf(&b, "refused: %s\n\nops:\n", p.Refused)
	for _, op := range p.Ops {
		mgr := "-"
		if op.Manager != nil {
			mgr = op.Manager.Ref
			if op.Manager.CreateOp > 0 {
				mgr += fmt.Sprintf(" (op %d)", op.Manager.CreateOp)
			}
		}
		var ch []string
		for k, v := range op.Changes {
			ch = append(ch, fmt.Sprintf("%s: %q→%q", k, v[0], v[1]))
		}
		sort.Strings(ch)
		fmt.Fprintf(&b, "  #%d row %d %s %s level=%d manager=%s\n", op.ID, op.Row, op.Key, op.Action, op.Level, mgr)
		for _, c := range ch {
			fmt.Fprintf(&b, "      %s\n", c)
		}
	}
	b.WriteString("\nrows:\n")
	for _, r := range p.Rows {
		var codes []string
		for _, is := range r.Issues {
			codes = append(codes, is.Code)
		}
		fmt.Fprintf(&b, "  row %d %s %s %s %v\n", r.Row, r.Key, r.Action, r.Status, codes)
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/plan -update)", err)
	}
	if got != string(want) {
		t.Errorf("plan differs from %s (go test ./internal/plan -update, then review the diff):\n%s", path, got)
	}
}

func acct(id, name, email, ext, title, mgr string, active bool) *emulator.Account {
	return &emulator.Account{ID: id, Name: name, Email: email, ExternalID: ext, Title: title, Manager: mgr, Active: active,
		WorkLocale: "en_US", DeactivateAt: time.Time{}}
}

func TestFreshMigration(t *testing.T) {
	w := newWorld(t)
	p := w.plan(t, "name,email,external_id,title,manager\n"+
		"Rep,rep@acme.example,E3,Engineer,E2\n"+ // its manager comes later in the file
		"Boss,boss@acme.example,E1,CEO,\n"+
		"Mid,mid@acme.example,E2,VP,boss@acme.example\n", plan.Options{})
	golden(t, "fresh", render(p))
	for _, op := range p.Ops {
		if op.Action != plan.Create || op.Calls() != 1 {
			t.Errorf("op %+v: want one create call", op)
		}
	}
}

func quarterlyWorld(t *testing.T) *world {
	return newWorld(t,
		acct("100000000000001", "Boss", "boss@acme.example", "E1", "CEO", "", true),
		acct("100000000000002", "Mover", "mover@acme.example", "E2", "Engineer", "100000000000001", true),
		acct("100000000000003", "Stayer", "stayer@acme.example", "E3", "Analyst", "100000000000001", true),
		acct("100000000000004", "Leaver", "leaver@acme.example", "E4", "Clerk", "100000000000001", true),
		acct("100000000000005", "Returner", "returner@acme.example", "E5", "Clerk", "100000000000001", false),
		acct("100000000000006", "Contractor", "contractor@acme.example", "", "Temp", "", true), // no external_id: out of sync scope
	)
}

const quarterly = "name,email,external_id,title,manager\n" +
	"Boss,boss@acme.example,E1,CEO,\n" +
	"Mover,mover@acme.example,E2,Engineering Manager,E1\n" + // mover: new title
	"Stayer,stayer@acme.example,E3,Analyst,E1\n" + // unchanged
	"Returner,returner@acme.example,E5,Clerk,E1\n" + // deactivated: reactivate, manager again
	"Joiner,joiner@acme.example,E6,Engineer,E2\n" // joiner under an existing manager

func TestQuarterly(t *testing.T) {
	w := quarterlyWorld(t)
	p := w.plan(t, quarterly, plan.Options{Sync: true, MaxDeactivate: "50%"})
	golden(t, "quarterly", render(p))
}

func TestSyncGuard(t *testing.T) {
	w := quarterlyWorld(t)
	// Default 5% of 5 active accounts is 0: the leaver trips it.
	p := w.plan(t, quarterly, plan.Options{Sync: true})
	if !p.Guard.Tripped || p.Refused == "" || !strings.Contains(p.Refused, "deactivates 1 accounts, over the limit of 0") {
		t.Errorf("guard = %+v refused %q", p.Guard, p.Refused)
	}
	if st := w.srv.Stats(); st.ByRoute["POST /{id}"] != 0 || st.ByRoute["POST /community/accounts"] != 0 {
		t.Errorf("planning made write calls: %v", st.ByRoute)
	}
	// Raised for this run: recorded.
	p = w.plan(t, quarterly, plan.Options{Sync: true, MaxDeactivate: "1"})
	if p.Guard.Tripped || !p.Guard.Raised {
		t.Errorf("raised guard = %+v", p.Guard)
	}
	// Scope and protect narrow the deactivations.
	p = w.plan(t, quarterly, plan.Options{Sync: true, Protect: []string{"leaver@acme.example"}})
	if p.Refused != "" || p.Counts()[plan.Deactivate] != 0 {
		t.Errorf("protected leaver: %s", render(p))
	}
	p = w.plan(t, quarterly, plan.Options{Sync: true, Scope: []plan.ScopeRule{{Field: "title", Value: "engineer"}}})
	if p.Counts()[plan.Deactivate] != 0 {
		t.Errorf("out-of-scope leaver deactivated: %s", render(p))
	}
	// An invalid row still names its account: never deactivated.
	typo := strings.Replace(quarterly, "Stayer,stayer@acme.example,E3,Analyst,E1", "Stayer,stayer@acme,E3,Analyst,E1", 1)
	p = w.plan(t, typo, plan.Options{Sync: true, MaxDeactivate: "100%"})
	for _, op := range p.Ops {
		if op.Action == plan.Deactivate && op.Key == "E3" {
			t.Error("an account named by an invalid row was deactivated")
		}
	}
}

func TestConflicts(t *testing.T) {
	w := newWorld(t,
		acct("100000000000001", "Ann", "ann@acme.example", "E1", "", "", true),
		acct("100000000000002", "Ben", "ben@acme.example", "E2", "", "", true),
		acct("100000000000003", "Cat", "cat@acme.example", "E3", "", "", true),
	)
	p := w.plan(t, "name,email,external_id,manager\n"+
		"Ann,ben@acme.example,E1,\n"+ // E1 is Ann but the email is Ben's: conflict
		"Cat,cat@acme.example,E9,\n"+ // Cat's email, but Cat has E3: conflict
		"Dan,dan@acme.example,E4,ghost@acme.example\n"+ // manager nowhere
		"Eve,eve@acme.example,E5,E1\n", // manager row is a conflict
		plan.Options{})
	golden(t, "conflicts", render(p))
}

func TestDeepChain(t *testing.T) {
	w := newWorld(t, acct("100000000000001", "Root", "root@acme.example", "R", "", "", true))
	var b strings.Builder
	b.WriteString("name,external_id,manager\n")
	for i := 10; i >= 1; i-- { // deepest first in the file
		mgr := fmt.Sprint("L", i-1)
		if i == 1 {
			mgr = "root@acme.example"
		}
		fmt.Fprintf(&b, "Level %d,L%d,%s\n", i, i, mgr)
	}
	p := w.plan(t, b.String(), plan.Options{})
	levels := map[string]int{}
	for _, op := range p.Ops {
		levels[op.Key] = op.Level
		if op.Action != plan.Create || op.Calls() != 1 {
			t.Errorf("op %+v: want one create call", op)
		}
	}
	// L1 reports to an existing account: level 0; each report one deeper.
	for i := 1; i <= 10; i++ {
		if got := levels[fmt.Sprint("L", i)]; got != i-1 {
			t.Errorf("L%d level %d, want %d", i, got, i-1)
		}
	}
}

func TestRoundTripAndStale(t *testing.T) {
	w := quarterlyWorld(t)
	p := w.plan(t, quarterly, plan.Options{Sync: true, MaxDeactivate: "50%"})
	path := filepath.Join(t.TempDir(), "plan.json")
	if _, err := p.Save(path, nil); err != nil {
		t.Fatal(err)
	}
	q, err := plan.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if render(q) != render(p) || q.Roster.Rows != p.Roster.Rows || q.APIURL != p.APIURL {
		t.Fatal("plan changed in the round trip")
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), w.srv.Token()) {
		t.Error("the plan holds the token")
	}
	stale, err := plan.Stale(ctx, w.client, q.Ops, nil)
	if err != nil || len(stale) != 0 {
		t.Fatalf("fresh plan: stale %v, %v", stale, err)
	}
	// Someone edits the mover in the Admin Panel, and creates the joiner.
	w.client.UpdateAccount(ctx, "100000000000002", workplace.Fields{"department": "Sales"})
	w.client.CreateAccount(ctx, workplace.Fields{"name": "Joiner", "email": "joiner@acme.example"})
	stale, _ = plan.Stale(ctx, w.client, q.Ops, nil)
	var keys []string
	for _, op := range q.Ops {
		if stale[op.ID] != "" {
			keys = append(keys, op.Key)
		}
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "E2,E6" {
		t.Errorf("stale ops = %v (%v), want the mover and the joiner", keys, stale)
	}
	// Another version is refused.
	os.WriteFile(path, []byte(strings.Replace(string(data), `"format_version": 1`, `"format_version": 99`, 1)), 0o644)
	if _, err := plan.Load(path); err == nil || !strings.Contains(err.Error(), "format 99") {
		t.Errorf("Load of version 99: %v", err)
	}
}

func TestEmptyClear(t *testing.T) {
	w := newWorld(t, acct("100000000000001", "Ann", "ann@acme.example", "E1", "Boss", "", true))
	keep := w.plan(t, "name,email,external_id,title\nAnn,,E1,\n", plan.Options{})
	if keep.Counts()[plan.Update] != 0 {
		t.Errorf("empty cells changed something by default: %s", render(keep))
	}
	clear := w.plan(t, "name,email,external_id,title\nAnn,,E1,\n", plan.Options{Empty: "clear"})
	ops := clear.Ops
	if len(ops) != 1 || ops[0].Fields["title"] != "" || ops[0].Changes["title"] != [2]string{"Boss", ""} {
		t.Errorf("clear: %s", render(clear))
	}
	if _, ok := ops[0].Fields["email"]; ok {
		t.Error("email cleared")
	}
}

func TestLookupCalls(t *testing.T) {
	w := quarterlyWorld(t)
	w.srv.ResetStats()
	p := w.plan(t, quarterly, plan.Options{Read: "lookup"})
	if p.ReadMode != "lookup" || p.ReadCalls > 3 {
		t.Errorf("read %s with %d calls", p.ReadMode, p.ReadCalls)
	}
	if p.Counts()[plan.Reactivate] != 1 {
		t.Errorf("lookup mode missed the deactivated returner: %s", render(p))
	}
	// auto: a small community is cheaper to list than to look up.
	auto := w.plan(t, quarterly, plan.Options{})
	if auto.ReadMode != "list" || auto.ReadCalls != 2 {
		t.Errorf("auto read %s with %d calls", auto.ReadMode, auto.ReadCalls)
	}
}

func TestAutoFallsBackToLookups(t *testing.T) {
	var accounts []*emulator.Account
	for i := 0; i < 200; i++ {
		accounts = append(accounts, acct(fmt.Sprint(100000000000100+i), fmt.Sprint("P", i), fmt.Sprintf("p%d@acme.example", i), fmt.Sprint("E", i), "Old", "", true))
	}
	w := newWorld(t, accounts...) // 25 per page: 8 pages to list
	p := w.plan(t, "name,email,external_id,title\nP190,p190@acme.example,E190,New\nP195,p195@acme.example,E195,New\n", plan.Options{})
	if p.ReadMode != "list, then lookup" || p.ReadCalls > 6 {
		t.Errorf("read %s with %d calls", p.ReadMode, p.ReadCalls)
	}
	if p.Counts()[plan.Update] != 2 {
		t.Errorf("fallback lost the matches: %s", render(p))
	}
}

// auth_method can be set but not read: sent to new accounts, said so for
// matched ones, and sent to them only with --auth-method all.
func TestAuthMethodNotCompared(t *testing.T) {
	w := newWorld(t, &emulator.Account{ID: "100000000000001", Name: "Ada", Email: "ada@acme.example", ExternalID: "E1", Active: true})
	csv := "name,email,external_id,auth_method\nAda,ada@acme.example,E1,sso\nBob,bob@acme.example,E2,password\n"
	p := w.plan(t, csv, plan.Options{})
	if len(p.Ops) != 1 || p.Ops[0].Action != plan.Create || p.Ops[0].Fields["auth_method"] != "password" {
		t.Fatalf("ops: %+v", p.Ops)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "1 matched rows give an auth_method") || !strings.Contains(p.Warnings[0], "--auth-method all") {
		t.Errorf("warnings: %q", p.Warnings)
	}
	p = w.plan(t, csv, plan.Options{AuthMethod: "all"})
	if len(p.Ops) != 2 || p.Ops[0].Action != plan.Update || p.Ops[0].Changes["auth_method"] != [2]string{"(cannot be read)", "sso"} {
		t.Errorf("ops with --auth-method all: %+v", p.Ops)
	}
}

// An edited plan that removes group members without --sync-groups, beyond
// its limit, or adds a member made by an op that is not a create, is refused.
func TestCheckGroups(t *testing.T) {
	base := func() *plan.Plan {
		p := &plan.Plan{Options: plan.Options{MaxDeactivate: "5%", MaxGroupRemovals: "1"}, Guard: plan.Guard{Spec: "5%"}, GroupMembersRead: 10,
			Ops: []plan.Op{{ID: 1, Action: plan.Create, Fields: map[string]string{"name": "A", "email": "a@x.example"},
				Changes: map[string][2]string{"name": {"", "A"}, "email": {"", "a@x.example"}}, Lookup: &plan.Lookup{Email: "a@x.example"}}}}
		p.Options.Normalize()
		p.ChangeGuards = p.MassUpdateGuards()
		p.Groups = []plan.GroupOp{{ID: 1, Name: "G", Action: plan.Update, GroupID: "9",
			Add: []plan.MemberRef{{CreateOp: 1, Ref: "a"}}, Remove: []plan.MemberRef{{AccountID: "5", Ref: "e"}}}}
		return p
	}
	p := base()
	if why := p.Check(); !strings.Contains(why, "not made with --sync-groups") {
		t.Fatalf("removals without --sync-groups: %q", why)
	}
	p.Options.SyncGroups = true
	if why := p.Check(); why != "" {
		t.Fatalf("a sound plan refused: %q", why)
	}
	p.Groups[0].Remove = append(p.Groups[0].Remove, plan.MemberRef{AccountID: "6", Ref: "f"})
	if why := p.Check(); !strings.Contains(why, "over its limit of 1") {
		t.Fatalf("over the limit: %q", why)
	}
	p = base()
	p.Options.SyncGroups = true
	p.Groups[0].Add[0].CreateOp = 7
	if why := p.Check(); !strings.Contains(why, "not a create") {
		t.Fatalf("a member of no create: %q", why)
	}
}

// A row matched by external_id whose email differs from the account's does
// not change the login: a warning names new_email, the rest is planned. An
// account with no email gets the roster's; new_email still changes a login.
func TestEmailDiffers(t *testing.T) {
	w := newWorld(t,
		acct("100000000000001", "Tom Walsh", "tom.walsh@acme.example", "E1", "Clerk", "", true),
		acct("100000000000002", "Ann", "", "E2", "", "", true),
		acct("100000000000003", "Cat", "cat@acme.example", "E3", "", "", true),
	)
	p := w.plan(t, "name,email,external_id,title\n"+
		"Tom Walsh,tom.wlash@acme.example,E1,Manager\n"+ // a typo in the email
		"Ann,ann@acme.example,E2,\n"+ // no email yet: filled
		"Cat,CAT@acme.example,E3,\n", // another case: the same email
		plan.Options{})
	if len(p.Ops) != 2 {
		t.Fatalf("ops: %s", render(p))
	}
	tom, ann := p.Ops[0], p.Ops[1]
	if _, ok := tom.Fields["email"]; ok || tom.Changes["email"] != [2]string{} || tom.Changes["title"] != [2]string{"Clerk", "Manager"} {
		t.Errorf("Tom's login email planned to change: %+v", tom)
	}
	if ann.Fields["email"] != "ann@acme.example" || ann.Changes["email"] != [2]string{"", "ann@acme.example"} {
		t.Errorf("Ann's missing email not filled: %+v", ann)
	}
	row := p.Rows[0]
	if row.Status != "planned" || row.Action != plan.Update || len(row.Issues) != 1 {
		t.Fatalf("Tom's row: %+v", row)
	}
	is := row.Issues[0]
	for _, s := range []string{"tom.wlash@acme.example", "tom.walsh@acme.example", "not changed", "new_email"} {
		if !strings.Contains(is.Message, s) {
			t.Errorf("message lacks %q: %s", s, is.Message)
		}
	}
	if is.Code != "email.differs" || is.Severity != "warning" || is.Row != 2 || is.Column != "email" {
		t.Errorf("issue: %+v", is)
	}
	for _, r := range p.Rows[1:] {
		if len(r.Issues) != 0 {
			t.Errorf("row %d: %+v", r.Row, r.Issues)
		}
	}
	// new_email is how a login changes.
	p = w.plan(t, "name,email,external_id,new_email\nTom Walsh,tom.walsh@acme.example,E1,thomas.walsh@acme.example\n", plan.Options{})
	if len(p.Ops) != 1 || p.Ops[0].Changes["email"] != [2]string{"tom.walsh@acme.example", "thomas.walsh@acme.example"} || len(p.Rows[0].Issues) != 0 {
		t.Errorf("new_email: %s", render(p))
	}
}
