package targettest

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// testCapabilities: the capabilities are coherent and remembered.
func testCapabilities(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	c := e.caps
	if c.Target != h.Target {
		t.Errorf("Capabilities.Target = %q, want the registered name %q", c.Target, h.Target)
	}
	if c.Service == "" {
		t.Error("Capabilities.Service is empty: messages name the service with it")
	}
	if !c.CanCarry(roster.Name) {
		t.Error("the target does not carry name")
	}
	if !c.CanCarry(roster.Email) && !c.CanCarry(roster.UserName) {
		t.Error("the target carries neither email nor user_name: nothing identifies a person")
	}
	known := allFields()
	for what, set := range map[string]map[roster.Field]bool{"Carries": c.Carries, "Reads": c.Reads} {
		for f := range set {
			if !slices.Contains(known, f) {
				t.Errorf("%s holds %q, which is no roster field", what, f)
			}
		}
	}
	if len(c.Reads) == 0 {
		t.Error("Reads is empty: nothing could be compared")
	}
	for _, f := range c.Required {
		if !c.CanCarry(f) {
			t.Errorf("Required holds %s, which the target does not carry", f)
		}
	}
	for _, r := range c.Rules {
		if !c.CanCarry(r.Field) || r.Why == "" {
			t.Errorf("rule %+v: its field is not carried, or it does not say why", r)
		}
	}
	if c.LookupBatch < 1 {
		t.Errorf("LookupBatch = %d, want at least 1", c.LookupBatch)
	}
	if len(c.LookupBy) == 0 {
		t.Error("LookupBy is empty: Find could look nothing up")
	}
	for _, k := range c.LookupBy {
		if !slices.Contains([]target.KeyKind{target.ByID, target.ByEmail, target.ByExternalID, target.ByUserName}, k) {
			t.Errorf("LookupBy holds %q, which is no key kind", k)
		}
	}
	switch c.Paging {
	case target.PageCursor, target.PageIndex:
	case target.PageNone:
		if c.Complete {
			t.Error("Paging is none and Complete is true: a listing that cannot be made cannot be complete")
		}
	default:
		t.Errorf("Paging = %q, want cursor, index or none", c.Paging)
	}
	if _, ok := e.tgt.(target.Groups); c.Groups && (!ok || c.GroupChunk < 1) {
		t.Errorf("Groups announced, and the target implements target.Groups: %v, GroupChunk %d (want ≥ 1)", ok, c.GroupChunk)
	}
	if _, ok := e.tgt.(target.PeopleSets); c.PeopleSets && !ok {
		t.Error("PeopleSets announced, and the target does not implement target.PeopleSets")
	}
	if c.Bulk && c.BulkMax < 1 {
		t.Errorf("Bulk announced with BulkMax %d", c.BulkMax)
	}
	if !slices.Contains([]target.Deletion{target.DeleteNone, target.DeleteUnclaimed, target.DeleteDeactivates, target.DeleteDestroys, target.DeleteRemoves}, c.Delete) {
		t.Errorf("Delete = %q, which is no Deletion", c.Delete)
	}
	if !c.Erase && c.EraseGrace != 0 || c.EraseGrace < 0 {
		t.Errorf("EraseGrace %v with Erase %v", c.EraseGrace, c.Erase)
	}
	for name, from := range c.Origins {
		if strings.TrimSpace(from) == "" {
			t.Errorf("Origins[%q] is empty", name)
		}
	}
	again, err := e.tgt.Capabilities(e.ctx)
	if err != nil || !reflect.DeepEqual(again, c) {
		t.Errorf("a second Capabilities call gave %+v, %v; want the same answer", again, err)
	}
}
