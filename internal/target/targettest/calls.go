package targettest

import (
	"testing"

	"github.com/wpimport/wpimport/internal/target"
)

// testCallsDescribed: every call goes through Config.Wrap described: a
// Create makes a call not safe to repeat, Find and ListAll only calls
// safe to repeat (whatever their HTTP method). (After every case the
// suite also checks that each HTTP call went through the Wrap and that
// every GET is described as safe to repeat.)
func testCallsDescribed(t *testing.T, h Harness) {
	e := start(t, h, Options{})
	var a *target.Account
	calls, _ := e.rec.during(func() { a = e.create(e.person()) })
	unsafe := 0
	for _, c := range calls {
		if !c.Idempotent {
			unsafe++
		}
	}
	if len(calls) == 0 || unsafe == 0 {
		t.Errorf("Create made %d calls, none described as not safe to repeat: a layer would repeat it after a lost answer and make the account twice (%+v)", len(calls), calls)
	}
	for what, f := range map[string]func(){
		"Find":    func() { e.findCheck(e.tgt, []target.Key{e.keyOf(a)}, map[target.Key]*target.Account{e.keyOf(a): a}) },
		"ListAll": func() { e.list(e.tgt) },
	} {
		calls, _ := e.rec.during(f)
		if len(calls) == 0 {
			t.Errorf("%s made no call through Config.Wrap", what)
		}
		for _, c := range calls {
			if !c.Idempotent {
				t.Errorf("%s made %s %s, not described as safe to repeat", what, c.Method, c.Path)
			}
		}
	}
}
