package main

import (
	"bytes"
	"context"
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

func TestCheckCommand(t *testing.T) {
	rfc := testkit.Emulator(t, emulator.Config{})
	meta := testkit.Emulator(t, emulator.Config{SCIMProfile: emulator.ProfileMeta})
	for _, tc := range []struct {
		name string
		env  map[string]string
		code int
		want []string
	}{
		{"rfc", map[string]string{"WPIMPORT_API": "scim", "WPIMPORT_API_URL": rfc.URL() + "/scim/v2", "WPIMPORT_TOKEN": rfc.Token()}, 0,
			[]string{"Token:       accepted", "ETags:       yes", "Bulk:        yes (at most 1000 operations", "Groups:      yes", "Not carried: is_frontline, has_access, picture_file, start_date, location\n", "Result:      ready"}},
		{"meta", map[string]string{"WPIMPORT_API": "scim", "WPIMPORT_API_URL": meta.URL() + "/scim/v2", "WPIMPORT_TOKEN": meta.Token()}, 0,
			[]string{"Discovery:   none (404)", "ETags:       no", "Bulk:        no", "Groups:      no", "Result:      ready"}},
		{"bad token", map[string]string{"WPIMPORT_API": "scim", "WPIMPORT_API_URL": rfc.URL() + "/scim/v2", "WPIMPORT_TOKEN": "not-the-token"}, exitFatal,
			[]string{"Token:       REFUSED", "NOT READY"}},
		{"graph", map[string]string{"WPIMPORT_API_URL": rfc.URL(), "WORKPLACE_ACCESS_TOKEN": rfc.Token()}, 0,
			[]string{"graph API at", "Token:       accepted", "Not carried: start_date, location, groups\n", "Result:      ready"}},
	} {
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
	}
	if st := rfc.Snapshot(); len(st.Accounts) != 0 {
		t.Fatal("check wrote something")
	}
}

// validate --api names, offline, the columns the target cannot carry.
func TestValidateNamesWhatTheTargetCannotCarry(t *testing.T) {
	p := testkit.WriteFile(t, "r.csv", []byte("name,email,is_frontline,groups\nA,a@x.example,true,G1\nB,b@x.example,false,\n"))
	for api, want := range map[string]string{
		"scim":  "1 rows give is_frontline, which a SCIM service cannot carry",
		"graph": "1 rows give groups, which Workplace's Graph API cannot carry",
	} {
		var out, errb bytes.Buffer
		e := &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
		code := runEnv(context.Background(), []string{"validate", p, "--api", api}, e)
		if code != 0 || !strings.Contains(errb.String(), want) || !strings.Contains(errb.String(), "[target.not_carried]") {
			t.Errorf("%s: %d\n%s", api, code, errb.String())
		}
	}
}
