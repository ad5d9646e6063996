//go:build scimtarget

// The SCIM target (internal/target/scim, registered as "scim") is being
// written on another branch. This test is ready for it, and compiles
// today behind the scimtarget tag (go vet -tags scimtarget ./... in
// .ci/run). To switch it on once the package lands: import it below (one
// line) and run go test -tags scimtarget ./internal/target/targettest,
// or move TestSCIMConformance into that package's tests untagged.

package targettest_test

import (
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/target/targettest"
	// _ "github.com/wpimport/wpimport/internal/target/scim"
)

// TestSCIMConformance runs the suite against the SCIM target on the
// emulator's SCIM API, in each profile.
func TestSCIMConformance(t *testing.T) {
	if !target.Known("scim") {
		t.Fatalf("no target is registered as \"scim\" (registered: %v): import internal/target/scim in %s", target.Names(), "scim_conformance_test.go")
	}
	for _, profile := range []string{emulator.ProfileRFC, emulator.ProfileMeta} {
		t.Run(profile, func(t *testing.T) { targettest.Run(t, targettest.EmulatorSCIM(profile)) })
	}
}
