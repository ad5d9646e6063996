package scim_test

import (
	"testing"

	"github.com/wpimport/wpimport/internal/emulator"
	"github.com/wpimport/wpimport/internal/target/targettest"
)

// TestConformance runs the suite every target passes against the SCIM
// target on the emulator's SCIM API, in each profile, opened in the
// dialect of the same name.
func TestConformance(t *testing.T) {
	for _, profile := range emulator.ProfileNames() {
		t.Run(profile, func(t *testing.T) { targettest.Run(t, targettest.EmulatorSCIM(profile)) })
	}
}
