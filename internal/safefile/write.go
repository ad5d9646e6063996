package safefile

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Perm is the mode outputs are created with, before the umask.
const Perm = 0o644

// tempPrefix starts the name of every temporary file this package makes.
const tempPrefix = ".wpimport-tmp-"

// createTemp makes a new file beside path, with perm less the umask.
func createTemp(path string, perm os.FileMode) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	for range 100 {
		var b [6]byte
		rand.Read(b[:])
		name := filepath.Join(dir, tempPrefix+base+"-"+hex.EncodeToString(b[:]))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("create a temporary file in %s: too many tries", dir)
}

// Write writes path atomically: fill writes into a buffered temporary file
// in the same folder, which replaces path only once it is complete and on
// disk. Errors name path.
func Write(path string, fill func(w io.Writer) error) error {
	return WriteMode(path, Perm, fill)
}

// WriteMode is Write with the file's permissions (less the umask), for a
// file only its owner should read.
func WriteMode(path string, perm os.FileMode, fill func(w io.Writer) error) (err error) {
	f, err := createTemp(path, perm)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 256<<10)
	if err := fill(bw); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		done = true
		return fmt.Errorf("write %s: %w", path, err)
	}
	done = true
	return nil
}

// CheckWritable reports, before any work, an output path that cannot be
// written: its folder is missing or read-only, or the path is a folder.
func CheckWritable(path string) error {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return fmt.Errorf("%s exists and is not a regular file (a folder?); choose another output name", path)
	}
	f, err := createTemp(path, Perm)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot write %s: %v; check that its folder exists and is writable", path, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}
