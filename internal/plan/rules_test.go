package plan_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/testkit"
)

// memDir is a target.Directory over an in-memory list of accounts, with
// whatever capabilities a test gives it. It is no stand-in for a target's
// wire behaviour (the targets' own tests and the emulator cover that): the
// rules tested with it are the plan's own, applied to what a target
// announces (required fields, documented limits on values), which no
// emulator profile announces in every combination.
type memDir struct {
	caps     target.Capabilities
	accounts []target.Account
}

var _ target.Directory = (*memDir)(nil)

func (d *memDir) Capabilities(context.Context) (*target.Capabilities, error) { return &d.caps, nil }

func (d *memDir) ListAll(_ context.Context, fn func([]target.Account) error) error {
	var page []target.Account
	for _, a := range d.accounts {
		page = append(page, *a.Clone())
	}
	return fn(page)
}

func (d *memDir) Find(_ context.Context, keys []target.Key) (map[target.Key]*target.Account, error) {
	out := map[target.Key]*target.Account{}
	for _, k := range keys {
		for i := range d.accounts {
			if k.Matches(&d.accounts[i]) {
				out[k] = d.accounts[i].Clone()
			}
		}
	}
	return out, nil
}

// strictCaps are the capabilities of a service like AWS IAM Identity
// Center: given and family names required on every create, and limits on
// values.
func strictCaps() target.Capabilities {
	fields := target.FieldSet(roster.Name, roster.FirstName, roster.LastName, roster.Email, roster.ExternalID, roster.Title,
		roster.Department, roster.Active)
	return target.Capabilities{Target: "strict", Service: "Strict Service", Carries: fields, Reads: fields,
		Required: []roster.Field{roster.FirstName, roster.LastName},
		Rules: []target.FieldRule{
			{Field: roster.Title, MaxLen: 10, Why: "titles hold at most 10 characters"},
			{Field: roster.Name, Forbidden: "@<>", Why: "the display name may not hold @, < or >"},
			{Field: roster.Department, Immutable: true, Why: "departments come from the HR feed"},
		},
		LookupBy: []target.KeyKind{target.ByID, target.ByEmail, target.ByExternalID}, LookupBatch: 50,
		Paging: target.PageIndex, Complete: true}
}

// A target that requires given and family names makes a row that has
// only a full name invalid for it, at plan time (the name is never split
// by guessing); rows with both, and updates of existing accounts, plan.
func TestRequiredNames(t *testing.T) {
	dir := &memDir{caps: strictCaps(), accounts: []target.Account{
		{ID: "1", Name: target.Name{Formatted: "Old Hand"}, Email: "old@acme.example", ExternalID: "E1", Active: true},
	}}
	build := func(csv string) *plan.Plan {
		p, err := plan.Build(ctx, plan.Input{Result: testkit.ValidateCSV(t, csv), ToolVersion: "test"}, dir, plan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := build("name,email,external_id,title\nOld Hand,old@acme.example,E1,Boss\nAnn Lee,ann@acme.example,E2,\n")
	if len(p.Changes) != 1 || p.Changes[0].Action != plan.Update {
		t.Errorf("the update of an existing account: %s", render(p))
	}
	r := p.Rows[1]
	if r.Status != plan.Invalid || r.Action != plan.Skip || len(r.Issues) != 1 {
		t.Fatalf("a full name only: %+v", r)
	}
	is := r.Issues[0]
	if is.Code != "target.required" || is.Severity != roster.Error || is.Row != 3 || is.Field != roster.FirstName ||
		is.Message != "Strict Service requires a given and a family name on every new account; this row has no first_name. "+
			"wpimport never splits a full name by guessing: add First name and Last name columns" {
		t.Errorf("issue: %+v", is)
	}
	// A first name alone: the last name is missing.
	p = build("first_name,last_name,email,external_id\nAnn,,ann@acme.example,E2\nBob,Stone,bob@acme.example,E3\n")
	if is := p.Rows[0].Issues; p.Rows[0].Status != plan.Invalid || len(is) != 1 || is[0].Code != "target.required" || is[0].Column != "last_name" ||
		!strings.Contains(is[0].Message, "this row has no last_name") {
		t.Errorf("no last name: %+v", p.Rows[0])
	}
	if c := change(t, p, 3); c.Action != plan.Create || c.After.Name != (target.Name{Formatted: "Bob Stone", Given: "Bob", Family: "Stone"}) {
		t.Errorf("a create with both: %s", render(p))
	}
}

// A value that breaks a target's documented rule (a length, a character,
// a field never changed) makes its row invalid for that target, before
// any write.
func TestTargetRules(t *testing.T) {
	dir := &memDir{caps: strictCaps(), accounts: []target.Account{
		{ID: "1", Name: target.Name{Formatted: "Old Hand", Given: "Old", Family: "Hand"}, Email: "old@acme.example", ExternalID: "E1", Department: "Sales", Active: true},
		{ID: "2", Name: target.Name{Formatted: "New Hand", Given: "New", Family: "Hand"}, Email: "new@acme.example", ExternalID: "E2", Active: true},
	}}
	csv := "first_name,last_name,email,external_id,title,department\n" +
		"Old,Hand,old@acme.example,E1,,Marketing\n" + // 2: department never changed
		"New,Hand,new@acme.example,E2,,Marketing\n" + // 3: an empty department may be filled
		"Ann,Lee,ann@acme.example,E3,Head of Engineering,\n" + // 4: title too long
		"Bob,<Stone>,bob@acme.example,E4,Engineer,\n" + // 5: a character refused in the name
		"Cat,Kim,cat@acme.example,E5,Engineer,Sales\n" // 6: fine
	p, err := plan.Build(ctx, plan.Input{Result: testkit.ValidateCSV(t, csv), ToolVersion: "test"}, dir, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for row, want := range map[int]string{
		2: `department cannot be changed once the account exists (departments come from the HR feed): it is "Sales", the roster says "Marketing"`,
		4: `title "Head of Engineering" is 19 characters long; Strict Service takes at most 10 (titles hold at most 10 characters)`,
		5: `name "Bob <Stone>" holds a character Strict Service refuses (the display name may not hold @, < or >)`,
	} {
		r := p.Rows[row-2]
		if r.Status != plan.Invalid || len(r.Issues) != 1 || r.Issues[0].Code != "target.rule" || r.Issues[0].Message != want || r.Issues[0].Severity != roster.Error {
			t.Errorf("row %d: %+v", row, r)
		}
	}
	if is := p.Rows[3].Issues[0]; is.Field != roster.Name || is.Row != 5 {
		t.Errorf("row 5: %+v", is)
	}
	var keys []string
	for _, c := range p.Changes {
		keys = append(keys, c.Key+" "+string(c.Action))
	}
	if strings.Join(keys, ",") != "E2 update,E5 create" {
		t.Errorf("changes: %s", render(p))
	}
}
