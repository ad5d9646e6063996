package execute

import (
	"testing"

	"github.com/wpimport/wpimport/internal/workplace"
)

// Throttled answers have their own, larger budget: a throttling server
// delays a row; only repeated failures fail it.
func TestTriesBudget(t *testing.T) {
	rt := Retry{Tries: 3}
	throttle := &workplace.APIError{Code: 4, Transient: true}
	fault := &workplace.APIError{Code: 2, HTTPStatus: 500}
	var tr tries
	for i := 1; i < 12; i++ {
		if !tr.again(rt, throttle) {
			t.Fatalf("gave up after %d throttles, want 12", i)
		}
	}
	if tr.again(rt, throttle) {
		t.Error("the 12th throttle did not end the tries")
	}
	var tf tries
	first, second, third := tf.again(rt, fault), tf.again(rt, fault), tf.again(rt, fault)
	if !first || !second || third {
		t.Error("server errors: want 3 tries in all")
	}
	var mixed tries
	for i := 0; i < 5; i++ {
		mixed.again(rt, throttle)
	}
	if !mixed.again(rt, fault) || mixed.n() != 6 {
		t.Errorf("throttles used up the error budget: n=%d", mixed.n())
	}
}
