package report

import (
	"encoding/json"
	"testing"

	"github.com/wpimport/wpimport/internal/roster"
)

// The hand-written encoder writes what encoding/json writes.
func TestAppendEntryMatchesMarshal(t *testing.T) {
	entries := []Entry{
		{Row: 2, Key: "E1", Action: "create", Status: "planned", Changes: map[string]Change{}, Issues: []roster.Issue{}},
		{Row: 3, Key: "a<b>&\"\\\n\t\x01\u2028\u2029é\xff", Name: "Zoë", Action: "update", Status: "failed", AccountID: "100",
			Changes: map[string]Change{"title": {"", "x"}, "email": {"a@b.c", "d@e.f"}}, Attempts: 3, ErrorCode: "uniqueness", ErrorMessage: "(#100) bad",
			Issues: []roster.Issue{{Row: 3, Column: "Email", Field: roster.Email, Severity: roster.Error, Code: "email.invalid", Message: "m <x>"}, {Severity: roster.Warning, Code: "c", Message: ""}}},
	}
	for _, e := range entries {
		want, _ := json.Marshal(&e)
		if got := appendEntry(nil, &e); string(got) != string(want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("plain")
	f.Add("<&>\u2028\xff\x00\"")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	})
}
