package graph_test

import (
	"testing"

	_ "github.com/wpimport/wpimport/internal/target/graph"
	"github.com/wpimport/wpimport/internal/target/targettest"
)

// TestConformance runs the suite every target passes against the Graph
// target on the emulator's Graph API.
func TestConformance(t *testing.T) { targettest.Run(t, targettest.EmulatorGraph()) }
