package main

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/testkit"
)

func runCheck(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	code := runEnv(context.Background(), append([]string{"check"}, args...), e)
	return code, out.String(), errb.String()
}

// check says what each target supports, and where each capability came
// from, writing nothing: a tenant with accounts is left exactly as it was,
// and no call but a read reaches the service.
func TestCheckCommand(t *testing.T) {
	seed := func() *emulator.State {
		return &emulator.State{Accounts: []*emulator.Account{
			{ID: "100000000000001", Name: "Ada Lovelace", Email: "ada@acme.example", ExternalID: "E1", Title: "Engineer", Active: true},
			{ID: "100000000000002", Name: "Alan Turing", Email: "alan@acme.example", ExternalID: "E2", Manager: "100000000000001", Active: false},
		}}
	}
	rfc := testkit.Emulator(t, emulator.Config{State: seed()})
	meta := testkit.Emulator(t, emulator.Config{SCIMProfile: emulator.ProfileMeta, State: seed()})
	for _, tc := range []struct {
		name string
		srv  *emulator.Server
		env  map[string]string
		code int
		want []string
	}{
		{"rfc", rfc, map[string]string{"WPIMPORT_API": "scim", "WPIMPORT_API_URL": rfc.URL() + "/scim/v2", "WPIMPORT_TOKEN": rfc.Token()}, 0,
			[]string{"Token:       accepted", "Versions:    yes (updates send If-Match)  [discovery]", "Bulk:        yes (at most 1000 operations",
				"Groups:      yes  [discovery]", "Reactivate:  keeps the manager", "Delete:      removes",
				"Not carried: is_frontline, has_access, location, picture_file  [discovery]\n", "Users:       2", "Result:      ready"}},
		{"meta", meta, map[string]string{"WPIMPORT_API": "scim", "WPIMPORT_API_URL": meta.URL() + "/scim/v2", "WPIMPORT_TOKEN": meta.Token(), "WPIMPORT_SCIM_DIALECT": "meta"}, 0,
			[]string{"Versions:    no", "Bulk:        no  [dialect meta (SCIM-DIALECTS.md §12)]", "Groups:      no",
				"Reactivate:  clears the manager: plans set it again  [dialect meta (SCIM-DIALECTS.md §12)]", "Invitations: sent at once",
				"Dialect:     meta (--scim-dialect meta)",
				"Delete:      unclaimed-only", "Result:      ready"}},
		{"bad token", rfc, map[string]string{"WPIMPORT_API": "scim", "WPIMPORT_API_URL": rfc.URL() + "/scim/v2", "WPIMPORT_TOKEN": "not-the-token"}, exitFatal,
			[]string{"Token:       REFUSED", "NOT READY"}},
		{"graph", rfc, map[string]string{"WPIMPORT_API_URL": rfc.URL(), "WORKPLACE_ACCESS_TOKEN": rfc.Token()}, 0,
			[]string{"graph API at", "Token:       accepted", "People sets: yes", "Erase:       yes", "Reactivate:  clears the manager",
				"Not read:    auth_method", "Not carried: start_date, location, groups  [documented (Graph API)]\n", "Result:      ready"}},
	} {
		before := tc.srv.Snapshot()
		tc.srv.ResetStats()
		code, out, errs := runCheck(t, tc.env)
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d\n%s%s", tc.name, code, tc.code, out, errs)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: no %q in\n%s", tc.name, w, out)
			}
		}
		if strings.Contains(out+errs, "not-the-token") {
			t.Errorf("%s: the token was printed", tc.name)
		}
		for route, n := range tc.srv.Stats().ByRoute {
			if !strings.Contains(route, " GET ") && !strings.HasPrefix(route, "GET ") {
				t.Errorf("%s: check made %d calls of %s", tc.name, n, route)
			}
		}
		if after := tc.srv.Snapshot(); !reflect.DeepEqual(before, after) {
			t.Errorf("%s: check changed the tenant", tc.name)
		}
	}
}

// validate --api names, offline, the columns the target cannot carry.
func TestValidateNamesWhatTheTargetCannotCarry(t *testing.T) {
	p := testkit.WriteFile(t, "r.csv", []byte("name,email,is_frontline,groups\nA,a@x.example,true,G1\nB,b@x.example,false,\n"))
	for api, want := range map[string]string{
		"scim":  "1 row gives is_frontline, which a SCIM 2.0 service cannot carry",
		"graph": "1 row gives groups, which Workplace's Graph API cannot carry",
	} {
		var out, errb bytes.Buffer
		e := &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
		code := runEnv(context.Background(), []string{"validate", p, "--api", api}, e)
		if code != 0 || !strings.Contains(errb.String(), want) || !strings.Contains(errb.String(), "[target.not_carried]") {
			t.Errorf("%s: %d\n%s", api, code, errb.String())
		}
	}
}
