// Package targettest is the conformance suite every target runs, in the
// spirit of restic's internal/backend/test: what a target must do for
// plan and execute to trust it, asserted over real HTTP against a server
// the suite can make fail.
//
// A target's package runs it from a test:
//
//	func TestConformance(t *testing.T) { targettest.Run(t, targettest.EmulatorGraph()) }
//
// A Harness starts a fresh, empty server for each case and says what it
// can be made to do (Server: a refused token, page caps, faults on the
// next calls). The suite opens the target by its registered name with
// target.Open, its own recording Wrap around every call, and, where a case
// needs it, a pace.Layer with a tiny retry budget. Cases a target's
// capabilities do not announce (versions, groups, people sets, deletion)
// and fault cases a server cannot stage are logged as not run, never
// skipped in silence.
//
// Every case asserts values read back, not only the absence of an error;
// after every case the suite checks that each HTTP call went through the
// Wrap (the target's count, the recorder's and the server's agree) and
// that every GET was described as safe to repeat.
package targettest
