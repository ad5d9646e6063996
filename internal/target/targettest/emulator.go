package targettest

import (
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/testkit"
)

// refusedToken is the token the emulator harnesses give as refused: long
// enough that a target scrubs it from server text.
const refusedToken = "refused-token-0123456789abcdef"

// EmulatorGraph is the Graph target ("graph") on the emulator's Graph API.
func EmulatorGraph() Harness {
	return Harness{Name: "graph on the emulator", Target: "graph", Start: func(t *testing.T, o Options) *Server {
		return emulatorServer(t, emulator.Config{PageCap: o.PageCap}, "")
	}}
}

// EmulatorSCIM is the SCIM target ("scim") on the emulator's SCIM API in
// a profile (emulator.ProfileNames), opened in the dialect of the same
// name: the emulator serves every profile on 127.0.0.1, whose host tells
// no dialect.
func EmulatorSCIM(profile string) Harness {
	return Harness{Name: "scim on the emulator (" + profile + ")", Target: "scim", Start: func(t *testing.T, o Options) *Server {
		// The suite makes hundreds of accounts in seconds: Slack's budgets a
		// minute are off (the throttling cases stage their own 429s).
		s := emulatorServer(t, emulator.Config{PageCap: o.PageCap, SCIMProfile: profile, SCIMNoRouteLimits: true}, emulator.SCIMPrefix)
		s.Config.Dialect = profile
		return s
	}}
}

func emulatorServer(t *testing.T, cfg emulator.Config, prefix string) *Server {
	srv := testkit.Emulator(t, cfg)
	return &Server{
		Config:       target.Config{URL: srv.URL() + prefix, Token: srv.Token(), UserAgent: "wpimport/targettest"},
		RefusedToken: refusedToken,
		Requests:     func() int { return srv.Stats().Calls },
		Faults:       srv,
	}
}
