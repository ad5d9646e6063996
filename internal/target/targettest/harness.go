package targettest

import (
	"testing"

	"github.com/wpimport/wpimport/internal/target"
)

// Harness runs the suite for one target on one kind of server.
type Harness struct {
	// Name names the run in messages ("graph on the emulator").
	Name string
	// Target is the registered name the suite opens (target.Open).
	Target string
	// Start starts a new, empty server for one case; t.Cleanup stops it.
	Start func(t *testing.T, o Options) *Server
}

// Options are what a case asks of its server.
type Options struct {
	// PageCap caps the accounts a listing page holds (0: the server's
	// default).
	PageCap int
}

// Server is a running server and what the suite can do with it.
type Server struct {
	// Config opens the target on this server (URL, token, user agent);
	// the suite sets Wrap.
	Config target.Config
	// RefusedToken is a token the server refuses ("": the refused-token
	// case is logged as not run).
	RefusedToken string
	// Requests counts the API calls the server received, refused and
	// failed ones included (nil: the count is not checked).
	Requests func() int
	// Faults stages faults on the next calls; nil where the server cannot
	// (the fault cases are then logged as not run).
	Faults Faults
}

// Faults are faults a test server stages for its next calls. Each sets
// its count (0 ends it).
type Faults interface {
	// DropNext commits the next n writes that succeed and loses their
	// answers (the connection is closed).
	DropNext(n int)
	// FailNext answers the next n calls with a 5xx, with no effect.
	FailNext(n int)
	// ThrottleNext answers the next n calls throttled, with no effect.
	ThrottleNext(n int)
}

// A case is one subtest of the suite.
type testCase struct {
	name string
	run  func(t *testing.T, h Harness)
}

// cases are the suite, in the order they run.
var cases = []testCase{
	{"Capabilities", testCapabilities},
	{"RoundTrip", testRoundTrip},
	{"FindByEveryKey", testFindByEveryKey},
	{"FindBeyondBatch", testFindBeyondBatch},
	{"ListAllComplete", testListAllComplete},
	{"ListAllFailsRatherThanShort", testListAllFails},
	{"UpdateSetsAndClears", testUpdateSetsAndClears},
	{"Manager", testManager},
	{"SetActive", testSetActive},
	{"ReactivationAndManager", testReactivation},
	{"GivenAndFamilyNames", testNames},
	{"AddPhone", testAddPhone},
	{"Versions", testVersions},
	{"FindAfterLostCreate", testLostCreate},
	{"LayerRepeatsOnlySafeCalls", testLayerRepeats},
	{"ErrorKinds", testErrorKinds},
	{"Throttled", testThrottled},
	{"Groups", testGroups},
	{"PeopleSets", testPeopleSets},
	{"Remove", testRemove},
	{"CallsDescribed", testCallsDescribed},
}

// Run runs every case against h's target, each on a fresh server.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if !target.Known(h.Target) {
		t.Fatalf("%s: no target is registered as %q (registered: %v): import its package in the test", h.Name, h.Target, target.Names())
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, h) })
	}
}
