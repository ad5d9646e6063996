// Package samples holds the example rosters and the emulator state the demo
// runs on, embedded so the demo works from any folder.
package samples

import (
	"embed"
	"os"
	"path/filepath"
)

//go:embed roster.csv roster.xlsx admin-panel-template.csv people-sets.csv workplace-state.json
var files embed.FS

// WriteTo copies every sample into dir.
func WriteTo(dir string) error {
	entries, err := files.ReadDir(".")
	if err != nil {
		return err
	}
	for _, e := range entries {
		data, err := files.ReadFile(e.Name())
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
