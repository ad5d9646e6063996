package plan_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// A sealed plan checks out under its key only, byte for byte.
func TestSeal(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	other := bytes.Repeat([]byte{8}, 32)
	p := &plan.Plan{FormatVersion: plan.FormatVersion, CreatedAt: time.Now().UTC(), Kind: "roster",
		Changes: []plan.Change{{ID: 1, Kind: plan.KindAccount, Cause: plan.CauseRoster, Row: 2, Key: "E1", Name: "Ada", Action: plan.Create,
			// A value that holds the placeholder, as a roster cell may.
			After:  &target.Account{Name: target.Name{Formatted: "Ada"}, Title: plan.MACPlaceholder, Active: true},
			Fields: []roster.Field{roster.Name, roster.Title}}}}
	path := filepath.Join(t.TempDir(), "plan.json")
	digest, err := p.Save(path, key)
	if err != nil {
		t.Fatal(err)
	}
	q, data, d2, err := plan.ReadFile(path)
	if err != nil || d2 != digest {
		t.Fatalf("read back: %v, digest %s vs %s", err, d2, digest)
	}
	if !strings.HasPrefix(q.MAC, "hmac-sha256:") || len(q.MAC) != len(plan.MACPlaceholder) || q.MAC == plan.MACPlaceholder {
		t.Fatalf("mac = %q", q.MAC)
	}
	if i := bytes.Index(data, []byte(q.MAC)); i < 0 || i > bytes.Index(data, []byte(`"tool_version"`)) {
		t.Errorf("the mac is not the first field after format_version:\n%s", data[:200])
	}
	cases := []struct {
		name string
		data []byte
		mac  string
		key  []byte
		want plan.Seal
	}{
		{"as written", data, q.MAC, key, plan.Sealed},
		{"another key", data, q.MAC, other, plan.BadSeal},
		{"a title edited", bytes.Replace(data, []byte(`"Ada"`), []byte(`"Eve"`), 1), q.MAC, key, plan.BadSeal},
		{"a space added", append(bytes.Clone(data), ' '), q.MAC, key, plan.BadSeal},
		{"no mac", bytes.Replace(data, []byte(q.MAC), nil, 1), "", key, plan.Unsealed},
		{"the placeholder claimed", bytes.Replace(data, []byte(q.MAC), []byte(plan.MACPlaceholder), 1), plan.MACPlaceholder, key, plan.BadSeal},
		{"a short mac", data, q.MAC[:20], key, plan.BadSeal},
	}
	for _, c := range cases {
		if got := plan.CheckSeal(c.data, c.mac, c.key); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// Unsealed (nil key): no mac field at all.
	if _, err := p.Save(path, nil); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(path)
	if bytes.Contains(data, []byte(`"mac"`)) {
		t.Error("a plan saved without a key has a mac")
	}
}
