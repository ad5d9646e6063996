package graph_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// wantInvalid fails unless err is Invalid, code 100, with words.
func wantInvalid(t *testing.T, what string, err error, words string) {
	t.Helper()
	te := target.As(err)
	if te == nil || te.Kind != target.Invalid || !strings.HasPrefix(te.Code, "100") || !strings.Contains(te.Message, words) {
		t.Errorf("%s: %v, want invalid (code 100) saying %q", what, err, words)
	}
}

// Workplace's rules come back as invalid answers with its words.
func TestServiceRules(t *testing.T) {
	c, _, _ := setup(t, emulator.Config{})
	ctx := t.Context()
	id := create(t, c, target.Account{Name: target.Name{Formatted: "Ada"}, Email: "ada@acme.example", ExternalID: "E1", Active: true})
	ref := target.Ref{ID: id}
	mk := func(name, email, ext string) error {
		_, err := c.Create(ctx, &target.Account{Name: target.Name{Formatted: name}, Email: email, ExternalID: ext, Active: true})
		return err
	}
	upd := func(f roster.Field, v string) error {
		to := &target.Account{}
		to.Set(f, v)
		_, err := c.Update(ctx, ref, to, []roster.Field{f})
		return err
	}
	wantInvalid(t, "duplicate email any case", mk("X", "ADA@acme.example", ""), "already exists")
	wantInvalid(t, "duplicate external_id", mk("X", "", "E1"), "already exists")
	wantInvalid(t, "empty name", mk(" ", "b@acme.example", ""), "name is required")
	wantInvalid(t, "clear name", upd(roster.Name, ""), "cannot be empty")
	wantInvalid(t, "clear email", upd(roster.Email, ""), "cannot be cleared")
	wantInvalid(t, "unknown manager", upd(roster.Manager, "999999999999999"), "does not exist")
	wantInvalid(t, "bad locale", upd(roster.WorkLocale, "english"), "work_locale")
	wantInvalid(t, "erase an active account", c.Remove(ctx, ref, target.RemoveErase), "deactivate it first")
	_, err := c.Update(ctx, ref, &target.Account{}, []roster.Field{roster.StartDate})
	wantInvalidNoCall(t, err)
	if err := c.AddPhone(ctx, ref, target.Phone{Number: "7236"}); err != nil {
		wantInvalid(t, "short phone", err, "international format")
	} else {
		t.Error("a phone number without a country code was taken")
	}
	// Still refused once the first account is deactivated.
	if _, err := c.SetActive(ctx, ref, false); err != nil {
		t.Fatal(err)
	}
	wantInvalid(t, "duplicate of a deactivated account", mk("X", "ada@acme.example", ""), "already exists")
}

// wantInvalidNoCall: a field Graph cannot set is refused before any call.
func wantInvalidNoCall(t *testing.T, err error) {
	t.Helper()
	te := target.As(err)
	if te == nil || te.Kind != target.Invalid || te.Status != 0 || !strings.Contains(te.Message, "start_date cannot be set through the Graph API") {
		t.Errorf("Update of start_date: %v, want refused by the target itself", err)
	}
}

// Only an unclaimed account is deleted; personal data is erased only
// 4 days after deactivation, the refusal naming the day it becomes possible.
func TestDeleteAndErase(t *testing.T) {
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	c, srv, _ := setup(t, emulator.Config{Now: func() time.Time { return now }, State: &emulator.State{Accounts: []*emulator.Account{
		{ID: "100000000000101", Name: "Claimed", Email: "c@acme.example", Active: true, Claimed: true},
		{ID: "100000000000102", Name: "Unclaimed", Email: "u@acme.example", Active: true},
		{ID: "100000000000103", Name: "Gone", Email: "g@acme.example", Active: false, DeactivateAt: now.Add(-5 * 24 * time.Hour)},
		{ID: "100000000000104", Name: "Recent", Email: "r@acme.example", Active: false, DeactivateAt: now.Add(-2 * 24 * time.Hour)},
	}}})
	ctx := t.Context()
	if a := find(t, c, byID("100000000000101")); a.Claim != target.Claimed {
		t.Errorf("claimed account reads as %q", a.Claim)
	}
	if a := find(t, c, byID("100000000000102")); a.Claim != target.Unclaimed {
		t.Errorf("unclaimed account reads as %q", a.Claim)
	}
	if a := find(t, c, byID("100000000000103")); a.Active || a.DeactivatedAt != "2026-01-05T12:00:00Z" {
		t.Errorf("deactivated account: active %v, deactivated at %q", a.Active, a.DeactivatedAt)
	}
	wantInvalid(t, "delete a claimed account", c.Remove(ctx, target.Ref{ID: "100000000000101"}, target.RemoveDelete), "claimed")
	if err := c.Remove(ctx, target.Ref{ID: "100000000000102"}, target.RemoveDelete); err != nil {
		t.Errorf("delete an unclaimed account: %v", err)
	}
	if a := find(t, c, byID("100000000000102")); a != nil {
		t.Errorf("the deleted account is found: %+v", a)
	}
	if err := c.Remove(ctx, target.Ref{ID: "100000000000103"}, target.RemoveErase); err != nil {
		t.Errorf("erase 5 days after deactivation: %v", err)
	}
	wantInvalid(t, "erase 2 days after deactivation", c.Remove(ctx, target.Ref{ID: "100000000000104"}, target.RemoveErase), "2026-01-12T12:00:00Z")
	for _, a := range srv.Snapshot().Accounts {
		if a.ID == "100000000000103" && (a.Email != "" || !a.Erased) {
			t.Errorf("the erased account keeps its data: %+v", a)
		}
	}
}

// Listings page at the server's cap, each page one call.
func TestPagingCalls(t *testing.T) {
	c, srv, _ := setup(t, emulator.Config{PageCap: 7})
	for i := range 30 {
		create(t, c, target.Account{Name: target.Name{Formatted: fmt.Sprint("P", i)}, ExternalID: fmt.Sprint("E", i), Active: true})
	}
	srv.ResetStats()
	all, err := listAll(t, c)
	if err != nil || len(all) != 30 || all[0].ExternalID != "E0" || all[29].ExternalID != "E29" {
		t.Fatalf("listed %d accounts, %v", len(all), err)
	}
	if st := srv.Stats(); st.ByRoute["GET /community/members"] != 5 || st.ByRoute["GET /community/organization_members"] != 1 {
		t.Errorf("calls by route %v, want 5 pages of members and 1 of deactivated members", st.ByRoute)
	}
}

// People sets: Workplace's condition vocabulary is checked by the service.
func TestPeopleSetRules(t *testing.T) {
	c, _, _ := setup(t, emulator.Config{})
	ctx := t.Context()
	boss := create(t, c, target.Account{Name: target.Name{Formatted: "Boss"}, Email: "boss@acme.example", Active: true})
	_, err := c.CreatePeopleSet(ctx, "Shoes", []target.Condition{{Field: "SHOE_SIZE", Operator: "IS", Values: []string{"9"}}})
	wantInvalid(t, "a condition on an unknown field", err, "SHOE_SIZE")
	_, err = c.CreatePeopleSet(ctx, "Nobody's", []target.Condition{{Field: "MANAGER", Operator: "IS", Values: []string{"999999999999999"}}})
	wantInvalid(t, "a manager condition on a missing account", err, "does not exist")
	r, err := c.CreatePeopleSet(ctx, "Boss's reports", []target.Condition{{Field: "MANAGER_RECURSIVE", Operator: "IS", Values: []string{boss}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.FindPeopleSet(ctx, "boss's reports"); err != nil || got != nil {
		t.Errorf("FindPeopleSet matches names exactly: found %+v, %v", got, err)
	}
	if got, err := c.FindPeopleSet(ctx, "Boss's reports"); err != nil || got == nil || got.ID != r.ID || got.Conditions[0].Values[0] != boss {
		t.Errorf("FindPeopleSet: %+v, %v", got, err)
	}
}
