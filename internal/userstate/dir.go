package userstate

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Dir returns the user's state folder for goos (runtime.GOOS), reading the
// environment through getenv: $WPIMPORT_STATE_DIR, else
// $XDG_STATE_HOME/wpimport (an absolute path), else ~/.local/state/wpimport;
// on Windows and macOS, os.UserConfigDir()/wpimport.
func Dir(getenv func(string) string, goos string) (string, error) {
	if d := getenv("WPIMPORT_STATE_DIR"); d != "" {
		return filepath.Abs(d)
	}
	if goos == "windows" || goos == "darwin" {
		d, err := os.UserConfigDir()
		if err != nil {
			return "", noDir(err)
		}
		return filepath.Join(d, "wpimport"), nil
	}
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "wpimport"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", noDir(errors.New("$HOME is not set"))
	}
	return filepath.Join(home, ".local", "state", "wpimport"), nil
}

func noDir(err error) error {
	return fmt.Errorf("no folder for wpimport's own state (the key that seals plans, the record of applied plans): %v; "+
		"set WPIMPORT_STATE_DIR to a folder only you can write", err)
}
