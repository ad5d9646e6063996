package scim_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// Capabilities follow discovery and the dialect: the RFC profile has
// everything, Meta's (no discovery) what its dialect documents: /Users
// only, no versions, one key a look-up, Meta's extensions and rules.
func TestCapabilitiesEmulator(t *testing.T) {
	for _, tc := range []struct {
		profile                string
		batch                  int
		versions, bulk, groups bool
		origin                 string
	}{
		{emulator.ProfileRFC, 50, true, true, true, "discovery"},
		{emulator.ProfileMeta, 1, false, false, false, "dialect meta (SCIM-DIALECTS.md §12)"},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			_, c, l := emu(t, tc.profile)
			caps, err := c.Capabilities(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if caps.Target != "scim" || caps.LookupBatch != tc.batch || caps.Versions != tc.versions || caps.Bulk != tc.bulk ||
				caps.Groups != tc.groups || caps.CanCarry(roster.Groups) != tc.groups || caps.Paging != target.PageIndex || !caps.Complete ||
				caps.Erase || !caps.PictureURL || caps.PictureFile {
				t.Fatalf("caps %+v", caps)
			}
			// Meta's documented rules (SCIM-DIALECTS.md §12).
			meta := tc.profile == emulator.ProfileMeta
			if caps.ReactivationClearsManager != meta || caps.InvitesOnCreate != meta ||
				caps.Delete != map[bool]target.Deletion{false: target.DeleteRemoves, true: target.DeleteUnclaimed}[meta] {
				t.Fatalf("caps %+v", caps)
			}
			if tc.bulk && caps.BulkMax != 1000 || tc.groups && (caps.GroupChunk != 100 || !caps.GroupMembersRead) {
				t.Fatalf("bulk %d, group chunk %d", caps.BulkMax, caps.GroupChunk)
			}
			for _, f := range []roster.Field{roster.Name, roster.FirstName, roster.LastName, roster.Email, roster.UserName, roster.ExternalID,
				roster.Title, roster.WorkLocale, roster.Active, roster.Phone, roster.Department, roster.CostCenter, roster.Manager,
				roster.AuthMethod, roster.Invited, roster.StartDate} {
				if !caps.CanCarry(f) || !caps.CanRead(f) {
					t.Errorf("%s: carried %v, read %v", f, caps.CanCarry(f), caps.CanRead(f))
				}
			}
			for _, f := range []roster.Field{roster.IsFrontline, roster.HasAccess, roster.PictureFile, roster.Location} {
				if caps.CanCarry(f) || caps.CanRead(f) {
					t.Errorf("%s carried", f)
				}
			}
			if !caps.CanCarry(roster.PictureURL) || caps.CanRead(roster.PictureURL) || !caps.ReadsClaim {
				t.Errorf("picture_url carried %v read %v; claim read %v", caps.CanCarry(roster.PictureURL), caps.CanRead(roster.PictureURL), caps.ReadsClaim)
			}
			del := "RFC 7644"
			if meta {
				del = "dialect meta (SCIM-DIALECTS.md §12)"
			}
			if caps.Origin("lookup") != tc.origin || caps.Origin("fields") != tc.origin || caps.Origin("delete") != del {
				t.Errorf("origins %v", caps.Origins)
			}
			// Asked once.
			n := len(l.called())
			if _, err := c.Capabilities(context.Background()); err != nil || len(l.called()) != n {
				t.Fatalf("asked again: %v", l.called())
			}
		})
	}
}

// Discovery is read tolerantly: /ServiceProviderConfigs (plural) when the
// singular is missing, booleans as 0/1 or text, numbers as text; without
// the enterprise extension its fields are not carried.
func TestDiscoveryTolerant(t *testing.T) {
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		switch r.URL.Path {
		case "/ServiceProviderConfigs":
			io.WriteString(w, `{"patch":{"supported":1},"filter":{"supported":"true","maxResults":"200"},"etag":{"supported":0},"bulk":{"supported":"false","maxOperations":0}}`)
		case "/ResourceTypes":
			io.WriteString(w, `[{"name":"User","schema":"urn:ietf:params:scim:schemas:core:2.0:User"},{"name":"Group","schema":"urn:ietf:params:scim:schemas:core:2.0:Group"}]`)
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	c, _ := open(t, srv.URL)
	d, err := c.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	caps, _ := c.Capabilities(context.Background())
	if !d.Discovered || !d.Patch || d.ETag || d.Bulk || d.FilterMax != 200 || caps.LookupBatch != 50 || caps.Versions || caps.Bulk || !caps.Groups {
		t.Fatalf("discovery %+v, caps %+v", d, caps)
	}
	if caps.CanCarry(roster.Department) || caps.CanCarry(roster.Manager) || caps.CanCarry(roster.StartDate) || caps.ReadsClaim {
		t.Fatalf("carries %v", caps.Carries)
	}
	if strings.Join(paths, " ") != "/ServiceProviderConfig /ServiceProviderConfigs /ResourceTypes" {
		t.Fatalf("asked %v", paths)
	}
}

// A filter said to return fewer than 50 makes look-ups one key a request.
func TestDiscoverySmallFilter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ServiceProviderConfig" {
			io.WriteString(w, `{"filter":{"supported":true,"maxResults":20}}`)
			return
		}
		w.WriteHeader(404)
	}))
	defer srv.Close()
	c, _ := open(t, srv.URL)
	if caps, err := c.Capabilities(context.Background()); err != nil || caps.LookupBatch != 1 || !caps.CanCarry(roster.Department) {
		t.Fatalf("%+v %v", caps, err)
	}
}

// An error other than 404 is returned and not remembered: the next call
// asks again.
func TestDiscoveryErrorNotCached(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ServiceProviderConfig" && n.Add(1) == 1 {
			w.WriteHeader(401)
			io.WriteString(w, `{"detail":"bad token"}`)
			return
		}
		w.WriteHeader(404)
	}))
	defer srv.Close()
	c, _ := open(t, srv.URL)
	if _, err := c.Capabilities(context.Background()); !target.IsFatal(err) {
		t.Fatalf("%v", err)
	}
	caps, err := c.Capabilities(context.Background())
	if err != nil || caps.Origin("patch") != "default: the service has no discovery" {
		t.Fatalf("%+v %v", caps, err)
	}
}
