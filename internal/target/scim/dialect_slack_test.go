package scim_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// Slack (SCIM-DIALECTS.md §2): the capabilities say, before any write,
// that a userName is at most 20 characters and never changes, and that a
// display name holds no @ (the plan refuses such rows); the userName
// sent is the roster's user name, not the email; the manager goes as
// managerId; people are found by email with `emails eq`; a refusal's
// words are Slack's own, the existing user's id kept in them.
func TestSlackRulesAndWords(t *testing.T) {
	srv, c, _ := emu(t, emulator.ProfileSlack)
	ctx := context.Background()
	caps, err := c.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rule := func(f roster.Field) target.FieldRule {
		i := slices.IndexFunc(caps.Rules, func(r target.FieldRule) bool { return r.Field == f })
		if i < 0 {
			t.Fatalf("no rule on %s: %+v", f, caps.Rules)
		}
		return caps.Rules[i]
	}
	if r := rule(roster.UserName); r.MaxLen != 20 || !r.Immutable || !strings.Contains(r.Why, "at most 20 characters") {
		t.Fatalf("user_name rule %+v", r)
	}
	if r := rule(roster.Name); r.Forbidden != "@" {
		t.Fatalf("name rule %+v", r)
	}
	if !slices.Contains(caps.Required, roster.UserName) {
		t.Fatalf("required %v: an email is longer than Slack's userName", caps.Required)
	}
	boss, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Bo Boss"}, UserName: "bo", Email: "bo.boss@acme.example", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	ann, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Ann Lee"}, UserName: "ann.lee", Email: "ann.lee@acme.example",
		Manager: &target.Ref{ID: boss.ID}, Active: true})
	if err != nil || ann.ManagerID() != boss.ID || ann.UserName != "ann.lee" {
		t.Fatalf("%+v %v", ann, err)
	}
	if s := snapshotOf(t, srv, ann.ID); s.Manager != boss.ID || s.UserName != "ann.lee" {
		t.Fatalf("stored %+v", s)
	}
	// Found by `emails eq`: its userName is not the email.
	k := target.Key{Kind: target.ByEmail, Value: "ANN.LEE@acme.example"}
	if found, err := c.Find(ctx, []target.Key{k}); err != nil || found[k] == nil || found[k].ID != ann.ID {
		t.Fatalf("by email: %v %v", found, err)
	}
	// What the plan refuses, the service refuses too, in its own words.
	_, err = c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Long"}, Email: "a.very.long.address@acme.example", Active: true})
	if te := kindOf(t, err, target.Invalid); !strings.Contains(te.Message, "has 32 characters: this service takes at most 20") {
		t.Fatalf("%#v", te)
	}
	_, err = c.Create(ctx, &target.Account{Name: target.Name{Formatted: "Again"}, UserName: "again", Email: "ann.lee@acme.example", Active: true})
	if te := kindOf(t, err, target.Conflict); te.Message != "email_taken: the email ann.lee@acme.example is already used by existing_user="+ann.ID {
		t.Fatalf("%#v", te)
	}
	// The userName never changes: an email change leaves it alone.
	got, err := c.Update(ctx, target.Ref{ID: ann.ID}, &target.Account{Email: "ann.l@acme.example"}, []roster.Field{roster.Email})
	if err != nil || got.Email != "ann.l@acme.example" || got.UserName != "ann.lee" {
		t.Fatalf("%+v %v", got, err)
	}
}
