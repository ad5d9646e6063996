package plan_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/parse"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/testkit"
	"github.com/wpimport/wpimport/internal/validate"
)

// readSets validates a people sets csv.
func readSets(t *testing.T, csv string) *validate.PeopleSets {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sets.csv")
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	rd, err := parse.OpenPeopleSets(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	ps, err := validate.ValidatePeopleSets(rd)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// setsWorld is Workplace with two people and four people sets.
func setsWorld(t *testing.T, k kind) *world {
	return newWorldCfg(t, k, emulator.Config{PageCap: 25, State: &emulator.State{PeopleSets: []*emulator.PeopleSet{
		{ID: "900000000000001", Name: "Eng", Conditions: []emulator.Condition{{Field: "DEPARTMENT", Operator: "IS", Values: []string{"Engineering"}}}},
		{ID: "900000000000002", Name: "Sales", Conditions: []emulator.Condition{{Field: "DEPARTMENT", Operator: "IS", Values: []string{"Sales"}}}},
		{ID: "900000000000003", Name: "Old", Conditions: []emulator.Condition{{Field: "TITLE", Operator: "IS", Values: []string{"Clerk"}}}},
		{ID: "900000000000004", Name: "Pilot", Conditions: []emulator.Condition{{Field: "TITLE", Operator: "IS", Values: []string{"Pilot"}}}},
	}}},
		acct("100000000000001", "Boss", "boss@acme.example", "E1", "CEO", "", true),
		acct("100000000000002", "Mid", "mid@acme.example", "E2", "VP", "100000000000001", true))
}

const setsRoster = "name,email,external_id,manager\n" +
	"Boss,boss@acme.example,E1,\n" +
	"New Boss,newboss@acme.example,E9,boss@acme.example\n"

const setsInput = "people_set,field,operator,values,action\n" +
	"Eng,DEPARTMENT,IS_ANY_OF,Engineering;Platform,\n" + // 2: changed
	"Sales,department,is,Sales,\n" + // 3: as it is
	"Reports,MANAGER,IS,newboss@acme.example,\n" + // 4: a person this plan creates
	"Mids,MANAGER,IS,boss@acme.example,\n" + // 5: a person read
	"Bad,MANAGER,IS,ghost@acme.example,\n" + // 6: nobody
	"Pilot,,,,delete\n" + // 7: marked delete
	"Gone,,,,delete\n" // 8: marked delete, and no such set

func planSets(t *testing.T, w *world, opts plan.Options) (*plan.Plan, error) {
	return plan.Build(ctx, plan.Input{Result: testkit.ValidateCSV(t, setsRoster), ToolVersion: "test", PeopleSets: readSets(t, setsInput)}, w.tgt, opts)
}

// People sets (Workplace's): created, updated, left or deleted as the
// input says; MANAGER values resolved like managers, to an account read
// or to the create of this plan that makes it; --sync-people-sets deletes
// the sets the input does not name, behind --max-delete-people-sets.
func TestPeopleSets(t *testing.T) {
	w := setsWorld(t, graphT)
	w.srv.ResetStats()
	p, err := planSets(t, w, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string]*plan.Change{}
	for _, c := range changes(p, plan.KindPeopleSet) {
		sets[c.Key] = c
	}
	newBoss := change(t, p, 3)
	for name, want := range map[string]plan.Action{"Eng": plan.Update, "Sales": plan.None, "Reports": plan.Create, "Mids": plan.Create,
		"Bad": plan.Skip, "Pilot": plan.Delete, "Gone": plan.None} {
		if c := sets[name]; c == nil || c.Action != want {
			t.Errorf("%s: %+v, want %s", name, c, want)
		}
	}
	if len(sets) != 7 {
		t.Errorf("sets: %s", render(p))
	}
	if v := sets["Reports"].Set.After[0].Values[0]; v.CreateOp != newBoss.ID || v.Value != "" || v.Ref != "newboss@acme.example" {
		t.Errorf("Reports' value: %+v", v)
	}
	if v := sets["Mids"].Set.After[0].Values[0]; v.Value != "100000000000001" || v.CreateOp != 0 {
		t.Errorf("Mids' value: %+v", v)
	}
	if d := diffOf(sets["Eng"], "conditions"); d != "DEPARTMENT IS Engineering → DEPARTMENT IS_ANY_OF Engineering;Platform" {
		t.Errorf("Eng's diff: %q", d)
	}
	if d := diffOf(sets["Reports"], "conditions"); d != " → MANAGER IS (new: newboss@acme.example)" {
		t.Errorf("Reports' diff: %q", d)
	}
	if is := sets["Bad"].Issues; sets["Bad"].Status() != plan.Invalid || len(is) != 1 || is[0].Code != "people_set.manager_not_found" ||
		!strings.Contains(is[0].Message, `the MANAGER value "ghost@acme.example" is neither a valid roster row nor an account of Workplace's Graph API`) {
		t.Errorf("Bad: %+v", is)
	}
	if !strings.Contains(p.Summary(), "people sets: 2 to create, 1 to update, 1 to delete") || p.PeopleSetsRead != 4 || p.Refused != "" {
		t.Errorf("summary %s, read %d, refused %q", p.Summary(), p.PeopleSetsRead, p.Refused)
	}
	if why := p.Check(); why != "" {
		t.Errorf("a delete the input asks for: Check = %q", why)
	}
	if ws := writes(w.srv); len(ws) != 0 {
		t.Errorf("planning wrote: %v", ws)
	}
	// --sync-people-sets: Old, which the input does not name, is deleted:
	// one of four is over 5%.
	p, _ = planSets(t, w, plan.Options{SyncPeopleSets: true})
	old := changes(p, plan.KindPeopleSet)[7]
	if old.Key != "Old" || old.Action != plan.Delete || old.Set.SetID != "900000000000003" || len(old.Set.After) != 0 {
		t.Errorf("Old: %+v", old)
	}
	if !strings.Contains(p.Refused, "--sync-people-sets would delete 1 people sets, over the limit of 0 (--max-delete-people-sets 5% of 4 sets)") {
		t.Errorf("refused: %q", p.Refused)
	}
	p, _ = planSets(t, w, plan.Options{SyncPeopleSets: true, MaxDeletePeopleSets: "1"})
	if p.Refused != "" || p.Check() != "" || p.Counts(plan.KindPeopleSet)[plan.Delete] != 2 {
		t.Errorf("raised: refused %q, check %q: %s", p.Refused, p.Check(), p.Summary())
	}
	// Check: the sync delete in a plan not made with --sync-people-sets,
	// or over its limit, is refused.
	q := *p
	q.Options.SyncPeopleSets = false
	if why := q.Check(); !strings.Contains(why, "--sync-people-sets") {
		t.Errorf("sync delete without the option: %q", why)
	}
	q = *p
	q.Options.MaxDeletePeopleSets = "0"
	if why := q.Check(); !strings.Contains(why, "over its limit of 0 (--max-delete-people-sets 0 of 4 sets)") {
		t.Errorf("over the limit: %q", why)
	}
	// A sync delete passed off as one the input asks for, to escape
	// the guard.
	q = *p
	q.Changes = append([]plan.Change(nil), p.Changes...)
	q.Changes[len(q.Changes)-1].Cause = plan.CauseRoster
	if why := q.Check(); !strings.Contains(why, `people_set "Old"): a delete that no row of the input asks for, and not made by --sync-people-sets`) {
		t.Errorf("a sync delete as the input's: %q", why)
	}
	q = *p
	q.Changes = append([]plan.Change(nil), p.Changes...)
	q.Changes[len(q.Changes)-1].Set.After = []plan.SetCondition{{Field: "SHOE_SIZE", Operator: "IS", Values: []plan.SetValue{{Value: "9"}}}}
	if why := q.Check(); !strings.Contains(why, "a set delete names no set") {
		t.Errorf("a delete with conditions: %q", why)
	}
}

// A target without people sets refuses a plan that has them.
func TestPeopleSetsNotCarried(t *testing.T) {
	w := setsWorld(t, scimT)
	_, err := planSets(t, w, plan.Options{})
	if err == nil || !strings.Contains(err.Error(), "has none: plan them with --api graph, or leave them out") || errors.Is(err, plan.ErrIncompleteListing) {
		t.Errorf("err = %v", err)
	}
}
