package scim_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/scim"
)

// The dialect is chosen by Config.Dialect, else by the URL's host (and
// GitHub's enterprise path), else rfc; an unknown name is refused with
// the names.
func TestDialectChosen(t *testing.T) {
	for url, want := range map[string]string{
		"https://scim.eu-west-1.amazonaws.com/a1b2/scim/v2/":              "aws",
		"https://api.slack.com/scim/v2/":                                  "slack",
		"https://api.github.com/scim/v2/enterprises/acme/":                "github",
		"https://api.acme.ghe.com/scim/v2/enterprises/acme/":              "github",
		"https://scim.workplace.com/":                                     "meta",
		"https://api.atlassian.com/scim/directory/d1":                     "atlassian",
		"https://api.zoom.us/scim2":                                       "zoom",
		"https://acme.my.salesforce.com/services/scim/v2":                 "salesforce",
		"https://scim.example.com/scim/v2":                                "rfc",
		"https://amazonaws.com.evil.example/scim.us-east-1.amazonaws.com": "rfc",
	} {
		c, _ := open(t, url)
		if got, from := scim.DialectOf(c); got != want || from == "" {
			t.Errorf("%s: dialect %s (%s), want %s", url, got, from, want)
		}
	}
	c, _ := open(t, "https://scim.workplace.com/", func(cfg *target.Config) { cfg.Dialect = "AWS" })
	if got, from := scim.DialectOf(c); got != "aws" || from != "--scim-dialect aws" {
		t.Errorf("--scim-dialect AWS: %s (%s)", got, from)
	}
	_, err := scim.New(target.Config{URL: "https://scim.example.com/", Token: token, Dialect: "okta"})
	if err == nil || !strings.Contains(err.Error(), `SCIM dialect "okta" is not known: use one of rfc, aws, github, slack, atlassian, zoom, salesforce, meta`) {
		t.Fatalf("%v", err)
	}
	if !slices.Equal(slices.Sorted(slices.Values(scim.DialectNames())), slices.Sorted(slices.Values(emulator.ProfileNames()))) {
		t.Fatalf("dialects %v, emulator profiles %v", scim.DialectNames(), emulator.ProfileNames())
	}
}

// capsRow is what TestCapabilitiesByDialect expects of a dialect.
type capsRow struct {
	batch                         int
	paging                        target.Paging
	versions, bulk, groups, mread bool
	del                           target.Deletion
	clears, invites, claim        bool
	phones                        int
	budget                        target.Budget
	required                      []roster.Field
	carried, notCarried, notRead  []roster.Field
	origins                       map[string]string
}

// Each profile, opened in its dialect, has the capabilities SCIM-DIALECTS.md
// documents, each with its origin: the dialect, discovery within it, or
// the RFC and discovery for rfc.
func TestCapabilitiesByDialect(t *testing.T) {
	ent := []roster.Field{roster.Department, roster.Division, roster.Organization, roster.CostCenter, roster.Manager}
	meta := []roster.Field{roster.AuthMethod, roster.Invited, roster.StartDate}
	rows := map[string]capsRow{
		"rfc": {batch: 50, paging: target.PageIndex, versions: true, bulk: true, groups: true, mread: true, del: target.DeleteRemoves,
			claim: true, carried: append(append([]roster.Field{roster.PictureURL, roster.UserName}, ent...), meta...),
			origins: map[string]string{"lookup": "discovery", "paging": "RFC 7644", "delete": "RFC 7644", "groups": "discovery"}},
		"aws": {batch: 1, paging: target.PageCursor, groups: true, del: target.DeleteDestroys, phones: 1,
			required: []roster.Field{roster.FirstName, roster.LastName, roster.Name}, carried: ent,
			notCarried: append([]roster.Field{roster.PictureURL}, meta...),
			origins:    map[string]string{"paging": "dialect aws (SCIM-DIALECTS.md §1)", "groups": "dialect aws (SCIM-DIALECTS.md §1), narrowed by discovery"}},
		"github": {batch: 1, paging: target.PageIndex, groups: true, mread: true, del: target.DeleteDestroys,
			budget:     target.Budget{N: 1000, Per: time.Hour, Of: "users provisioned"},
			carried:    []roster.Field{roster.UserName, roster.ExternalID, roster.Groups},
			notCarried: append(append([]roster.Field{roster.Title, roster.WorkLocale, roster.Phone, roster.PictureURL}, ent...), meta...),
			origins:    map[string]string{"groups": "dialect github (SCIM-DIALECTS.md §3)", "write budget": "dialect github (SCIM-DIALECTS.md §3)"}},
		"slack": {batch: 1, paging: target.PageIndex, groups: true, mread: true, del: target.DeleteDeactivates,
			budget:   target.Budget{N: 180, Per: time.Minute, Of: "user writes (for the whole organization)"},
			required: []roster.Field{roster.UserName}, carried: ent, notCarried: meta,
			origins: map[string]string{"lookup": "dialect slack (SCIM-DIALECTS.md §2)", "delete": "dialect slack (SCIM-DIALECTS.md §2)"}},
		"atlassian": {batch: 1, paging: target.PageIndex, groups: true, mread: true, del: target.DeleteDestroys, carried: ent, notCarried: meta,
			origins: map[string]string{"delete": "dialect atlassian (SCIM-DIALECTS.md §4)"}},
		"zoom": {batch: 1, paging: target.PageIndex, groups: true, mread: true, del: target.DeleteRemoves,
			required: []roster.Field{roster.Email}, carried: ent, notCarried: append([]roster.Field{roster.UserName, roster.ExternalID}, meta...),
			notRead: []roster.Field{roster.Manager, roster.Organization, roster.CostCenter},
			origins: map[string]string{"patch": "dialect zoom (SCIM-DIALECTS.md §5): PATCH only for active; other changes by GET and PUT"}},
		"salesforce": {batch: 50, paging: target.PageIndex, groups: true, mread: true, del: target.DeleteNone,
			required: []roster.Field{roster.LastName, roster.Email}, carried: ent, notCarried: meta,
			origins: map[string]string{"lookup": "dialect salesforce (SCIM-DIALECTS.md §7), narrowed by discovery", "delete": "dialect salesforce (SCIM-DIALECTS.md §7)"}},
		"meta": {batch: 1, paging: target.PageIndex, del: target.DeleteUnclaimed, clears: true, invites: true, claim: true,
			carried: append(append([]roster.Field{roster.UserName}, ent...), meta...), notCarried: []roster.Field{roster.Groups},
			origins: map[string]string{"reactivation": "dialect meta (SCIM-DIALECTS.md §12)", "groups": "dialect meta (SCIM-DIALECTS.md §12)"}},
	}
	for _, profile := range emulator.ProfileNames() {
		t.Run(profile, func(t *testing.T) {
			w := rows[profile]
			_, c, _ := emu(t, profile)
			caps, err := c.Capabilities(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if caps.LookupBatch != w.batch || caps.Paging != w.paging || !caps.Complete || caps.Versions != w.versions || caps.Bulk != w.bulk ||
				caps.Groups != w.groups || caps.GroupMembersRead != w.mread || caps.Delete != w.del || caps.ReactivationClearsManager != w.clears ||
				caps.InvitesOnCreate != w.invites || caps.ReadsClaim != w.claim || caps.MaxPhones != w.phones || caps.WriteBudget != w.budget ||
				!slices.Equal(caps.Required, w.required) {
				t.Errorf("batch %d paging %s complete %v versions %v bulk %v groups %v members read %v delete %q clears %v invites %v claim %v phones %d budget %+v required %v",
					caps.LookupBatch, caps.Paging, caps.Complete, caps.Versions, caps.Bulk, caps.Groups, caps.GroupMembersRead, caps.Delete,
					caps.ReactivationClearsManager, caps.InvitesOnCreate, caps.ReadsClaim, caps.MaxPhones, caps.WriteBudget, caps.Required)
			}
			for _, f := range append([]roster.Field{roster.Name, roster.Email, roster.Active}, w.carried...) {
				if !caps.CanCarry(f) {
					t.Errorf("%s not carried", f)
				}
			}
			for _, f := range w.notCarried {
				if caps.CanCarry(f) {
					t.Errorf("%s carried", f)
				}
			}
			for _, f := range w.notRead {
				if !caps.CanCarry(f) || caps.CanRead(f) {
					t.Errorf("%s: carried %v, read %v; want carried and not read", f, caps.CanCarry(f), caps.CanRead(f))
				}
			}
			for k, want := range w.origins {
				if got := caps.Origin(k); got != want {
					t.Errorf("origin of %s: %q, want %q", k, got, want)
				}
			}
			if got := caps.Origin("dialect"); got != "--scim-dialect "+profile {
				t.Errorf("origin of the dialect: %q", got)
			}
			t.Log(capsLine(caps))
		})
	}
}

// capsLine is a profile's capabilities in a line, for the closing note.
func capsLine(c *target.Capabilities) string {
	var req []string
	for _, f := range c.Required {
		req = append(req, string(f))
	}
	var rules []string
	for _, r := range c.Rules {
		rules = append(rules, fmt.Sprintf("%s(max %d, forbidden %q, immutable %v)", r.Field, r.MaxLen, r.Forbidden, r.Immutable))
	}
	return fmt.Sprintf("batch=%d paging=%s complete=%v versions=%v bulk=%v groups=%v membersRead=%v delete=%q clearsMgr=%v invites=%v claim=%v maxPhones=%d budget=%d/%s required=%v rules=%v origins=%v",
		c.LookupBatch, c.Paging, c.Complete, c.Versions, c.Bulk, c.Groups, c.GroupMembersRead, c.Delete, c.ReactivationClearsManager,
		c.InvitesOnCreate, c.ReadsClaim, c.MaxPhones, c.WriteBudget.N, c.WriteBudget.Per, req, rules, c.Origins)
}

// Carries and Reads hold only the fields carried and read: no key set to
// false (wpimport check lists their keys).
func TestFieldSetsHoldNoFalse(t *testing.T) {
	for _, profile := range emulator.ProfileNames() {
		_, c, _ := emu(t, profile)
		caps, err := c.Capabilities(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for what, set := range map[string]map[roster.Field]bool{"Carries": caps.Carries, "Reads": caps.Reads} {
			for f, yes := range set {
				if !yes {
					t.Errorf("%s: %s holds %s: false", profile, what, f)
				}
			}
		}
	}
}
