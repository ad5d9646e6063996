package pace

import (
	"testing"

	"github.com/wpimport/wpimport/internal/target"
)

// Throttled answers have their own, larger budget: a throttling server
// delays a row; only repeated failures fail it.
func TestTriesBudget(t *testing.T) {
	rt := Retry{Tries: 3}
	throttle := &target.Error{Kind: target.Throttled, Status: 400, Code: "4"}
	fault := &target.Error{Kind: target.Transient, Status: 500, Code: "2"}
	var tr Tries
	for i := 1; i < 12; i++ {
		if !tr.Again(rt, throttle) {
			t.Fatalf("gave up after %d throttles, want 12", i)
		}
	}
	if tr.Again(rt, throttle) {
		t.Error("the 12th throttle did not end the tries")
	}
	var tf Tries
	first, second, third := tf.Again(rt, fault), tf.Again(rt, fault), tf.Again(rt, fault)
	if !first || !second || third {
		t.Error("server errors: want 3 tries in all")
	}
	var mixed Tries
	for i := 0; i < 5; i++ {
		mixed.Again(rt, throttle)
	}
	if !mixed.Again(rt, fault) || mixed.N() != 6 {
		t.Errorf("throttles used up the error budget: n=%d", mixed.N())
	}
}
